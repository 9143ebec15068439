"""What a response is composed from: the case, its requester (opened from the vault), its standing
decision and the cited policy section; and the template's subject and body filled from them.

Read on the db-read worker (``compose_context``); filling is pure (``fill``).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewer.actions import UNDO
from reviewer.models import Case, Decision, Reviewer
from reviewer.policy import PolicyPack
from reviewer.responses.templates import FORMATTER, ChannelTemplates, ResponseTemplate, shipped_templates
from reviewer.storage.database import Database
from reviewer.vault.errors import KeyUnavailable
from reviewer.vault.state import LOCKED, vault_in

#: Decision actions a response can answer (a note or a skip is not an outcome).
OUTCOME_ACTIONS = ("keep", "remove", "restrict", "escalate", "warn", "strike", "suspend")


@dataclass(frozen=True)
class Requester:
    name: str
    organisation: str = ""
    contact: str = ""
    reference: str = ""

    @classmethod
    def from_json(cls, text: str | None) -> Requester | None:
        """The stored (opened) JSON text as a Requester; None for none, or for text that is not one."""
        if not text:
            return None
        try:
            raw = json.loads(text)
        except ValueError:
            return None
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            return None
        return cls(*(str(raw.get(k) or "") for k in ("name", "organisation", "contact", "reference")))


@dataclass(frozen=True)
class StandingDecision:
    id: uuid.UUID
    action: str
    policy_code: str | None
    policy_version: str | None
    created_at: datetime
    reviewer: str


@dataclass(frozen=True)
class ComposeContext:
    case_id: uuid.UUID
    external_id: str
    channel: str
    status: str
    requester: Requester | None
    requester_locked: bool  # the requester is sealed and its key is not available here
    response_due_at: datetime | None
    decision: StandingDecision | None


def open_requester(session: Session, case_id: uuid.UUID, stored: str | None) -> tuple[Requester | None, bool]:
    """The case's requester opened from the vault, and whether it could not be (key unavailable)."""
    if stored is None:
        return None, False
    try:
        vault = vault_in(session)
    except KeyUnavailable:
        return None, True
    text = stored if vault is None else vault.open_text(stored, "case", "requester", case_id.hex)
    if text == LOCKED:
        return None, True
    return Requester.from_json(text), False


def standing_decision(session: Session, case_id: uuid.UUID) -> StandingDecision | None:
    """The newest decision on the case that is an outcome and was not undone."""
    rows = session.execute(
        select(Decision, Reviewer.handle)
        .join(Reviewer, Reviewer.id == Decision.reviewer_id)
        .where(Decision.case_id == case_id)
        .order_by(Decision.created_at, Decision.id)
    ).all()
    undone = {d.reverses_id for d, _ in rows if d.action == UNDO}
    for d, handle in reversed(rows):
        if d.action in OUTCOME_ACTIONS and d.id not in undone:
            return StandingDecision(d.id, d.action, d.policy_code, d.policy_version, d.created_at, handle)
    return None


def context_in(session: Session, case_id: uuid.UUID) -> ComposeContext | None:
    case = session.get(Case, case_id)
    if case is None:
        return None
    requester, locked = open_requester(session, case_id, case.requester)
    return ComposeContext(
        case_id=case.id,
        external_id=case.external_id,
        channel=case.channel.code,
        status=case.status,
        requester=requester,
        requester_locked=locked,
        response_due_at=case.response_due_at,
        decision=standing_decision(session, case_id),
    )


def compose_context(db: Database, case_id: uuid.UUID) -> ComposeContext | None:
    """Everything a response to the case is composed from; None if there is no such case."""
    with db.read() as session:
        return context_in(session, case_id)


def templates_for(
    channel: str, templates: dict[str, ChannelTemplates] | None = None
) -> ChannelTemplates | None:
    """The channel's templates, or None: the channel expects no response."""
    return (templates if templates is not None else shipped_templates()).get(channel)


def placeholder_values(ctx: ComposeContext, pack: PolicyPack | None, reviewer: str) -> dict[str, str]:
    """The placeholders' values for this case (plain text). What the case does not know is filled with a
    bracketed marker (``[requester name]``) the reviewer sees and replaces before finalising."""
    d = ctx.decision
    title = ""
    if d is not None and d.policy_code and pack is not None and pack.has_section(d.policy_code):
        title = pack.section(d.policy_code).title
    r = ctx.requester
    values = {
        "case_id": ctx.external_id,
        "decision": d.action if d else "",
        "policy_code": (d.policy_code or "") if d else "",
        "policy_title": title,
        "policy_version": (d.policy_version or "") if d else "",
        "requester_name": r.name if r else "",
        "requester_organisation": r.organisation if r else "",
        "reference": r.reference if r else "",
        "decided_at": d.created_at.strftime("%Y-%m-%d %H:%M UTC") if d else "",
        "reviewer": reviewer,
    }
    return {key: value or f"[{key.replace('_', ' ')}]" for key, value in values.items()}


def fill(template: ResponseTemplate, values: dict[str, str]) -> tuple[str, str]:
    """The template's subject and body with ``values`` inserted once, as plain text."""
    return FORMATTER.fill(template.subject, values), FORMATTER.fill(template.body, values)
