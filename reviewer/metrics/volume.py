"""Throughput (decisions per day and per hour of day) and the decision mix (by action and by policy).

Undos and notes are not decisions of a case and are not counted; the mix counts only decisions that still
stand (not undone, by the reviewer or by a lead's override).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from reviewer.metrics.filters import MetricsFilter, view, within
from reviewer.metrics.table import Column, Table
from reviewer.storage.database import Database

DECISIONS = view(
    "v_decisions",
    "decision_id", "case_id", "channel", "category", "priority", "action", "policy_code", "handle_ms",
    "day", "hour", "is_undo", "is_final", "is_undone", "is_override", "reverses_id",
    times=("created_at",),
)  # fmt: skip
NOT_COUNTED = ("undo", "note")


def _counted(flt: MetricsFilter, *cols: Any) -> Any:
    v = DECISIONS
    return within(select(*cols), v, flt, "created_at").where(v.c.action.not_in(NOT_COUNTED))


def throughput_by_day(db: Database, flt: MetricsFilter) -> Table:
    v = DECISIONS
    q = _counted(flt, v.c.day, func.count()).group_by(v.c.day)
    with db.read() as s:
        counts = {str(day): int(n) for day, n in s.execute(q)}
    rows = tuple((day, counts.get(day, 0)) for day in flt.days())
    return Table(
        "throughput_day", "Decisions per day", (Column("day", "date"), Column("decisions", "int")), rows,
        chart="line",
    )  # fmt: skip


def throughput_by_hour(db: Database, flt: MetricsFilter) -> Table:
    v = DECISIONS
    q = _counted(flt, v.c.hour, func.count()).group_by(v.c.hour)
    with db.read() as s:
        counts = {int(hour): int(n) for hour, n in s.execute(q)}
    rows = tuple((hour, counts.get(hour, 0)) for hour in range(24))
    return Table(
        "throughput_hour", "Decisions by hour of day (UTC)", (Column("hour", "int"), Column("decisions", "int")),
        rows,
    )  # fmt: skip


def _standing(flt: MetricsFilter, key: Any) -> Any:
    v = DECISIONS
    return (
        _counted(flt, key, func.count())
        .where(v.c.action != "skip", v.c.is_undone == 0)
        .group_by(key)
        .order_by(func.count().desc(), key)
    )


def mix_by_action(db: Database, flt: MetricsFilter) -> Table:
    with db.read() as s:
        rows = tuple((str(a), int(n)) for a, n in s.execute(_standing(flt, DECISIONS.c.action)))
    return Table("mix_action", "Standing decisions by action", (Column("action"), Column("decisions", "int")), rows)


def mix_by_policy(db: Database, flt: MetricsFilter) -> Table:
    with db.read() as s:
        key = func.coalesce(DECISIONS.c.policy_code, "(none)")  # NULLs sort differently per dialect
        rows = tuple((str(p), int(n)) for p, n in s.execute(_standing(flt, key)))
    return Table("mix_policy", "Standing decisions by policy", (Column("policy"), Column("decisions", "int")), rows)
