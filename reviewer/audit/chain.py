"""Appending to an audit chain: one chain per source (workstation), each link hashing the one before.

Writers of one source are serialised: on SQLite by ``BEGIN IMMEDIATE``, on PostgreSQL by a transaction
advisory lock keyed by the source, taken before any row lock so two writers never wait on each other in
a cycle. Chains of different sources never share numbers, so they merge without renumbering.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text
from sqlalchemy.orm import Session

from reviewer.clock import utcnow
from reviewer.models import AuditEvent, AuditSource, table_of
from reviewer.storage.prepared import Prepared
from reviewer.workstation import host_name, workstation_id

GENESIS = "0" * 64
FORMAT = 2
#: First key of the PostgreSQL advisory lock that serialises one source's appends.
CHAIN_LOCK = 7324001

_events = table_of(AuditEvent)
_sources = table_of(AuditSource)
# Core statements built once: SQLAlchemy caches their compiled form, so each use only binds values.
_PG_LOCK = text("SELECT pg_advisory_xact_lock(:k1, :k2)")
_LAST_LINK = (
    select(_events.c.seq, _events.c.hash)
    .where(_events.c.source_id == bindparam("b_source"))
    .order_by(_events.c.seq.desc())
    .limit(1)
)
#: The same as two scalar subqueries, for a caller to add to a query it runs anyway (one round trip
#: fewer, bind ``b_source``); pass what they return as ``append_event_core(..., last=(seq, hash))``.
LAST_LINK_COLUMNS = (
    select(_events.c.seq)
    .where(_events.c.source_id == bindparam("b_source"))
    .order_by(_events.c.seq.desc())
    .limit(1)
    .scalar_subquery()
    .label("chain_seq"),
    select(_events.c.hash)
    .where(_events.c.source_id == bindparam("b_source"))
    .order_by(_events.c.seq.desc())
    .limit(1)
    .scalar_subquery()
    .label("chain_hash"),
)
_INSERT_EVENT = Prepared(insert(_events), [c.key for c in _events.columns])
_FIND_SOURCE = select(_sources.c.id).where(_sources.c.id == bindparam("b_source"))


#: ``json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)``, its encoder
#: made once (``json.dumps`` with any option builds a new one per call).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical(payload: Mapping[str, Any]) -> str:
    return _CANONICAL.encode(payload)


def event_hash(
    source_id: uuid.UUID | str,
    seq: int,
    created_at: datetime,
    actor: str,
    kind: str,
    subject: str,
    payload: str,
    prev: str,
) -> str:
    """Format 2: the source is hashed with the fields, so an event cannot be moved to another chain."""
    return hash_of_fields(str(source_id), seq, created_at.isoformat(), actor, kind, subject, payload, prev)


def hash_of_fields(
    source: str, seq: int, created_iso: str, actor: str, kind: str, subject: str, payload: str, prev: str
) -> str:
    """:func:`event_hash` from the source's and the time's text forms (``str(uuid)``, ``isoformat()``),
    for a writer that has them already."""
    body = "\x1f".join(["v2", source, str(seq), created_iso, actor, kind, subject, payload, prev])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC, as it will read back from the database (naive values are a bug)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given where UTC is required")
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


#: A workstation writing straight into a server database (``reviewer --db postgresql://…``) writes a chain
#: of its own there, named from its id, never the chain it pushes from its working copy: two writers of
#: one chain in two databases would fork it.
_DIRECT = "direct writes to a server database"


def current_source(conn: Connection | None = None) -> uuid.UUID:
    """The source this process writes as on ``conn``'s database: the workstation on its own (SQLite)
    database; on a server database, the workstation's direct-write chain."""
    if conn is not None and conn.dialect.name != "sqlite":
        return uuid.uuid5(workstation_id(), _DIRECT)
    return workstation_id()


