"""The response state of cases, apart from their review SLA: ``due``, ``overdue`` or ``responded``.

A case expects a response when it has a ``response_due_at`` (set at import from the line or from its
channel's response SLA). It is ``responded`` once it has a final response (a superseded one counts: a
response was given), else ``overdue`` from its deadline on, else ``due``. One ``IN`` query per page of
the queue (``response_states``); the words on screen come from ``response_cell`` here, once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Exists, String, exists, or_, select, type_coerce
from sqlalchemy.orm import Session

from reviewer.clock import utcnow
from reviewer.durations import DurationStyle, format_duration
from reviewer.models import Case, Channel, Response

DUE, OVERDUE, RESPONDED = "due", "overdue", "responded"
RESPONSE_STATES = (DUE, OVERDUE, RESPONDED)
#: Statuses of a response that answered the case.
ANSWERED = ("final", "superseded")
IN_CHUNK = 500


@dataclass(frozen=True)
class ResponseState:
    state: str  # DUE, OVERDUE or RESPONDED
    due_at: datetime

    @classmethod
    def of(cls, due_at: datetime, responded: bool, now: datetime) -> ResponseState:
        return cls(state_of(due_at, responded, now), due_at)


def state_of(due_at: datetime, responded: bool, now: datetime) -> str:
    if responded:
        return RESPONDED
    return OVERDUE if due_at <= now else DUE


def _answered() -> Exists:
    # One parameter per status instead of ``IN`` (an expanding parameter), so a statement that holds it
    # can be compiled once (``stored_response_columns`` in the queue's prepared pages).
    return exists().where(Response.case_id == Case.id, or_(*(Response.status == s for s in ANSWERED)))


def stored_response_columns() -> tuple[Any, Any]:
    """For a SQLite read of ``case`` rows that brings each case's response state along (the queue's
    pages, ``reviewer.queue.fetch_page_responses``): the response deadline as stored (text, or NULL:
    no response expected) and whether the case was answered. ``ResponseState.of`` turns them into a
    state, by the same rule as ``response_details``."""
    return type_coerce(Case.response_due_at, String).label("response_due_at"), _answered().label("answered")


def response_details(
    session: Session, case_ids: Sequence[uuid.UUID], now: datetime | None = None
) -> dict[uuid.UUID, ResponseState]:
    """The response state and deadline of each of ``case_ids`` that expects a response (others absent)."""
    now = now or utcnow()
    out: dict[uuid.UUID, ResponseState] = {}
    ids = list(dict.fromkeys(case_ids))
    for start in range(0, len(ids), IN_CHUNK):
        rows = session.execute(
            select(Case.id, Case.response_due_at, _answered()).where(
                Case.id.in_(ids[start : start + IN_CHUNK]), Case.response_due_at.is_not(None)
            )
        )
        for case_id, due_at, responded in rows:
            assert due_at is not None  # (filtered above)
            out[case_id] = ResponseState.of(due_at, bool(responded), now)
    return out


def response_states(
    session: Session, case_ids: Sequence[uuid.UUID], now: datetime | None = None
) -> dict[uuid.UUID, str]:
    """``{case_id: 'due' | 'overdue' | 'responded'}`` for the cases that expect a response."""
    return {k: v.state for k, v in response_details(session, case_ids, now).items()}


def response_cell(state: ResponseState | None, now: datetime) -> str:
    """The queue's Response cell: ``—`` (none expected), ``due in 3h``, ``overdue``, ``responded``."""
    if state is None:
        return "—"
    if state.state == DUE:
        return "due in " + format_duration((state.due_at - now).total_seconds(), DurationStyle.SLA)
    return state.state


@dataclass(frozen=True)
class DueCase:
    case_id: uuid.UUID
    external_id: str
    channel: str
    due_at: datetime
    state: str


def cases_expecting(
    session: Session, *, state: str | None = None, now: datetime | None = None
) -> list[DueCase]:
    """Cases that expect a response, soonest deadline first; only those in ``state`` when given."""
    now = now or utcnow()
    query = (
        select(Case.id, Case.external_id, Case.channel_id, Case.response_due_at, _answered())
        .where(Case.response_due_at.is_not(None))
        .order_by(Case.response_due_at, Case.id)
    )
    if state in (DUE, OVERDUE):
        query = query.where(~_answered())
        query = query.where(Case.response_due_at > now if state == DUE else Case.response_due_at <= now)
    elif state == RESPONDED:
        query = query.where(_answered())

    codes = dict(session.execute(select(Channel.id, Channel.code)).all())
    found = []
    for cid, ext, ch, due, answered in session.execute(query):
        assert due is not None  # (filtered above)
        found.append(DueCase(cid, ext, codes.get(ch, "?"), due, state_of(due, bool(answered), now)))
    return found
