"""Who is reviewing: the reviewer row and the review session."""

from __future__ import annotations

import getpass
import os
import socket
import uuid

from sqlalchemy import select

from reviewer.audit import append_event
from reviewer.clock import utcnow
from reviewer.models import Reviewer, ReviewSession
from reviewer.storage.database import Database

ENV_USER = "REVIEWER_USER"


def current_handle() -> str:
    return os.environ.get(ENV_USER) or getpass.getuser() or "reviewer"


def ensure_reviewer(db: Database, handle: str | None = None) -> Reviewer:
    handle = handle or current_handle()
    with db.write() as session:
        row = session.execute(select(Reviewer).where(Reviewer.handle == handle)).scalar_one_or_none()
        if row is None:
            row = Reviewer(handle=handle, display_name=handle)
            session.add(row)
            session.flush()
        session.expunge(row)
        return row


def start_session(db: Database, reviewer: Reviewer) -> uuid.UUID:
    with db.write() as session:
        rs = ReviewSession(reviewer_id=reviewer.id, host=socket.gethostname()[:128])
        session.add(rs)
        session.flush()
        append_event(session, actor=reviewer.handle, kind="session_start", subject=str(rs.id))
        return rs.id


def end_session(db: Database, reviewer: Reviewer, session_id: uuid.UUID) -> None:
    with db.write() as session:
        rs = session.get(ReviewSession, session_id)
        if rs is not None and rs.ended_at is None:
            rs.ended_at = utcnow()
            append_event(session, actor=reviewer.handle, kind="session_end", subject=str(session_id))
