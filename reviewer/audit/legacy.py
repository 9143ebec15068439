"""The first release's audit rules (format 1), kept so events written before schema 0003 still verify.

One global chain, ``hash`` over seq, time, actor, kind, subject, payload and the previous hash; decision
events carried a subset of the decision's columns. The 0003 migration checks the old chain with these
rules once, records what it found, and seals every existing row again in the current format.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from reviewer.audit.chain import GENESIS, canonical
from reviewer.models.types import UTCDateTime

# Frozen at schema 0002: these describe the old tables, not the current models.
_old_events = sa.table(
    "audit_event",
    sa.column("seq", sa.Integer()),
    sa.column("created_at", UTCDateTime()),
    sa.column("actor", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("subject", sa.String()),
    sa.column("payload", sa.Text()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)
_old_decisions = sa.table(
    "decision",
    sa.column("id", sa.Uuid()),
    sa.column("case_id", sa.Uuid()),
    sa.column("reviewer_id", sa.Uuid()),
    sa.column("action", sa.String()),
    sa.column("policy_code", sa.String()),
    sa.column("policy_version", sa.String()),
    sa.column("note", sa.Text()),
    sa.column("tier", sa.Integer()),
    sa.column("revealed", sa.Boolean()),
    sa.column("reverses_id", sa.Uuid()),
    sa.column("created_at", UTCDateTime()),
)


def legacy_event_hash(
    seq: int, created_at: datetime, actor: str, kind: str, subject: str, payload: str, prev: str
) -> str:
    body = "\x1f".join([str(seq), created_at.isoformat(), actor, kind, subject, payload, prev])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _legacy_decision_payload(d: Any) -> str:
    return canonical(
        {
            "decision_id": str(d.id),
            "case_id": str(d.case_id),
            "reviewer_id": str(d.reviewer_id),
            "action": d.action,
            "policy_code": d.policy_code,
            "policy_version": d.policy_version,
            "note": d.note,
            "tier": d.tier,
            "revealed": bool(d.revealed),
            "reverses_id": str(d.reverses_id) if d.reverses_id else None,
            "created_at": d.created_at.isoformat(),
        }
    )


def legacy_check(conn: sa.Connection) -> tuple[tuple[int, str] | None, str | None]:
    """Walk the old chain: ``(head (seq, hash) or None, first problem or None)``."""
    expected_seq, prev, head = 1, GENESIS, None
    decision_events: dict[str, str] = {}
    for ev in conn.execute(sa.select(_old_events).order_by(_old_events.c.seq)):
        head = (ev.seq, ev.hash)
        if ev.seq != expected_seq:
            return head, f"event #{expected_seq} is missing (next found is #{ev.seq})"
        if ev.prev_hash != prev:
            return head, f"event #{ev.seq} does not follow #{ev.seq - 1} (link broken)"
        h = legacy_event_hash(ev.seq, ev.created_at, ev.actor, ev.kind, ev.subject, ev.payload, ev.prev_hash)
        if h != ev.hash:
            return head, f"event #{ev.seq} ({ev.kind}) was altered after it was written"
        if ev.kind == "decision":
            decision_events[ev.subject] = ev.payload
        expected_seq, prev = ev.seq + 1, ev.hash
    for d in conn.execute(sa.select(_old_decisions)):
        recorded = decision_events.pop(str(d.id), None)
        if recorded is None:
            return head, f"decision {d.id} has no audit event"
        if _legacy_decision_payload(d) != recorded:
            return head, f"decision {d.id} differs from its audit record"
    if decision_events:
        return head, f"decision {next(iter(decision_events))} was deleted (audit event remains)"
    return head, None
