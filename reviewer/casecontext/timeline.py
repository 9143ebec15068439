"""An account's timeline: every case about the account (any channel) and every decision on them.

Newest first. Cases are read through ``ix_case_account`` (at most :data:`TIMELINE_CASES`, the newest),
their decisions through ``ix_decision_case``. Decision notes (the reviewer's rationale) are shown as
stored; nothing here is sealed except the report texts, which the timeline does not show.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from reviewer.casefile import decision_text
from reviewer.models import Case, Channel, Decision, Reviewer
from reviewer.storage.database import Database

#: The newest cases of an account the timeline reads (and their decisions).
TIMELINE_CASES = 200


@dataclass(frozen=True)
class TimelineEntry:
    """One row of the timeline: a case reported (``action`` None) or a decision on it."""

    at: datetime
    case_id: uuid.UUID
    external_id: str
    channel: str
    category: str
    action: str | None = None
    policy_code: str | None = None
    reviewer: str = ""
    note: str = ""

    @property
    def is_decision(self) -> bool:
        return self.action is not None


def account_timeline(db: Database, case_id: uuid.UUID, limit: int = TIMELINE_CASES) -> list[TimelineEntry]:
    """The timeline of the account ``case_id`` is about (empty when the case has no account)."""
    with db.read() as s:
        account_id = s.execute(select(Case.account_id).where(Case.id == case_id)).scalar_one_or_none()
        if account_id is None:
            return []
        cases = s.execute(
            select(Case.id, Case.external_id, Channel.code, Case.category, Case.created_at)
            .join(Channel, Channel.id == Case.channel_id)
            .where(Case.account_id == account_id)
            .order_by(Case.created_at.desc(), Case.id)
            .limit(limit)
        ).all()
        by_id = {c.id: c for c in cases}
        entries = [TimelineEntry(c.created_at, c.id, c.external_id, c.code, c.category) for c in cases]
        decisions = s.execute(
            select(Decision.case_id, Decision.created_at, Decision.action, Decision.policy_code,
                   Decision.note, Decision.rationale, Reviewer.handle)
            .join(Reviewer, Reviewer.id == Decision.reviewer_id)
            .where(Decision.case_id.in_(list(by_id)))
        ).all()  # fmt: skip
        for d in decisions:
            c = by_id[d.case_id]
            entries.append(
                TimelineEntry(
                    d.created_at,
                    c.id,
                    c.external_id,
                    c.code,
                    c.category,
                    d.action,
                    d.policy_code,
                    d.handle,
                    decision_text(d.rationale, d.note),
                )  # fmt: skip
            )
    # Newest first; at the same instant a decision comes before the report it decides.
    return sorted(entries, key=lambda e: (e.at, e.is_decision), reverse=True)
