"""The responses list (F8 in the app): every response, newest first, with its case's response state."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from reviewer.clock import utcnow
from reviewer.models import Case, Response
from reviewer.responses.states import response_details
from reviewer.storage.database import Database

LIST_LIMIT = 2000


@dataclass(frozen=True)
class ResponseListRow:
    id: uuid.UUID
    case_id: uuid.UUID
    external_id: str
    channel: str
    status: str  # draft, final, superseded
    subject: str
    case_state: str  # due, overdue, responded; "" when the case expects no response
    due_at: datetime | None
    finalised_at: datetime | None
    exported_at: datetime | None


def list_responses(
    db: Database, *, limit: int = LIST_LIMIT, now: datetime | None = None
) -> list[ResponseListRow]:
    """The newest ``limit`` responses, newest change first."""
    now = now or utcnow()
    with db.read() as session:
        rows = session.execute(
            select(Response, Case.external_id)
            .join(Case, Case.id == Response.case_id)
            .order_by(Response.updated_at.desc(), Response.id)
            .limit(limit)
        ).all()
        states = response_details(session, [r.case_id for r, _ in rows], now)
    out = []
    for r, external_id in rows:
        state = states.get(r.case_id)
        out.append(
            ResponseListRow(
                r.id,
                r.case_id,
                external_id,
                r.channel,
                r.status,
                r.subject,
                state.state if state else "",
                state.due_at if state else None,
                r.finalised_at,
                r.exported_at,
            )  # fmt: skip
        )
    return out
