"""The figure families read from the rollups (schema 0009), the same tables the direct-SQL families in
``volume``, ``handle_time``, ``sla``, ``overturns``, ``flow`` and ``exposure`` compute (those stay as the
reference the tests compare with). Call :func:`reviewer.metrics.rollup.refresh_rollups` first."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import func, select, text

from reviewer.clock import utcnow
from reviewer.metrics.appeal_figures import with_appeals
from reviewer.metrics.exposure import day_cap_seconds
from reviewer.metrics.filters import MetricsFilter
from reviewer.metrics.flow import _flow_table
from reviewer.metrics.handle_time import percentile
from reviewer.metrics.overturns import overturns_table
from reviewer.metrics.sla import COLUMNS
from reviewer.metrics.table import Column, Table
from reviewer.models import Case, Channel
from reviewer.storage.database import Database


def _where(flt: MetricsFilter) -> tuple[str, dict[str, Any]]:
    sql, params = "day >= :d0 AND day <= :d1", {"d0": flt.start.isoformat(), "d1": flt.end.isoformat()}
    if flt.channel:
        sql, params["ch"] = sql + " AND channel = :ch", flt.channel
    if flt.category:
        sql, params["cat"] = sql + " AND category = :cat", flt.category
    return sql, params


def _rows(db: Database, sql: str, flt: MetricsFilter) -> list[Any]:
    where, params = _where(flt)
    with db.read() as s:
        return list(s.execute(text(sql.format(where=where)), params))


def throughput_by_day(db: Database, flt: MetricsFilter) -> Table:
    got = {str(d): int(n) for d, n in _rows(db, "SELECT day, SUM(n) FROM metrics_decision_hour WHERE {where} "
                                                "GROUP BY day", flt)}  # fmt: skip
    rows = tuple((day, got.get(day, 0)) for day in flt.days())
    return Table("throughput_day", "Decisions per day", (Column("day", "date"), Column("decisions", "int")), rows,
                 chart="line")  # fmt: skip


def throughput_by_hour(db: Database, flt: MetricsFilter) -> Table:
    got = {int(h): int(n) for h, n in _rows(db, "SELECT hour, SUM(n) FROM metrics_decision_hour WHERE {where} "
                                                "GROUP BY hour", flt)}  # fmt: skip
    return Table("throughput_hour", "Decisions by hour of day (UTC)",
                 (Column("hour", "int"), Column("decisions", "int")), tuple((h, got.get(h, 0)) for h in range(24)))  # fmt: skip


def handle_time(db: Database, flt: MetricsFilter) -> Table:
    per_action: dict[str, dict[int, int]] = defaultdict(dict)
    overall: dict[int, int] = defaultdict(int)
    table = "metrics_handle" if flt.channel or flt.category else "metrics_handle_all"
    for action, b, n in _rows(db, f"SELECT action, bucket, SUM(n) FROM {table} WHERE {{where}} "
                                  "GROUP BY action, bucket", flt):  # fmt: skip
        per_action[str(action)][int(b)] = int(n)
        overall[int(b)] += int(n)
    rows = [(name, sum(h.values()), percentile(h, 0.5), percentile(h, 0.9))
            for name, h in [("all", dict(overall)), *sorted(per_action.items())]]  # fmt: skip
    return Table("handle_time", "Handle time (seconds)",
                 (Column("action"), Column("decisions", "int"), Column("median_s", "seconds"), Column("p90_s", "seconds")),
                 tuple(rows), series=(2, 3))  # fmt: skip


def _mix(db: Database, flt: MetricsFilter, key: str) -> tuple[tuple[str, int], ...]:
    got = _rows(db, f"SELECT {key}, SUM(n - undone) FROM metrics_decision_day WHERE {{where}} "
                    "AND action NOT IN ('undo', 'note', 'skip') GROUP BY " + key, flt)  # fmt: skip
    pairs = [(str(k), int(n)) for k, n in got if int(n)]
    return tuple(sorted(pairs, key=lambda kn: (-kn[1], kn[0])))


def mix_by_action(db: Database, flt: MetricsFilter) -> Table:
    return Table("mix_action", "Standing decisions by action", (Column("action"), Column("decisions", "int")),
                 _mix(db, flt, "action"))  # fmt: skip


def mix_by_policy(db: Database, flt: MetricsFilter) -> Table:
    return Table("mix_policy", "Standing decisions by policy", (Column("policy"), Column("decisions", "int")),
                 _mix(db, flt, "policy"))  # fmt: skip


def overturns_by_policy(db: Database, flt: MetricsFilter) -> Table:
    got = _rows(db, "SELECT policy, SUM(n), SUM(undo_plain), SUM(undo_over) FROM metrics_decision_day "
                    "WHERE {where} AND is_final = 1 AND is_override = 0 GROUP BY policy ORDER BY policy", flt)  # fmt: skip
    counts = [
        (str(code), int(n), int(undone or 0), int(overridden or 0)) for code, n, undone, overridden in got
    ]
    return overturns_table(with_appeals(db, flt, counts))


def _sla(db: Database, flt: MetricsFilter, key: str, now: datetime) -> list[tuple[Any, ...]]:
    """Met and breached per ``key``; an undecided case is breached once its deadline passed: every one due
    in an hour already over, and those of the current hour counted from the cases (due before ``now``)."""
    today, this_hour = now.date().isoformat(), now.hour
    got = _rows(db, f"SELECT {key}, day, hour, SUM(cases), SUM(decided), SUM(met) FROM metrics_sla "
                    f"WHERE {{where}} GROUP BY {key}, day, hour", flt)  # fmt: skip
    late_now = _undecided_due_this_hour(db, flt, key, now)
    acc: dict[Any, list[int]] = defaultdict(lambda: [0, 0, 0])
    for k, day, hour, cases, decided, met in got:
        cases, decided, met = int(cases), int(decided), int(met)
        slot = (str(day), int(hour))
        if slot < (today, this_hour):
            late = cases - decided
        else:
            late = late_now.get(k, 0) if slot == (today, this_hour) else 0
        a = acc[k]
        a[0], a[1], a[2] = a[0] + cases, a[1] + met, a[2] + (decided - met) + late
    rows = []
    for k in sorted(acc):
        n, met, breached = acc[k]
        if n:
            rows.append((k, n, met, breached, met / (met + breached) if met + breached else None))
    return rows


def _undecided_due_this_hour(db: Database, flt: MetricsFilter, key: str, now: datetime) -> dict[Any, int]:
    if not flt.start <= now.date() <= flt.end:
        return {}
    start = datetime.combine(now.date(), time(now.hour), tzinfo=UTC)
    col = Channel.code if key == "channel" else Case.priority
    q = (select(col, func.count()).select_from(Case).join(Channel, Channel.id == Case.channel_id)
         .where(Case.sla_deadline >= start, Case.sla_deadline < now,
                text("NOT EXISTS (SELECT 1 FROM metrics_case_first m WHERE m.case_id = \"case\".id)")))  # fmt: skip
    if flt.channel:
        q = q.where(Channel.code == flt.channel)
    if flt.category:
        q = q.where(Case.category == flt.category)
    with db.read() as s:
        return {k: int(n) for k, n in s.execute(q.group_by(col))}


def sla_by_channel(db: Database, flt: MetricsFilter, now: datetime | None = None) -> Table:
    rows = tuple((str(r[0]), *r[1:]) for r in _sla(db, flt, "channel", now or utcnow()))
    return Table("sla_channel", "SLA by channel", (Column("channel"), *COLUMNS), rows, series=(2, 3))


def sla_by_priority(db: Database, flt: MetricsFilter, now: datetime | None = None) -> Table:
    rows = tuple((int(r[0]), *r[1:]) for r in _sla(db, flt, "priority", now or utcnow()))
    return Table("sla_priority", "SLA by priority (1 = most urgent)", (Column("priority", "int"), *COLUMNS), rows,
                 series=(2, 3))  # fmt: skip


def flow_by_day(db: Database, flt: MetricsFilter) -> Table:
    got = {str(d): (int(i), int(o)) for d, i, o in _rows(
        db, "SELECT day, SUM(inflow), SUM(outflow) FROM metrics_flow WHERE {where} GROUP BY day", flt)}  # fmt: skip
    days = flt.days()
    return _flow_table(days, {d: got.get(d, (0, 0)) for d in days})


def exposure_by_day(db: Database, flt: MetricsFilter) -> Table:
    plain = MetricsFilter(flt.start, flt.end)  # exposure belongs to reviewers: no channel or category
    got = {str(d): (int(r), float(w) / 1000.0, float(m) / 1000.0) for d, r, w, m in _rows(
        db, "SELECT day, SUM(reveals), SUM(weighted_ms), MAX(weighted_ms) FROM metrics_exposure WHERE {where} "
            "GROUP BY day", plain)}  # fmt: skip
    cap = day_cap_seconds()
    rows = tuple((day, *got.get(day, (0, 0.0, 0.0)), cap) for day in flt.days())
    return Table("exposure", "Exposure per day (weighted seconds)",
                 (Column("day", "date"), Column("reveals", "int"), Column("weighted_s", "seconds"),
                  Column("max_reviewer_s", "seconds"), Column("day_cap_s", "seconds")), rows, chart="line",
                 series=(3, 4))  # fmt: skip


def backlog_age(db: Database, flt: MetricsFilter, now: datetime | None = None) -> Table:
    """As :func:`reviewer.metrics.flow.backlog_age`, over ``case`` itself rather than the view, and joining
    the channel only when a channel is chosen: one pass over the workable cases (0.38 s at 1M; schema 0010
    dropped the (status, created_at) index, which took the queue's page query off ``ix_case_queue``)."""
    from sqlalchemy import case

    from reviewer.metrics.flow import AGE_BUCKETS
    from reviewer.models.entities import WORKABLE_STATUSES

    now = now or utcnow()
    # one pass: cumulative counts newer than each edge, no GROUP BY
    newer = [func.sum(case((Case.created_at > now - edge, 1), else_=0)) for _label, edge in AGE_BUCKETS[1:]]
    q = select(*newer, func.count()).select_from(Case).where(Case.status.in_(WORKABLE_STATUSES))
    if flt.channel:
        q = q.join(Channel, Channel.id == Case.channel_id).where(Channel.code == flt.channel)
    if flt.category:
        q = q.where(Case.category == flt.category)
    with db.read() as s:
        cumulative = [int(v or 0) for v in s.execute(q).one()]
    got = {i: cumulative[i] - (cumulative[i - 1] if i else 0) for i in range(len(AGE_BUCKETS))}
    rows = tuple((label, got.get(i, 0)) for i, (label, _s) in enumerate(AGE_BUCKETS))
    return Table("backlog_age", "Backlog by age", (Column("age"), Column("cases", "int")), rows)
