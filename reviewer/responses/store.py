"""Drafts and final responses: each write is one transaction that checks its rule where the row is
written and appends its audit event (a snapshot of every row it changed) in the same transaction.

The rules:

- a response belongs to a case of a channel that expects one (a templates file) and names one of that
  channel's templates;
- a draft is edited and finalised only by its author, or by a lead;
- finalising needs the case in one of the template's ``needs`` statuses (decided, or escalated for an
  "under further review" template) and records the standing decision it answers;
- a case has at most one final response: a second one must name the final response it **supersedes**,
  which becomes ``superseded`` in the same transaction (nothing is deleted or overwritten).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewer.audit.chain import append_event
from reviewer.audit.checkpoints import note_appended
from reviewer.audit.snapshots import snapshot
from reviewer.decisions import as_utc
from reviewer.models import Case, Response, Reviewer
from reviewer.responses.compose import standing_decision, templates_for
from reviewer.responses.templates import ChannelTemplates, ResponseTemplate
from reviewer.storage.database import Database

MAX_SUBJECT = 500
MAX_BODY = 20_000


class ResponseError(ValueError):
    """A response write refused by its rule (one line, safe to show); nothing was written."""


@dataclass(frozen=True)
class ResponseRecord:
    id: uuid.UUID
    case_id: uuid.UUID
    reviewer_id: uuid.UUID
    decision_id: uuid.UUID | None
    template_id: str
    channel: str
    subject: str
    body: str
    status: str
    supersedes_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    finalised_at: datetime | None
    exported_at: datetime | None

    @classmethod
    def of(cls, row: Response) -> ResponseRecord:
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


def row_values(row: Response) -> dict[str, Any]:
    return {c.name: getattr(row, c.name) for c in Response.__table__.columns}


def _template(
    case: Case, template_id: str, templates: dict[str, ChannelTemplates] | None
) -> ResponseTemplate:
    channel = case.channel.code
    found = templates_for(channel, templates)
    if found is None:
        raise ResponseError(f"case {case.external_id}: the {channel} channel expects no response")
    template = found.get(template_id)
    if template is None:
        raise ResponseError(f"no response template {template_id!r} for the {channel} channel")
    return template


def _check_text(subject: str, body: str) -> None:
    if not subject.strip():
        raise ResponseError("a response needs a subject")
    if len(subject) > MAX_SUBJECT or len(body) > MAX_BODY:
        raise ResponseError(
            f"a response's subject is at most {MAX_SUBJECT} and its body {MAX_BODY} characters"
        )


def _may_edit(session: Session, row: Response, reviewer_id: uuid.UUID) -> None:
    if row.reviewer_id == reviewer_id:
        return
    role = session.execute(select(Reviewer.role).where(Reviewer.id == reviewer_id)).scalar()
    if role != "lead":
        raise ResponseError("only its author or a lead may change this response")


def _audit(session: Session, actor: str, kind: str, rows: list[Response], now: datetime) -> None:
    append_event(
        session,
        actor=actor,
        kind=kind,
        subject=str(rows[0].id),
        rows={"response": [snapshot("response", row_values(r)) for r in rows]},
        now=now,
    )


def _actor(session: Session, reviewer_id: uuid.UUID) -> str:
    handle = session.execute(select(Reviewer.handle).where(Reviewer.id == reviewer_id)).scalar()
    if handle is None:
        raise ResponseError("unknown reviewer")
    return str(handle)


def save_draft(
    db: Database,
    *,
    case_id: uuid.UUID,
    reviewer_id: uuid.UUID,
    template_id: str,
    subject: str,
    body: str,
    response_id: uuid.UUID | None = None,
    templates: dict[str, ChannelTemplates] | None = None,
    now: datetime | None = None,
) -> ResponseRecord:
    """A new draft for the case, or (``response_id``) the same draft with this template, subject and body."""
    now = as_utc(now)
    _check_text(subject, body)
    with db.write() as session:
        actor = _actor(session, reviewer_id)
        case = session.get(Case, case_id)
        if case is None:
            raise ResponseError("no such case")
        _template(case, template_id, templates)
        if response_id is None:
            row = Response(
                id=uuid.uuid4(),
                case_id=case_id,
                reviewer_id=reviewer_id,
                decision_id=None,
                template_id=template_id,
                channel=case.channel.code,
                subject=subject,
                body=body,
                status="draft",
                supersedes_id=None,
                created_at=now,
                updated_at=now,
                finalised_at=None,
                exported_at=None,
            )
            session.add(row)
        else:
            found = session.get(Response, response_id)
            if found is None or found.case_id != case_id:
                raise ResponseError("no such response on this case")
            if found.status != "draft":
                raise ResponseError(f"this response is {found.status}: it can no longer be edited")
            _may_edit(session, found, reviewer_id)
            row = found
            row.template_id, row.subject, row.body, row.updated_at = template_id, subject, body, now
        session.flush()
        _audit(session, actor, "response.draft", [row], now)
        record = ResponseRecord.of(row)
    note_appended(db)
    return record


def finalise(
    db: Database,
    response_id: uuid.UUID,
    *,
    reviewer_id: uuid.UUID,
    supersedes: uuid.UUID | None = None,
    templates: dict[str, ChannelTemplates] | None = None,
    now: datetime | None = None,
) -> ResponseRecord:
    """Make a draft the case's final response (see the module's rules); ResponseError when refused."""
    now = as_utc(now)
    with db.write() as session:
        actor = _actor(session, reviewer_id)
        row = session.get(Response, response_id)
        if row is None:
            raise ResponseError("no such response")
        if row.status != "draft":
            raise ResponseError(f"this response is already {row.status}")
        _may_edit(session, row, reviewer_id)
        _check_text(row.subject, row.body)
        # Locked (PostgreSQL; SQLite's write transaction is exclusive already): two finalisations of one
        # case take turns, so the second sees the first's final response.
        case = session.get(Case, row.case_id, with_for_update=True)
        assert case is not None  # a foreign key
        template = _template(case, row.template_id, templates)
        if case.status not in template.needs:
            raise ResponseError(
                f"case {case.external_id} is {case.status}: the template {template.id!r} needs it "
                + " or ".join(template.needs)
            )
        standing = session.execute(
            select(Response).where(Response.case_id == row.case_id, Response.status == "final")
        ).scalar_one_or_none()
        changed = [row]
        if standing is not None:
            if supersedes != standing.id:
                raise ResponseError(
                    f"case {case.external_id} already has a final response ({str(standing.id)[:8]}); "
                    "a new one must say it supersedes it"
                )
            standing.status = "superseded"
            standing.updated_at = now
            changed.append(standing)
        elif supersedes is not None:
            raise ResponseError("there is no final response on this case to supersede")
        decision = standing_decision(session, row.case_id)
        row.decision_id = decision.id if decision else None
        row.status, row.finalised_at, row.updated_at = "final", now, now
        row.supersedes_id = supersedes
        session.flush()
        _audit(session, actor, "response.finalise", changed, now)
        record = ResponseRecord.of(row)
    note_appended(db)
    return record


def responses_of(db: Database, case_id: uuid.UUID) -> list[ResponseRecord]:
    """The case's responses, oldest first."""
    with db.read() as session:
        rows = session.execute(
            select(Response).where(Response.case_id == case_id).order_by(Response.created_at, Response.id)
        ).scalars()
        return [ResponseRecord.of(r) for r in rows]
