"""One decision's write on SQLite, in the values' stored formats (the K/R/T… key path).

``reviewer.decisions.record_decision`` hands its transaction here on SQLite. The rules are the shared
ones (``prepare_decision``: the pack's rules, the hand-off note, the chain lock, the cited pack row;
``rule_on``: may this session decide the case, escalation targets, the new status and tier; the lease
``claim_after`` leaves). Only the mechanics differ from the general path (``write_decisions``): the same
statements run on the driver connection with their parameters built directly as SQLite stores them (ids
as 32-digit hex, times as ``YYYY-MM-DD HH:MM:SS.ffffff`` UTC, booleans as 0/1), the case history is read
as stored (only a lease's holder and expiry are converted, when there is one), and the audit event's
snapshots are built once from the decision's values. Rows and event are byte-identical to the general
path's (``tests/reviewer/test_decision_sqlite.py`` writes the same decisions both ways and compares every
column); PostgreSQL, batches of decisions and undo keep the general path.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from reviewer.audit.chain import FORMAT, GENESIS, canonical, event_hash
from reviewer.audit.snapshots import AUDITED_COLUMNS
from reviewer.conflicts import DecisionError
from reviewer.decisions import (
    _CASE_HISTORY,
    DecisionResult,
    claim_after,
    prepare_decision,
    rule_on,
)
from reviewer.leases import CaseState
from reviewer.models import Reviewer
from reviewer.pack_versions import Pending
from reviewer.policy import PolicyPack
from reviewer.storage.prepared import driver_error

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
    """A UTC datetime as SQLAlchemy's SQLite ``DateTime`` stores it (what ``UTCDateTime`` binds)."""
    m = moment
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d} {m.hour:02d}:{m.minute:02d}:{m.second:02d}.{m.microsecond:06d}"


def _case_state(conn: Connection, case_id: uuid.UUID, raw: tuple[Any, ...]) -> CaseState:
    """The case's state from the first history row as stored; a lease converted only when there is one."""
    holder, expires = raw[3], raw[4]
    if holder is not None or expires is not None:
        _sql, _binds, results = _CASE_HISTORY.stored_plan(conn.dialect)
        holder = None if holder is None else results[3](holder)  # type: ignore[misc]
        expires = None if expires is None else results[4](expires)  # type: ignore[misc]
    return CaseState(case_id, raw[1], raw[2], holder, expires, raw[5])


def record_on_sqlite(
    conn: Connection,
    pending: Pending,
    *,
    case_id: uuid.UUID,
    reviewer: Reviewer,
    action: str,
    policy_code: str | None,
    pack: PolicyPack | None,
    note: str,
    session_id: uuid.UUID | None,
    handle_ms: int,
    revealed: bool,
    now: datetime | None,
    rationale: str,
    to_tier: int | None,
) -> DecisionResult:
    """``record_decision``'s write inside ``conn``'s transaction (``Database.write_core`` on SQLite)."""
    rationale, now, source, pack_row = prepare_decision(
        None,
        conn,
        pending,
        reviewer=reviewer,
        action=action,
        policy_code=policy_code,
        pack=pack,
        rationale=rationale,
        now=now,
    )
    driver: Any = conn.connection.driver_connection
    sql, binds, _results = _CASE_HISTORY.stored_plan(conn.dialect)
    case_hex, source_hex = case_id.hex, source.hex
    bound = {"b_case": case_hex, "b_source": source_hex}
    params = tuple([const if name is None else bound[name] for name, const in binds])
    try:
        raw = driver.execute(sql, params).fetchall()
    except driver.Error as exc:  # sqlite3.Error: as Connection.execute would raise it
        raise driver_error(conn, sql, params, exc) from exc
    if not raw:
        raise DecisionError(f"case {case_id} does not exist")
    first = raw[0]
    state = _case_state(conn, case_id, first)
    make = _CASE_HISTORY.make_row
    tier, status, new_tier = rule_on(
        conn,
        state,
        [make(r) for r in raw],
        action=action,
        to_tier=to_tier,
        pack=pack,
        session_id=session_id,
        now=now,
    )
    holder, expires = claim_after(status, session_id, now)

    decision_id = uuid.uuid4()
    cites = pack is not None and policy_code is not None
    policy_version = pack.version if cites else None  # type: ignore[union-attr]
    policy_sha256 = pack.sha256 if cites else None  # type: ignore[union-attr]
    stamp, iso = stored_time(now), now.isoformat()
    session_hex = None if session_id is None else session_id.hex
    pack_hex = None if pack_row is None else pack_row.hex
    revealed = bool(revealed)
    decision = (
        decision_id.hex,
        case_hex,
        reviewer.id.hex,
        session_hex,
        action,
        policy_code,
        pack_hex,
        policy_version,
        policy_sha256,
        note,
        tier,
        handle_ms,
        1 if revealed else 0,
        None,
        None,
        stamp,
        rationale,
        to_tier,
        None,
    )
    case_str = str(case_id)
    decision_snap = {
        "id": str(decision_id),
        "case_id": case_str,
        "reviewer_id": str(reviewer.id),
        "session_id": None if session_id is None else str(session_id),
        "action": action,
        "policy_code": policy_code,
        "policy_pack_version_id": None if pack_row is None else str(pack_row),
        "policy_version": policy_version,
        "policy_sha256": policy_sha256,
        "note": note,
        "tier": tier,
        "handle_ms": handle_ms,
        "revealed": revealed,
        "reverses_id": None,
        "client_seq": None,
        "created_at": iso,
        "rationale": rationale,
        "to_tier": to_tier,
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
    last_seq, last_hash = first[-2], first[-1]
    seq, prev = (last_seq + 1, last_hash) if last_seq is not None and last_hash is not None else (1, GENESIS)
    actor, subject = reviewer.handle[:64], str(decision_id)[:64]
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
        event_hash(source, seq, now, actor, "decision", subject, payload, prev),
    )
    case_row = (
        status,
        new_tier,
        None if holder is None else holder.hex,
        None if expires is None else stored_time(expires),
        state_seq,
        case_hex,
    )
    statement = _INSERT_DECISION
    try:
        driver.execute(statement, decision)
        statement = _UPDATE_CASE
        driver.execute(statement, case_row)
        statement = _INSERT_EVENT
        driver.execute(statement, event)
    except driver.Error as exc:
        raise driver_error(conn, statement, None, exc) from exc
    return DecisionResult(decision_id, case_id, action, status, policy_code=policy_code)
