"""Inflow (cases created) against outflow (cases first decided) per day, and the age of today's backlog.

The backlog is every case still workable (open, escalated, skipped) *now*, by age since it was created;
the date range does not apply to it, the channel and category do.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, func, literal, select

from reviewer.clock import utcnow
from reviewer.metrics.filters import MetricsFilter, view
from reviewer.metrics.table import Column, Table
from reviewer.models.entities import WORKABLE_STATUSES
from reviewer.storage.database import Database

FLOW = view("v_flow", "day", "inflow", "outflow")
CASES = view("v_cases", "case_id", "channel", "category", "status", times=("created_at",))
#: Backlog age buckets: label and the age they start at.
AGE_BUCKETS = (
    ("< 1 h", timedelta(0)),
    ("1-4 h", timedelta(hours=1)),
    ("4-24 h", timedelta(hours=4)),
    ("1-3 d", timedelta(days=1)),
    ("> 3 d", timedelta(days=3)),
)


def flow_by_day(db: Database, flt: MetricsFilter) -> Table:
    """Per day; with a channel or category the flow is counted from ``v_cases`` instead of ``v_flow``."""
    days = flt.days()
    if flt.channel or flt.category:
        return _filtered_flow(db, flt)
    q = select(FLOW.c.day, FLOW.c.inflow, FLOW.c.outflow).where(FLOW.c.day.between(days[0], days[-1]))
    with db.read() as s:
        got = {str(day): (int(i), int(o)) for day, i, o in s.execute(q)}
    return _flow_table(days, got)


def _filtered_flow(db: Database, flt: MetricsFilter) -> Table:
    c = view("v_cases", "day", "channel", "category", times=("created_at", "first_decided_at"))
    conds = [c.c.channel == flt.channel] if flt.channel else []
    if flt.category:
        conds.append(c.c.category == flt.category)
    inflow = select(c.c.day, func.count()).where(
        *conds, c.c.created_at >= flt.since, c.c.created_at < flt.until
    ).group_by(c.c.day)
    with db.read() as s:
        ins = {str(d): int(n) for d, n in s.execute(inflow)}
        decided = select(c.c.first_decided_at).where(
            *conds, c.c.first_decided_at >= flt.since, c.c.first_decided_at < flt.until
        )
        outs: dict[str, int] = {}
        for day in flt.days():  # one count per day: dialect-neutral and bounded by the range
            start = datetime.fromisoformat(day).replace(tzinfo=flt.since.tzinfo)
            sub = decided.where(c.c.first_decided_at >= start, c.c.first_decided_at < start + timedelta(days=1))
            outs[day] = int(s.execute(select(func.count()).select_from(sub.subquery())).scalar_one())
    days = flt.days()
    return _flow_table(days, {d: (ins.get(d, 0), outs.get(d, 0)) for d in days})


def _flow_table(days: list[str], got: dict[str, tuple[int, int]]) -> Table:
    rows = tuple((day, *got.get(day, (0, 0))) for day in days)
    return Table(
        "flow", "Inflow and outflow per day",
        (Column("day", "date"), Column("inflow", "int"), Column("outflow", "int")), rows,
        chart="line", series=(1, 2),
    )  # fmt: skip


def backlog_age(db: Database, flt: MetricsFilter, now: datetime | None = None) -> Table:
    now = now or utcnow()
    v = CASES
    # newest first: created after now-1h → bucket 0, after now-4h → 1, …
    bucket = case(
        *[(v.c.created_at > now - AGE_BUCKETS[i + 1][1], literal(i)) for i in range(len(AGE_BUCKETS) - 1)],
        else_=literal(len(AGE_BUCKETS) - 1),
    )
    q = select(bucket.label("b"), func.count()).where(v.c.status.in_(WORKABLE_STATUSES))
    if flt.channel:
        q = q.where(v.c.channel == flt.channel)
    if flt.category:
        q = q.where(v.c.category == flt.category)
    with db.read() as s:
        got = {int(b): int(n) for b, n in s.execute(q.group_by(bucket))}
    rows = tuple((label, got.get(i, 0)) for i, (label, _s) in enumerate(AGE_BUCKETS))
    return Table("backlog_age", "Backlog by age", (Column("age"), Column("cases", "int")), rows)
