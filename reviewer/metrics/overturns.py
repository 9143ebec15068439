"""Overturn rate per policy: of the final decisions made in the range (a lead's new decision excluded),
how many were undone by their reviewer, how many replaced by a lead's override, and how many overturned
on appeal (``reviewer.metrics.appeal_figures``: the appeals' follow-up decisions are not counted as
decisions of their own).
"""

from __future__ import annotations

from sqlalchemy import and_, case, func, select

from reviewer.metrics.appeal_figures import with_appeals
from reviewer.metrics.filters import MetricsFilter, view, within
from reviewer.metrics.table import Column, Table
from reviewer.metrics.volume import DECISIONS
from reviewer.storage.database import Database

UNDOS = view("v_decisions", "reverses_id", "is_override", "action")


def overturns_by_policy(db: Database, flt: MetricsFilter) -> Table:
    d, u = DECISIONS, UNDOS.alias("u")
    policy = func.coalesce(d.c.policy_code, "(none)")
    q = within(
        select(
            policy,
            func.count(),
            func.sum(case((and_(u.c.reverses_id.is_not(None), u.c.is_override == 0), 1), else_=0)),
            func.sum(case((u.c.is_override == 1, 1), else_=0)),
        ).select_from(d.outerjoin(u, and_(u.c.reverses_id == d.c.decision_id, u.c.action == "undo"))),
        d,
        flt,
        "created_at",
    )
    q = q.where(d.c.is_final == 1, d.c.is_override == 0).group_by(policy).order_by(policy)
    with db.read() as s:
        counts = [
            (str(code), int(n), int(undone or 0), int(over or 0)) for code, n, undone, over in s.execute(q)
        ]
    return overturns_table(with_appeals(db, flt, counts))


def overturns_table(rows: list[tuple[str, int, int, int, int, float]]) -> Table:
    return Table(
        "overturns",
        "Overturns by policy",
        (Column("policy"), Column("decisions", "int"), Column("undone", "int"), Column("overridden", "int"),
         Column("appealed", "int"), Column("overturn_rate", "percent")),
        tuple(rows),
        series=(2, 3, 4),
    )  # fmt: skip
