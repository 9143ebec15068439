"""Who holds an escalation and why: read from the decisions, never stored apart.

An escalated case's story is its newest standing escalation (not undone, not a decision the team server
kept without applying): who escalated it, when, from which tier, and the hand-off note; the case row adds
where it is now (its tier, status, and the session holding its lease). The tier's SLA runs from the
escalation (``PolicyPack.tier(level).sla_hours``) and, like the review SLA, stops once the case is decided.

This module is part of the core package and must not import Qt.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from reviewer.actions import UNDO
from reviewer.clock import utcnow
from reviewer.decisions import KEPT_NOT_APPLIED
from reviewer.display import visible
from reviewer.duplicates import chunks
from reviewer.durations import SLA_CLOSED_STATUSES, DurationStyle, format_duration
from reviewer.models import Case, Decision, Reviewer, ReviewSession
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from reviewer.tiers import ESCALATE

#: Statuses of an escalated case still waiting at its tier (escalated, or skipped there): its SLA runs.
WAITING_STATUSES = ("escalated", "skipped")


@dataclass(frozen=True)
class Escalation:
    """A case's standing escalation as of ``read_at``: where it is, who sent it there and why, who holds
    it now, and its tier SLA."""

    case_id: uuid.UUID
    external_id: str
    decision_id: uuid.UUID
    tier: int  # the case's tier now
    tier_name: str
    from_tier: int
    escalated_at: datetime
    escalated_by: str
    note: str  # the hand-off note (an override's reason when a lead escalated)
    case_status: str
    holder: str | None  # the reviewer whose session holds the lease, if any (expired or not)
    lease_expires_at: datetime | None
    sla_deadline: datetime  # escalated_at + the tier's sla_hours
    read_at: datetime

    @property
    def open(self) -> bool:
        """Still waiting at its tier: not decided (the tier SLA stops like the review SLA)."""
        return self.case_status not in SLA_CLOSED_STATUSES

    @property
    def held(self) -> bool:
        """Someone's session holds the case's lease, unexpired."""
        return (
            self.holder is not None
            and self.lease_expires_at is not None
            and self.lease_expires_at > self.read_at
        )

    @property
    def sla_left(self) -> timedelta:
        """Time left to the tier SLA deadline (negative once overdue)."""
        return self.sla_deadline - self.read_at

    @property
    def overdue(self) -> bool:
        """Open and past its tier SLA deadline."""
        return self.open and self.sla_deadline <= self.read_at

    def as_of(self, now: datetime) -> Escalation:
        """The same escalation read at ``now`` (for a countdown that ticks without a new read)."""
        return replace(self, read_at=now)


def _one_line(text: str) -> str:
    return visible(" ".join(text.split()))


def escalation_line(esc: Escalation) -> str:
    """The escalation in one line, every imported or written value made visible:
    ``Tier 2 — senior review · escalated by alice 2 h 05 min ago: «note» · held by bob until 14:05 UTC ·
    tier SLA 3 h 10 min left``."""
    ago = format_duration(
        max(0.0, (esc.read_at - esc.escalated_at).total_seconds()), DurationStyle.WORDS_MINUTES
    )
    parts = [
        _one_line(esc.tier_name),
        f"escalated by {_one_line(esc.escalated_by)} {ago} ago: «{_one_line(esc.note)}»",
    ]
    if esc.held:
        assert esc.holder is not None and esc.lease_expires_at is not None
        parts.append(f"held by {_one_line(esc.holder)} until {esc.lease_expires_at:%H:%M} UTC")
    elif esc.open:
        parts.append("not held")
    parts.append(sla_part(esc))
    return " · ".join(parts)


def sla_part(esc: Escalation) -> str:
    """``tier SLA 3 h 10 min left``, ``tier SLA overdue by 25 min``, or what stopped it."""
    if not esc.open:
        return f"tier SLA stopped ({esc.case_status})"
    left = esc.sla_left.total_seconds()
    if left > 0:
        return f"tier SLA {format_duration(left, DurationStyle.WORDS_MINUTES)} left"
    return f"tier SLA overdue by {format_duration(-left, DurationStyle.WORDS_MINUTES)}"


_holder_reviewer = aliased(Reviewer)
_CASE_ROWS = (
    select(
        Case.id,
        Case.external_id,
        Case.status,
        Case.tier,
        Case.claim_expires_at,
        _holder_reviewer.handle,
    )
    .outerjoin(ReviewSession, ReviewSession.id == Case.claimed_by)
    .outerjoin(_holder_reviewer, _holder_reviewer.id == ReviewSession.reviewer_id)
)
_DECISION_ROWS = (
    select(
        Decision.id,
        Decision.case_id,
        Decision.action,
        Decision.reverses_id,
        Decision.tier,
        Decision.rationale,
        Decision.note,
        Decision.created_at,
        Reviewer.handle,
    )
    .join(Reviewer, Reviewer.id == Decision.reviewer_id)
    .where(Decision.id.not_in(KEPT_NOT_APPLIED))
    .order_by(Decision.case_id, Decision.created_at)
)


def escalations_in(
    session: Session, case_ids: Iterable[uuid.UUID], pack: PolicyPack, now: datetime | None = None
) -> dict[uuid.UUID, Escalation]:
    """The standing escalation of each of ``case_ids`` that has one (a few ``IN`` reads per 500 cases)."""
    now = now or utcnow()
    found: dict[uuid.UUID, Escalation] = {}
    for ids in chunks(list(dict.fromkeys(case_ids))):
        rows = session.execute(_DECISION_ROWS.where(Decision.case_id.in_(ids))).all()
        latest = _latest_escalations(rows)
        if not latest:
            continue
        for case_id, external_id, status, tier, expires, holder in session.execute(
            _CASE_ROWS.where(Case.id.in_(list(latest)))
        ):
            d = latest[case_id]
            level = pack.tier(tier)
            found[case_id] = Escalation(
                case_id=case_id,
                external_id=external_id,
                decision_id=d.id,
                tier=tier,
                tier_name=level.name,
                from_tier=d.tier,
                escalated_at=d.created_at,
                escalated_by=d.handle,
                note=d.rationale or d.note or "",
                case_status=status,
                holder=holder,
                lease_expires_at=expires if holder is not None else None,
                sla_deadline=d.created_at + timedelta(hours=level.sla_hours),
                read_at=now,
            )
    return found


def _latest_escalations(rows: Sequence[Any]) -> dict[uuid.UUID, Any]:
    """Per case, its newest escalation that was not undone (rows in case, time order)."""
    undone = {r.reverses_id for r in rows if r.action == UNDO}
    latest: dict[uuid.UUID, Any] = {}
    for r in rows:
        if r.action == ESCALATE and r.id not in undone:
            latest[r.case_id] = r
    return latest


def escalation_of(
    db: Database | Session, case_id: uuid.UUID, pack: PolicyPack, now: datetime | None = None
) -> Escalation | None:
    """The case's standing escalation, or None if it was never escalated (or every escalation was undone)."""
    if isinstance(db, Session):
        return escalations_in(db, [case_id], pack, now).get(case_id)
    with db.read() as session:
        return escalations_in(session, [case_id], pack, now).get(case_id)


def open_escalations(
    db: Database,
    pack: PolicyPack,
    *,
    tier: int | None = None,
    overdue_only: bool = False,
    now: datetime | None = None,
) -> list[Escalation]:
    """Escalations still waiting at their tier (:data:`WAITING_STATUSES` above tier 1), optionally of one
    tier or only the overdue ones; most urgent first (earliest tier SLA deadline)."""
    now = now or utcnow()
    stmt = select(Case.id).where(Case.status.in_(WAITING_STATUSES), Case.tier > 1)
    if tier is not None:
        stmt = stmt.where(Case.tier == tier)
    with db.read() as session:
        ids = list(session.scalars(stmt))
        found = escalations_in(session, ids, pack, now)
    rows = [e for e in found.values() if e.open and (e.overdue or not overdue_only)]
    return sorted(rows, key=lambda e: (e.sla_deadline, e.external_id))
