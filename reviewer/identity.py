"""Who reviews: reviewers (with their role), and review sessions on this workstation.

Each change is recorded in the audit chain with every column of the row, so renaming a reviewer or
changing a session afterwards shows in ``verify``. A session records its workstation; at start it takes
back the reviewer's unexpired leases from earlier sessions there, and at the end it releases its leases
and writes a checkpoint of the audit chain.
"""

from __future__ import annotations

import getpass
import os
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from reviewer.audit.chain import append_event_core, ensure_source, lock_chain
from reviewer.audit.checkpoints import note_appended, write_checkpoint
from reviewer.audit.snapshots import snapshot
from reviewer.clock import utcnow
from reviewer.leases import adopt_own_leases, release_session_leases
from reviewer.models import REVIEWER_ROLES, Reviewer, ReviewSession, table_of
from reviewer.storage.database import Database
from reviewer.workstation import host_name

ENV_USER = "REVIEWER_USER"


def current_handle() -> str:
    """Who is signed in: ``REVIEWER_USER``, else the handle this workstation connected to the team server
    as (``reviewer connect``), else the OS user."""
    from reviewer.sync.remote import ServerError, load_config

    if os.environ.get(ENV_USER):
        return os.environ[ENV_USER]
    try:
        cfg = load_config()
    except (ServerError, OSError):
        cfg = None
    if cfg is not None and cfg.handle:
        return cfg.handle
    return getpass.getuser() or "reviewer"


def _reviewer_values(row: Reviewer) -> dict[str, Any]:
    return {c: getattr(row, c) for c in ("id", "handle", "display_name", "role", "created_at")}


def ensure_reviewer(db: Database, handle: str | None = None) -> Reviewer:
    """The reviewer with this handle (the signed-in user by default), added on first use."""
    handle = handle or current_handle()
    with db.read() as session:
        row = session.execute(select(Reviewer).where(Reviewer.handle == handle)).scalar_one_or_none()
        if row is not None:
            session.expunge(row)
            return row
    with db.write() as session:
        conn = session.connection()
        lock_chain(conn)
        row = session.execute(select(Reviewer).where(Reviewer.handle == handle)).scalar_one_or_none()
        if row is None:
            values = {
                "id": uuid.uuid4(),
                "handle": handle,
                "display_name": handle,
                "role": "reviewer",
                "created_at": utcnow(),
            }
            conn.execute(insert(table_of(Reviewer)), values)
            append_event_core(
                conn,
                actor=handle,
                kind="reviewer",
                subject=str(values["id"]),
                rows={"reviewer": [snapshot("reviewer", values)]},
                locked=True,
            )
            row = session.get(Reviewer, values["id"])
        assert row is not None
        session.expunge(row)
    note_appended(db)
    return row


def set_role(db: Database, handle: str, role: str, *, actor: str) -> Reviewer:
    """Make ``handle`` a lead or a plain reviewer (audited)."""
    if role not in REVIEWER_ROLES:
        raise ValueError(f"unknown role {role!r} (use {' or '.join(REVIEWER_ROLES)})")
    with db.write() as session:
        conn = session.connection()
        lock_chain(conn)
        row = session.execute(select(Reviewer).where(Reviewer.handle == handle)).scalar_one_or_none()
        if row is None:
            raise ValueError(f"no reviewer {handle!r}")
        conn.execute(update(table_of(Reviewer)).where(Reviewer.id == row.id).values(role=role))
        session.refresh(row)
        append_event_core(
            conn,
            actor=actor,
            kind="reviewer_role",
            subject=str(row.id),
            rows={"reviewer": [snapshot("reviewer", _reviewer_values(row))]},
            locked=True,
        )
        session.expunge(row)
    note_appended(db)
    return row


def start_session(db: Database, reviewer: Reviewer, *, now: datetime | None = None) -> uuid.UUID:
    """Open a review session on this workstation; it takes back the reviewer's unexpired leases here."""
    now = now or utcnow()
    with db.write() as session:
        conn = session.connection()
        source = lock_chain(conn)
        ensure_source(conn, source)
        session_id = uuid.uuid4()
        values: dict[str, Any] = {
            "id": session_id,
            "reviewer_id": reviewer.id,
            "started_at": now,
            "ended_at": None,
            "host": host_name(),
            "source_id": source,
        }
        conn.execute(insert(table_of(ReviewSession)), values)
        adopted = adopt_own_leases(
            conn, reviewer_id=reviewer.id, source_id=source, session_id=session_id, now=now
        )
        append_event_core(
            conn,
            actor=reviewer.handle,
            kind="session_start",
            subject=str(values["id"]),
            rows={
                "review_session": [snapshot("review_session", values)],
                "case": [s.snapshot() for s in adopted],
            },
            locked=True,
        )
    note_appended(db)
    return session_id


def end_session(db: Database, reviewer: Reviewer, session_id: uuid.UUID) -> None:
    """Release the session's leases, record its end and anchor the audit chain (at quit)."""
    release_session_leases(db, session_id)
    with db.write() as session:
        conn = session.connection()
        lock_chain(conn)
        rs = session.get(ReviewSession, session_id)
        if rs is not None and rs.ended_at is None:
            rs.ended_at = utcnow()
            session.flush()
            values = {c.name: getattr(rs, c.name) for c in ReviewSession.__table__.columns}
            append_event_core(
                conn,
                actor=reviewer.handle,
                kind="session_end",
                subject=str(session_id),
                rows={"review_session": [snapshot("review_session", values)]},
                locked=True,
            )
    write_checkpoint(db)
