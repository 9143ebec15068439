"""Appeals in the overturn figures: per policy, the final decisions (in the range) an appeal overturned,
and the follow-up decisions (appeal outcomes, a lead's confirming QA adjudication) that are not decisions
of their own to count. Both overturn families (direct SQL and rollups) apply :func:`with_appeals`.

An appeal's overturn undoes the original with a plain undo (not a lead's override), which the rollups
count as "undone"; here it moves to the "appealed" column.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, func, or_, select

from reviewer.metrics.filters import MetricsFilter
from reviewer.models import Appeal, Case, Channel, Decision, QaReview, table_of
from reviewer.storage.database import Database

_a, _d, _c, _ch, _qa = (
    table_of(Appeal),
    table_of(Decision),
    table_of(Case),
    table_of(Channel),
    table_of(QaReview),
)
FINAL = ("keep", "remove", "restrict", "warn", "strike", "suspend")


def _per_policy(db: Database, flt: MetricsFilter, *where: Any) -> dict[str, int]:
    policy = func.coalesce(_d.c.policy_code, "(none)")
    q = (
        select(policy, func.count())
        .select_from(_d.join(_c, _c.c.id == _d.c.case_id).join(_ch, _ch.c.id == _c.c.channel_id))
        .where(_d.c.created_at >= flt.since, _d.c.created_at < flt.until, *where)
        .group_by(policy)
    )
    if flt.channel:
        q = q.where(_ch.c.code == flt.channel)
    if flt.category:
        q = q.where(_c.c.category == flt.category)
    with db.read() as s:
        return {str(p): int(n) for p, n in s.execute(q)}


def appeal_counts(db: Database, flt: MetricsFilter) -> tuple[dict[str, int], dict[str, int]]:
    """(overturned by appeal, follow-up decisions) per policy."""
    overturned = select(_a.c.original_decision_id).where(_a.c.status == "overturned")
    followups = or_(
        _d.c.id.in_(select(_a.c.outcome_decision_id).where(_a.c.outcome_decision_id.is_not(None))),
        _d.c.id.in_(
            select(_qa.c.adjudication_decision_id).where(_qa.c.adjudication_decision_id.is_not(None))
        ),
    )
    not_override = ~func.coalesce(_d.c.note, "").like("lead override:%")
    return (
        _per_policy(db, flt, _d.c.id.in_(overturned), _d.c.action.in_(FINAL)),
        _per_policy(db, flt, and_(followups, not_override), _d.c.action.in_(FINAL)),
    )


def with_appeals(
    db: Database, flt: MetricsFilter, rows: Iterable[tuple[str, int, int, int]]
) -> list[tuple[str, int, int, int, int, float]]:
    """(policy, decisions, undone, overridden) → (policy, decisions, undone, overridden, appealed, rate)."""
    appealed, followups = appeal_counts(db, flt)
    out = []
    for code, n, undone, overridden in rows:
        n -= followups.get(code, 0)
        by_appeal = appealed.get(code, 0)
        undone -= by_appeal
        if n > 0:
            out.append((code, n, undone, overridden, by_appeal, (undone + overridden + by_appeal) / n))
    return out
