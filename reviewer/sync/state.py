"""``sync_state``: small key/value bookkeeping of a database, and the server's own audit source.

The server writes audit events of its own (kind ``server`` in ``audit_source``): the case states it
derives when it applies pushed decisions, reviewers added by ``server add-reviewer``, checkouts. Any
client that writes them (the one applying a push) writes them into this one chain, under its lock.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, insert, select, update

from reviewer.audit.chain import ensure_source
from reviewer.clock import utcnow
from reviewer.models import SyncState, table_of

_state = table_of(SyncState)

SERVER_SOURCE = "server_source"


def get_value(conn: Connection, key: str) -> str | None:
    return conn.execute(select(_state.c.value).where(_state.c.key == key)).scalar()


def set_value(conn: Connection, key: str, value: str) -> None:
    """Insert or replace one key (inside the caller's write transaction)."""
    now = utcnow()
    done = conn.execute(update(_state).where(_state.c.key == key).values(value=value, updated_at=now))
    if not done.rowcount:
        conn.execute(insert(_state).values(key=key, value=value, updated_at=now))


def server_source_id(conn: Connection) -> uuid.UUID:
    """The server's audit source, made on first need (inside the caller's write transaction). Two
    clients making it at once: the key's primary key lets one win; the loser's transaction fails and is
    retried by its caller, so call it first in a transaction that may be retried."""
    known = get_value(conn, SERVER_SOURCE)
    if known:
        return uuid.UUID(known)
    source = uuid.uuid4()
    conn.execute(insert(_state).values(key=SERVER_SOURCE, value=str(source), updated_at=utcnow()))
    ensure_source(conn, source, kind="server")
    return source
