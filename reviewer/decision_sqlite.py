"""One decision's write on SQLite, in the values' stored formats (the K/R/T… key path).

``reviewer.decisions.record_decision`` runs the rules (the pack's, the hand-off note, the chain lock, the
cited pack row, may this session decide the case, escalation targets, the new status, tier and lease)
exactly as on every path; on SQLite only the mechanics come from here. The case history is read as
stored (ids as 32-digit hex; only a lease's holder and expiry are converted, when there is one), and the
decision, the case state and the audit event are written on the driver connection with their parameters
built directly as SQLite stores them (ids as hex, times as ``YYYY-MM-DD HH:MM:SS.ffffff`` UTC, booleans as
0/1), the event's snapshots built once from the decision's values. Rows and event are byte-identical to
the general path's (``write_decisions``; ``tests/reviewer/test_decision_sqlite.py`` writes the same
decisions both ways and compares every column). PostgreSQL, batches of decisions and undo keep the
general path.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Connection

from reviewer.audit.chain import FORMAT, GENESIS, canonical, event_hash
from reviewer.audit.snapshots import AUDITED_COLUMNS
from reviewer.case_history import CASE_HISTORY
from reviewer.leases import CaseState
from reviewer.models import Reviewer
from reviewer.storage.prepared import run_on_driver

#: Every column of a decision row, in the order of the INSERT below and of the audit snapshot's values.
DECISION_COLUMNS = (
    "id",
    "case_id",
    "reviewer_id",
    "session_id",
    "action",
    "policy_code",
    "policy_pack_version_id",
    "policy_version",
    "policy_sha256",
    "note",
    "tier",
    "handle_ms",
    "revealed",
    "reverses_id",
    "client_seq",
    "created_at",
    "rationale",
    "to_tier",
    "bulk_id",
)
# A column added to the decision table must be written here too (and snapshotted): fail at import.
assert set(DECISION_COLUMNS) == set(AUDITED_COLUMNS["decision"]), "decision columns changed"
assert AUDITED_COLUMNS["case"] == ("id", "status", "tier", "claimed_by", "claim_expires_at", "state_seq")

_INSERT_DECISION = (
    f"INSERT INTO decision ({', '.join(DECISION_COLUMNS)}) VALUES ({', '.join('?' * len(DECISION_COLUMNS))})"
)
_UPDATE_CASE = (
    'UPDATE "case" SET status = ?, tier = ?, claimed_by = ?, claim_expires_at = ?, state_seq = ?'
    ' WHERE "case".id = ?'
)
_INSERT_EVENT = (
    "INSERT INTO audit_event (id, source_id, seq, format, created_at, actor, kind, subject, payload,"
    " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def stored_time(moment: datetime) -> str:
    """A UTC datetime as SQLAlchemy's SQLite ``DateTime`` stores it (what ``UTCDateTime`` binds):
    ``YYYY-MM-DD HH:MM:SS.ffffff``, the first 26 characters of its ISO form with a space."""
    return moment.isoformat(" ", "microseconds")[:26]


@lru_cache(maxsize=256)
def id_forms(value: uuid.UUID) -> tuple[str, str]:
    """``(value.hex, str(value))`` of an id that recurs from decision to decision (the reviewer, the
    review session, the cited pack row, the chain's source), made once each."""
    return value.hex, str(value)


def history_as_stored(
    conn: Connection, case_id: uuid.UUID, source: uuid.UUID
) -> tuple[list[Any], CaseState] | None:
    """``case_history``'s rows as stored (ids as hex: compare them with each other only) and the case's
    state (ids and times as the general path has them); None if there is no such case."""
    raw = CASE_HISTORY.rows_as_stored(conn, {"b_case": case_id, "b_source": source})
    if not raw:
        return None
    first = raw[0]
    holder, expires = first[3], first[4]
    if holder is not None or expires is not None:
        results = CASE_HISTORY.result_processors(conn.dialect)
        holder = None if holder is None else results[3](holder)  # type: ignore[misc]
        expires = None if expires is None else results[4](expires)  # type: ignore[misc]
    make = CASE_HISTORY.make_row
    return [make(r) for r in raw], CaseState(case_id, first[1], first[2], holder, expires, first[5])


class StoredDecision(NamedTuple):
    """What one decision's write needs beyond its rules' outcome: the values of its row."""

    case_id: uuid.UUID
    reviewer: Reviewer
    session_id: uuid.UUID | None
    action: str
    policy_code: str | None
    #: The cited pack version's row, version and SHA-256 (all None unless a pack section is cited).
    pack_row: uuid.UUID | None
    policy_version: str | None
    policy_sha256: str | None
    note: str
    handle_ms: int
    revealed: bool
    rationale: str
    to_tier: int | None
    now: datetime


def write_as_stored(
    conn: Connection,
    d: StoredDecision,
    *,
    source: uuid.UUID,
    history: list[Any],
    state: CaseState,
    tier: int,
    status: str,
    new_tier: int,
    lease: tuple[uuid.UUID | None, datetime | None],
) -> uuid.UUID:
    """Insert the decision, set the case's status, tier and lease, append the event recording both, as
    ``write_decisions`` would for one decision; returns the decision's id. ``history`` and ``state``:
    what :func:`history_as_stored` read in this transaction."""
    now, case_id, session_id, pack_row, reviewer = d.now, d.case_id, d.session_id, d.pack_row, d.reviewer
    holder, expires = lease
    decision_id = uuid.uuid4()
    stamp, iso = stored_time(now), now.isoformat()
    revealed = bool(d.revealed)
    case_hex, decision_str = case_id.hex, str(decision_id)
    reviewer_hex, reviewer_str = id_forms(reviewer.id)
    session_hex, session_str = (None, None) if session_id is None else id_forms(session_id)
    pack_hex, pack_str = (None, None) if pack_row is None else id_forms(pack_row)
    decision = (
        decision_id.hex,
        case_hex,
        reviewer_hex,
        session_hex,
        d.action,
        d.policy_code,
        pack_hex,
        d.policy_version,
        d.policy_sha256,
        d.note,
        tier,
        d.handle_ms,
        1 if revealed else 0,
        None,
        None,
        stamp,
        d.rationale,
        d.to_tier,
        None,
    )
    case_str = str(case_id)
    decision_snap = {
        "id": decision_str,
        "case_id": case_str,
        "reviewer_id": reviewer_str,
        "session_id": session_str,
        "action": d.action,
        "policy_code": d.policy_code,
        "policy_pack_version_id": pack_str,
        "policy_version": d.policy_version,
        "policy_sha256": d.policy_sha256,
        "note": d.note,
        "tier": tier,
        "handle_ms": d.handle_ms,
        "revealed": revealed,
        "reverses_id": None,
        "client_seq": None,
        "created_at": iso,
        "rationale": d.rationale,
        "to_tier": d.to_tier,
        "bulk_id": None,
    }
    state_seq = state.state_seq + 1
    case_snap = {
        "id": case_str,
        "status": status,
        "tier": new_tier,
        "claimed_by": None if holder is None else str(holder),
        "claim_expires_at": None if expires is None else expires.astimezone(UTC).isoformat(),
        "state_seq": state_seq,
    }
    payload = canonical({"rows": {"decision": [decision_snap], "case": [case_snap]}})
    first = history[0]
    last_seq, last_hash = first.chain_seq, first.chain_hash
    seq, prev = (last_seq + 1, last_hash) if last_seq is not None and last_hash is not None else (1, GENESIS)
    actor, subject = reviewer.handle[:64], decision_str[:64]
    source_hex, source_str = id_forms(source)
    event = (
        uuid.uuid4().hex,
        source_hex,
        seq,
        FORMAT,
        stamp,
        actor,
        "decision",
        subject,
        payload,
        prev,
        event_hash(source_str, seq, now, actor, "decision", subject, payload, prev),
    )
    case_row = (
        status,
        new_tier,
        None if holder is None else holder.hex,
        None if expires is None else stored_time(expires),
        state_seq,
        case_hex,
    )
    run_on_driver(conn, _INSERT_DECISION, decision)
    run_on_driver(conn, _UPDATE_CASE, case_row)
    run_on_driver(conn, _INSERT_EVENT, event)
    return decision_id
