"""SLA adherence and breaches by channel and by priority, over the cases *due* in the range.

A case is met when its first final decision came by its deadline, breached when it came later or when it
is still undecided past the deadline (``v_sla``). Adherence is met / (met + breached): cases not yet due
and undecided count in neither.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from reviewer.metrics.filters import MetricsFilter, view, within
from reviewer.metrics.table import Column, Table
from reviewer.storage.database import Database

SLA = view("v_sla", "case_id", "channel", "category", "priority", "decided", "met", "breached", "late_s",
           times=("sla_deadline", "created_at"))  # fmt: skip
COLUMNS = (Column("cases", "int"), Column("met", "int"), Column("breached", "int"), Column("adherence", "percent"))


def _by(db: Database, flt: MetricsFilter, key: Any) -> list[tuple[Any, ...]]:
    v = SLA
    q = within(
        select(key, func.count(), func.sum(v.c.met), func.sum(v.c.breached)), v, flt, "sla_deadline"
    ).group_by(key).order_by(key)
    rows = []
    with db.read() as s:
        for k, n, met, breached in s.execute(q):
            met, breached = int(met or 0), int(breached or 0)
            judged = met + breached
            rows.append((k, int(n), met, breached, met / judged if judged else None))
    return rows


def sla_by_channel(db: Database, flt: MetricsFilter) -> Table:
    rows = tuple((str(r[0]), *r[1:]) for r in _by(db, flt, SLA.c.channel))
    return Table("sla_channel", "SLA by channel", (Column("channel"), *COLUMNS), rows, series=(2, 3))


def sla_by_priority(db: Database, flt: MetricsFilter) -> Table:
    rows = tuple((int(r[0]), *r[1:]) for r in _by(db, flt, SLA.c.priority))
    return Table("sla_priority", "SLA by priority (1 = most urgent)", (Column("priority", "int"), *COLUMNS), rows,
                 series=(2, 3))  # fmt: skip
