"""An investigation's timeline: one list, oldest first, across every channel.

It merges every case about the investigation's accounts (any channel) and its member cases (an item
member brings its case), every decision on those cases (an undo is shown as an undo of what it reversed;
an escalation is its own kind), and the investigation's notes. Like the account timeline of the case
panel (``reviewer.casecontext.timeline``) it reads a bounded number of the newest cases through indexed
queries (``ix_case_account``, ``ix_decision_case``), one query per kind of row, never one per case.

Imported text in an entry (external ids, channel codes, account handles) is hostile: show it through
``reviewer.display.visible``. Report texts are sealed and never appear here; decision texts are the
reviewer's rationale and notes, stored plain.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from reviewer.actions import UNDO
from reviewer.casefile import decision_text
from reviewer.decisions import KEPT_NOT_APPLIED
from reviewer.investigations.views import InvestigationNotFound
from reviewer.models import (
    Account,
    Case,
    Channel,
    Decision,
    Investigation,
    InvestigationMember,
    InvestigationNote,
    Item,
    Reviewer,
)
from reviewer.storage.database import Database

#: The most entries a timeline holds (the newest, shown oldest first).
TIMELINE_LIMIT = 2000
#: The newest cases it reads (their decisions come with them).
TIMELINE_CASES = 1000
#: Ids per ``IN (…)`` list (SQLite's bound-parameter limit is far above; PostgreSQL has none that matters).
_CHUNK = 500

KINDS = ("case", "decision", "escalation", "note", "response")


@dataclass(frozen=True)
class InvestigationEvent:
    """One row: a case reported, a decision (or undo, or escalation) on it, a note, a response."""

    at: datetime
    kind: str  # one of KINDS
    case_id: uuid.UUID | None
    external_id: str
    channel: str
    account: str  # platform:handle, "" when the case has no account
    actor: str  # reviewer handle ("" for a case: the reporter is not shown here)
    action: str  # the decision's action ("undo" for an undo), "" otherwise
    policy_code: str
    policy_version: str
    text: str  # decision text, note body, the undone action, the case's category


def _chunks(ids: Sequence[uuid.UUID]) -> list[list[uuid.UUID]]:
    return [list(ids[i : i + _CHUNK]) for i in range(0, len(ids), _CHUNK)]


def _case_rows(s: Session, inv_id: uuid.UUID, limit: int) -> list[Any]:
    live = InvestigationMember.removed_at.is_(None)
    mine = InvestigationMember.investigation_id == inv_id
    accounts = select(InvestigationMember.account_id).where(
        mine, live, InvestigationMember.account_id.is_not(None)
    )
    cases = select(InvestigationMember.case_id).where(mine, live, InvestigationMember.case_id.is_not(None))
    item_cases = (
        select(Item.case_id)
        .join(InvestigationMember, InvestigationMember.item_id == Item.id)
        .where(mine, live)
    )
    return list(
        s.execute(
            select(
                Case.id,
                Case.external_id,
                Case.category,
                Case.created_at,
                Channel.code,
                Account.platform,
                Account.handle,
            )
            .join(Channel, Channel.id == Case.channel_id)
            .outerjoin(Account, Account.id == Case.account_id)
            .where(or_(Case.account_id.in_(accounts), Case.id.in_(cases), Case.id.in_(item_cases)))
            .order_by(Case.created_at.desc(), Case.id)
            .limit(limit)
        ).all()
    )


def investigation_timeline(
    db: Database, inv_id: uuid.UUID, limit: int = TIMELINE_LIMIT
) -> list[InvestigationEvent]:
    """The timeline of investigation ``inv_id``, oldest first, at most ``limit`` (the newest) entries."""
    entries: list[InvestigationEvent] = []
    with db.read() as s:
        if s.get(Investigation, inv_id) is None:
            raise InvestigationNotFound("no such investigation")
        cases = _case_rows(s, inv_id, min(limit, TIMELINE_CASES))
        by_id = {}
        for c in cases:
            account = f"{c.platform}:{c.handle}" if c.handle is not None else ""
            by_id[c.id] = (c.external_id, c.code, account)
            entries.append(
                InvestigationEvent(
                    at=c.created_at,
                    kind="case",
                    case_id=c.id,
                    external_id=c.external_id,
                    channel=c.code,
                    account=account,
                    actor="",
                    action="",
                    policy_code="",
                    policy_version="",
                    text=c.category,
                )
            )
        decisions: list[Any] = []
        for chunk in _chunks(list(by_id)):
            decisions += s.execute(
                select(
                    Decision.id,
                    Decision.case_id,
                    Decision.created_at,
                    Decision.action,
                    Decision.policy_code,
                    Decision.policy_version,
                    Decision.note,
                    Decision.rationale,
                    Decision.reverses_id,
                    Decision.to_tier,
                    Reviewer.handle,
                )
                .join(Reviewer, Reviewer.id == Decision.reviewer_id)
                .where(Decision.case_id.in_(chunk), Decision.id.not_in(KEPT_NOT_APPLIED))
            ).all()
        actions = {d.id: d.action for d in decisions}
        for d in decisions:
            ext, channel, account = by_id[d.case_id]
            text = decision_text(d.rationale, d.note)
            if d.action == UNDO:
                undone = actions.get(d.reverses_id, "a decision")
                text = f"undoes {undone}" + (f" — {text}" if text else "")
            elif d.action == "escalate" and d.to_tier is not None:
                text = f"to tier {d.to_tier}" + (f" — {text}" if text else "")
            entries.append(
                InvestigationEvent(
                    d.created_at,
                    "escalation" if d.action == "escalate" else "decision",
                    d.case_id,
                    ext,
                    channel,
                    account,
                    d.handle,
                    d.action,
                    d.policy_code or "",
                    d.policy_version or "",
                    text,
                )
            )
        notes = s.execute(
            select(InvestigationNote, Reviewer.handle, Case.external_id)
            .join(Reviewer, Reviewer.id == InvestigationNote.author_id)
            .outerjoin(Case, Case.id == InvestigationNote.case_id)
            .where(InvestigationNote.investigation_id == inv_id)
        ).all()
        for n, handle, ext in notes:
            _, channel, account = by_id.get(n.case_id, ("", "", "")) if n.case_id else ("", "", "")
            entries.append(
                InvestigationEvent(
                    n.created_at, "note", n.case_id, ext or "", channel, account, handle, "", "", "", n.body
                )
            )
    # Oldest first; at one instant a case comes before its decisions, decisions before notes.
    order = {kind: i for i, kind in enumerate(KINDS)}
    entries.sort(key=lambda e: (e.at, order[e.kind], e.external_id))
    return entries[-limit:]
