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
from json.encoder import encode_basestring
from typing import Any, NamedTuple

from sqlalchemy import Connection

from reviewer.audit.chain import FORMAT, GENESIS, canonical, hash_of_fields
from reviewer.audit.snapshots import AUDITED_COLUMNS
from reviewer.case_history import CASE_HISTORY
from reviewer.leases import CaseState
from reviewer.models import Reviewer
from reviewer.storage.prepared import run_all_on_driver

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


def _slots(names: tuple[str, ...], prefix: str) -> str:
    return "{" + ",".join(f'"{name}":%({prefix}{name})s' for name in sorted(names)) + "}"


#: The event's payload for one decision and its case exactly as ``canonical`` writes it (keys sorted,
#: no spaces), each value a ``%(d_<column>)s`` or ``%(c_<column>)s`` slot for its JSON text: filling
#: it costs a third of encoding the snapshot dicts (``tests/reviewer/test_decision_sqlite.py`` compares
#: the two on hostile text).
PAYLOAD = (
    '{"rows":{"case":['
    + _slots(AUDITED_COLUMNS["case"], "c_")
    + '],"decision":['
    + _slots(DECISION_COLUMNS, "d_")
    + "]}}"
)
_quote = encode_basestring  # json's own string encoder (C), as canonical() uses it (ensure_ascii=False)


def json_value(value: Any) -> str:
    """One value as ``canonical`` writes it inside a payload."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is str:
        return _quote(value)
    if type(value) is int:
        return int.__repr__(value)
    return canonical(value)


class Recurring(NamedTuple):
    """The forms of the ids that recur from decision to decision: hex as stored, JSON text of ``str``."""

    reviewer_hex: str
    reviewer_json: str
    session_hex: str | None
    session_json: str
    pack_hex: str | None
    pack_json: str
    source_hex: str
    source_str: str


@lru_cache(maxsize=64)
def recurring(reviewer: int, session: int | None, pack: int | None, source: int) -> Recurring:
    """:class:`Recurring` for the ids given as integers (``UUID.int``), made once each: an int hashes in
    C where a UUID's hash and equality run Python."""

    def forms(value: int | None) -> tuple[str | None, str]:
        if value is None:
            return None, "null"
        u = uuid.UUID(int=value)
        return u.hex, f'"{u}"'

    reviewer_id, source_id = uuid.UUID(int=reviewer), uuid.UUID(int=source)
    return Recurring(
        reviewer_id.hex, f'"{reviewer_id}"', *forms(session), *forms(pack), source_id.hex, str(source_id)
    )


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
    ids = recurring(
        reviewer.id.int,
        None if session_id is None else session_id.int,
        None if pack_row is None else pack_row.int,
        source.int,
    )
    decision_id = uuid.uuid4()
    decision_hex, decision_str = decision_id.hex, str(decision_id)
    case_hex, case_str = case_id.hex, str(case_id)
    full = now.isoformat(" ", "microseconds")  # now is in UTC: 'YYYY-MM-DD HH:MM:SS.ffffff+00:00'
    stamp = full[:26]
    iso = f"{full[:10]}T{full[11:]}" if now.microsecond else now.isoformat()  # isoformat()'s text
    revealed = bool(d.revealed)
    decision = (
        decision_hex,
        case_hex,
        ids.reviewer_hex,
        ids.session_hex,
        d.action,
        d.policy_code,
        ids.pack_hex,
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
    state_seq = state.state_seq + 1
    case_json = f'"{case_str}"'
    payload = PAYLOAD % {
        "d_id": f'"{decision_str}"',
        "d_case_id": case_json,
        "d_reviewer_id": ids.reviewer_json,
        "d_session_id": ids.session_json,
        "d_action": _quote(d.action),
        "d_policy_code": json_value(d.policy_code),
        "d_policy_pack_version_id": ids.pack_json,
        "d_policy_version": json_value(d.policy_version),
        "d_policy_sha256": json_value(d.policy_sha256),
        "d_note": _quote(d.note),
        "d_tier": json_value(tier),
        "d_handle_ms": json_value(d.handle_ms),
        "d_revealed": "true" if revealed else "false",
        "d_reverses_id": "null",
        "d_client_seq": "null",
        "d_created_at": f'"{iso}"',
        "d_rationale": _quote(d.rationale),
        "d_to_tier": json_value(d.to_tier),
        "d_bulk_id": "null",
        "c_id": case_json,
        "c_status": _quote(status),
        "c_tier": json_value(new_tier),
        "c_claimed_by": "null" if holder is None else f'"{holder}"',
        "c_claim_expires_at": "null" if expires is None else _quote(expires.astimezone(UTC).isoformat()),
        "c_state_seq": json_value(state_seq),
    }
    first = history[0]
    last_seq, last_hash = first.chain_seq, first.chain_hash
    seq, prev = (last_seq + 1, last_hash) if last_seq is not None and last_hash is not None else (1, GENESIS)
    actor, subject = reviewer.handle[:64], decision_str[:64]
    event = (
        uuid.uuid4().hex,
        ids.source_hex,
        seq,
        FORMAT,
        stamp,
        actor,
        "decision",
        subject,
        payload,
        prev,
        hash_of_fields(ids.source_str, seq, iso, actor, "decision", subject, payload, prev),
    )
    case_row = (
        status,
        new_tier,
        None if holder is None else holder.hex,
        None if expires is None else stored_time(expires),
        state_seq,
        case_hex,
    )
    run_all_on_driver(conn, ((_INSERT_DECISION, decision), (_UPDATE_CASE, case_row), (_INSERT_EVENT, event)))
    return decision_id
