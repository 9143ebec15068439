"""Tamper-evident audit log: each event carries the hash of the one before it.

``verify`` walks the chain in order and reports the first broken link: an edited event (its hash no
longer matches its content), a deleted event (a gap in ``seq`` or a ``prev_hash`` that points nowhere),
and an edited or deleted decision (decisions are cross-checked against the event that recorded them).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, text
from sqlalchemy.orm import Session

from reviewer.clock import utcnow
from reviewer.models import AuditEvent, Decision, table_of
from reviewer.storage.database import Database

GENESIS = "0" * 64
#: PostgreSQL advisory lock that serialises appends to the chain (SQLite has BEGIN IMMEDIATE instead).
CHAIN_LOCK = 7324001

_events = table_of(AuditEvent)
# Core statements built once: SQLAlchemy caches their compiled form, so each use only binds values.
_PG_LOCK = text(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK})")
_LAST_LINK = select(_events.c.seq, _events.c.hash).order_by(_events.c.seq.desc()).limit(1)
#: The same as two scalar subqueries, for a caller to add to a query it runs anyway (one round trip
#: fewer); pass what they return as ``append_event_core(..., last=(seq, hash))``.
LAST_LINK_COLUMNS = (
    select(_events.c.seq).order_by(_events.c.seq.desc()).limit(1).scalar_subquery().label("chain_seq"),
    select(_events.c.hash).order_by(_events.c.seq.desc()).limit(1).scalar_subquery().label("chain_hash"),
)
_INSERT_EVENT = insert(_events)


def canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(
    seq: int, created_at: datetime, actor: str, kind: str, subject: str, payload: str, prev: str
) -> str:
    body = "\x1f".join([str(seq), created_at.isoformat(), actor, kind, subject, payload, prev])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC, as it will read back from the database (naive values are a bug)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given where UTC is required")
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def append_event(
    session: Session,
    *,
    actor: str,
    kind: str,
    subject: str = "",
    payload: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Add the next link. Call inside a write session (BEGIN IMMEDIATE on SQLite, so no two writers race)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_PG_LOCK)
    last = session.execute(_LAST_LINK).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    created = _utc(now or utcnow())
    body = canonical(payload or {})
    event = AuditEvent(
        seq=seq,
        created_at=created,
        actor=actor,
        kind=kind,
        subject=subject,
        payload=body,
        prev_hash=prev,
        hash=event_hash(seq, created, actor, kind, subject, body, prev),
    )
    session.add(event)
    return event


def lock_chain(conn: Connection) -> None:
    """Serialise chain writers on PostgreSQL until the transaction ends (a no-op on SQLite)."""
    if conn.dialect.name == "postgresql":
        conn.execute(_PG_LOCK)


def append_event_core(
    conn: Connection,
    *,
    actor: str,
    kind: str,
    subject: str = "",
    payload: dict[str, Any] | None = None,
    now: datetime | None = None,
    locked: bool = False,
    last: tuple[int | None, str | None] | None = None,
) -> int:
    """``append_event`` with Core statements on ``conn`` (no ORM objects, no autoflush). Returns the seq.

    ``conn`` must be in the write transaction (``session.connection()`` inside ``db.write()``), with any
    pending ORM changes of that session flushed first. ``locked``: ``lock_chain`` was already called in
    this transaction. ``last``: the chain's last ``(seq, hash)`` (``(None, None)`` when empty) as read
    through ``LAST_LINK_COLUMNS`` in this transaction, after the lock and with nothing appended since.
    """
    if not locked:
        lock_chain(conn)
    if last is None:
        row = conn.execute(_LAST_LINK).first()
        last = (row[0], row[1]) if row else (None, None)
    seq, prev = (last[0] + 1, last[1]) if last[0] is not None and last[1] is not None else (1, GENESIS)
    created = _utc(now or utcnow())
    body = canonical(payload or {})
    conn.execute(
        _INSERT_EVENT,
        {
            "id": uuid.uuid4(),
            "seq": seq,
            "created_at": created,
            "actor": actor,
            "kind": kind,
            "subject": subject,
            "payload": body,
            "prev_hash": prev,
            "hash": event_hash(seq, created, actor, kind, subject, body, prev),
        },
    )
    return seq


def decision_payload_of(
    *,
    decision_id: uuid.UUID,
    case_id: uuid.UUID,
    reviewer_id: uuid.UUID,
    action: str,
    policy_code: str | None,
    policy_version: str | None,
    note: str,
    tier: int,
    revealed: bool,
    reverses_id: uuid.UUID | None,
    created_at: datetime,
) -> dict[str, Any]:
    """``decision_payload`` from the values of a decision row (as written, before any ORM object)."""
    return {
        "decision_id": str(decision_id),
        "case_id": str(case_id),
        "reviewer_id": str(reviewer_id),
        "action": action,
        "policy_code": policy_code,
        "policy_version": policy_version,
        "note": note,
        "tier": tier,
        "revealed": bool(revealed),
        "reverses_id": str(reverses_id) if reverses_id else None,
        "created_at": created_at.isoformat(),
    }


def decision_payload(d: Decision) -> dict[str, Any]:
    """The decision fields the audit event vouches for."""
    return decision_payload_of(
        decision_id=d.id,
        case_id=d.case_id,
        reviewer_id=d.reviewer_id,
        action=d.action,
        policy_code=d.policy_code,
        policy_version=d.policy_version,
        note=d.note,
        tier=d.tier,
        revealed=d.revealed,
        reverses_id=d.reverses_id,
        created_at=d.created_at,
    )


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    events: int
    decisions: int
    problem: str | None = None

    def __str__(self) -> str:
        if self.ok:
            return f"OK: {self.events} audit events and {self.decisions} decisions verified"
        return f"BROKEN: {self.problem}"


def verify(db: Database) -> VerifyReport:
    """Walk the whole chain; stop at the first broken link."""
    expected_seq, prev = 1, GENESIS
    decision_events: dict[str, str] = {}
    with db.read() as session:
        rows = session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()
        count = 0
        for ev in rows:
            count += 1
            if ev.seq != expected_seq:
                return VerifyReport(
                    False, count, 0, f"event #{expected_seq} is missing (next found is #{ev.seq})"
                )
            if ev.prev_hash != prev:
                return VerifyReport(
                    False, count, 0, f"event #{ev.seq} does not follow #{ev.seq - 1} (link broken)"
                )
            h = event_hash(ev.seq, ev.created_at, ev.actor, ev.kind, ev.subject, ev.payload, ev.prev_hash)
            if h != ev.hash:
                return VerifyReport(
                    False, count, 0, f"event #{ev.seq} ({ev.kind}) was altered after it was written"
                )
            if ev.kind == "decision":
                decision_events[ev.subject] = ev.payload
            expected_seq, prev = ev.seq + 1, ev.hash
            session.expunge(ev)
        decisions = 0
        for d in session.execute(select(Decision)).scalars():
            decisions += 1
            recorded = decision_events.pop(str(d.id), None)
            if recorded is None:
                return VerifyReport(False, count, decisions, f"decision {d.id} has no audit event")
            if canonical(decision_payload(d)) != recorded:
                return VerifyReport(False, count, decisions, f"decision {d.id} differs from its audit record")
            session.expunge(d)
        if decision_events:
            missing = next(iter(decision_events))
            return VerifyReport(
                False, count, decisions, f"decision {missing} was deleted (audit event remains)"
            )
    return VerifyReport(True, count, decisions)