def ensure_source(conn: Connection, source_id: uuid.UUID, *, kind: str = "workstation") -> None:
    """Record the source in ``audit_source`` once (informative: chains are defined by their events)."""
    if conn.execute(_FIND_SOURCE, {"b_source": source_id}).first() is None:
        conn.execute(insert(_sources).values(id=source_id, kind=kind, host=host_name(), created_at=utcnow()))


def _lock_key(source_id: uuid.UUID) -> int:
    """A signed 32-bit key from the source id (the advisory lock's second key)."""
    return int.from_bytes(source_id.bytes[:4], "big", signed=True)


def lock_chain(conn: Connection, source_id: uuid.UUID | None = None) -> uuid.UUID:
    """Serialise this source's chain writers until the transaction ends (PostgreSQL; SQLite already has
    ``BEGIN IMMEDIATE``). Returns the source. Call before locking any row."""
    source = source_id or current_source(conn)
    if conn.dialect.name == "postgresql":
        conn.execute(_PG_LOCK, {"k1": CHAIN_LOCK, "k2": _lock_key(source)})
    return source


def build_event(
    *,
    source_id: uuid.UUID,
    seq: int,
    prev: str,
    created_at: datetime,
    actor: str,
    kind: str,
    subject: str,
    payload: str,
) -> dict[str, Any]:
    """The column values of one format-2 event (also used by the migration that seals old data)."""
    return {
        "id": uuid.uuid4(),
        "source_id": source_id,
        "seq": seq,
        "format": FORMAT,
        "created_at": created_at,
        "actor": actor[:64],
        "kind": kind,
        "subject": subject[:64],
        "payload": payload,
        "prev_hash": prev,
        "hash": event_hash(source_id, seq, created_at, actor[:64], kind, subject[:64], payload, prev),
    }


def payload_with_rows(
    payload: Mapping[str, Any] | None, rows: Mapping[str, Sequence[Mapping[str, Any]]] | None
) -> dict[str, Any]:
    body = dict(payload or {})
    if rows:
        body["rows"] = {table: list(snaps) for table, snaps in rows.items() if snaps}
    return body


def append_event_core(
    conn: Connection,
    *,
    actor: str,
    kind: str,
    subject: str = "",
    payload: Mapping[str, Any] | None = None,
    rows: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    now: datetime | None = None,
    locked: bool = False,
    last: tuple[int | None, str | None] | None = None,
    source_id: uuid.UUID | None = None,
) -> int:
    """Append one event with Core statements on ``conn``; returns its seq in the source's chain.

    ``rows``: snapshots (see ``reviewer.audit.snapshots``) of every row this event vouches for.
    ``conn`` must be in the write transaction (``session.connection()`` inside ``db.write()``), with any
    pending ORM changes of that session flushed first. ``locked``: ``lock_chain`` was already called for
    this source in this transaction. ``last``: the chain's last ``(seq, hash)`` (``(None, None)`` when
    empty) as read through ``LAST_LINK_COLUMNS`` in this transaction, after the lock.
    """
    source = source_id or current_source(conn)
    if not locked:
        lock_chain(conn, source)
    if last is None:
        row = conn.execute(_LAST_LINK, {"b_source": source}).first()
        last = (row[0], row[1]) if row else (None, None)
    seq, prev = (last[0] + 1, last[1]) if last[0] is not None and last[1] is not None else (1, GENESIS)
    body = canonical(payload_with_rows(payload, rows))
    values = build_event(
        source_id=source,
        seq=seq,
        prev=prev,
        created_at=_utc(now or utcnow()),
        actor=actor,
        kind=kind,
        subject=subject,
        payload=body,
    )
    _INSERT_EVENT.run(conn, values)
    return seq


def append_event(
    session: Session,
    *,
    actor: str,
    kind: str,
    subject: str = "",
    payload: Mapping[str, Any] | None = None,
    rows: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    now: datetime | None = None,
) -> int:
    """``append_event_core`` for an ORM write session (its pending changes are flushed first)."""
    session.flush()
    return append_event_core(
        session.connection(), actor=actor, kind=kind, subject=subject, payload=payload, rows=rows, now=now
    )
