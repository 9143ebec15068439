"""Administering the team server: ``server init`` (schema, id, audit source) and its reviewers.

The server is a PostgreSQL database with the app's models. What the server itself writes (reviewers a
lead adds) goes into the server's own audit chain (``reviewer.sync.state.server_source_id``), so
``reviewer --db URL audit verify`` vouches for it.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, select, update

from reviewer.audit.chain import append_event_core, lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.audit.snapshots import snapshot
from reviewer.clock import utcnow
from reviewer.models import REVIEWER_ROLES, Reviewer, table_of
from reviewer.storage.database import Database
from reviewer.sync.remote import ServerError, probe, strip_password
from reviewer.sync.state import get_value, server_source_id, set_value

SERVER_ID = "server_id"
_reviewers = table_of(Reviewer)


def init_server(url: str, *, timeout_s: float = 3.0) -> Database:
    """Migrate the PostgreSQL database at ``url`` to head (creating the app's tables; a database holding
    other tables of its own is refused, as ``open_database`` does without ``--init``), record its
    ``server_id`` and make its audit source. Safe to run again (then it only migrates).

    ServerError for a SQLite URL; the storage errors of ``open_database`` otherwise.
    """
    from reviewer.storage.migrate import open_database

    if url.startswith("sqlite") or "://" not in url:
        raise ServerError(
            "a team server is a PostgreSQL database (postgresql+psycopg://user@host/db), not SQLite"
        )
    bare, password = strip_password(url)
    probe(bare, password, timeout_s)  # a server that does not answer: one line, at once
    db = open_database(url, create=False, init=False)
    try:
        with db.write() as session:
            conn = session.connection()
            source = server_source_id(conn)
            if get_value(conn, SERVER_ID) is None:
                set_value(conn, SERVER_ID, str(uuid.uuid4()))
            lock_chain(conn, source)
    except BaseException:
        db.dispose()
        raise
    return db


def server_id(db: Database) -> str | None:
    with db.read() as session:
        return get_value(session.connection(), SERVER_ID)


def _values(row: Any) -> dict[str, Any]:
    return {c: getattr(row, c) for c in ("id", "handle", "display_name", "role", "created_at")}


def add_reviewer(
    server_db: Database, handle: str, role: str = "reviewer", display_name: str = "", *, actor: str = "server"
) -> Reviewer:
    """Add ``handle`` (or change its role / display name), audited in the server's chain. Adding the same
    reviewer with the same values again writes nothing."""
    handle = handle.strip()
    if not handle:
        raise ValueError("a reviewer needs a handle")
    if len(handle) > 64:
        raise ValueError("a handle has at most 64 characters")
    if role not in REVIEWER_ROLES:
        raise ValueError(f"unknown role {role!r} (use {' or '.join(REVIEWER_ROLES)})")
    with server_db.write() as session:
        conn = session.connection()
        source = server_source_id(conn)
        lock_chain(conn, source)
        row = session.execute(select(Reviewer).where(Reviewer.handle == handle)).scalar_one_or_none()
        if row is None:
            values: dict[str, Any] = {
                "id": uuid.uuid4(),
                "handle": handle,
                "display_name": display_name or handle,
                "role": role,
                "created_at": utcnow(),
            }
            conn.execute(insert(_reviewers), values)
            kind = "reviewer"
        else:
            changes: dict[str, Any] = {}
            if row.role != role:
                changes["role"] = role
            if display_name and row.display_name != display_name:
                changes["display_name"] = display_name
            if not changes:
                session.expunge(row)
                return row
            conn.execute(update(_reviewers).where(_reviewers.c.id == row.id).values(**changes))
            session.refresh(row)
            values = _values(row)
            kind = "reviewer_role"
        append_event_core(
            conn,
            actor=actor,
            kind=kind,
            subject=str(values["id"]),
            rows={"reviewer": [snapshot("reviewer", values)]},
            locked=True,
            source_id=source,
        )
        added = session.get(Reviewer, values["id"])
        assert added is not None
        session.expunge(added)
    note_appended(server_db)
    return added


def list_reviewers(server_db: Database) -> list[Reviewer]:
    """Every reviewer, by handle."""
    with server_db.read() as session:
        rows = list(session.execute(select(Reviewer).order_by(Reviewer.handle)).scalars())
        for row in rows:
            session.expunge(row)
    return rows
