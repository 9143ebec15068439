"""Recording decisions: validated, audited and committed durably in one transaction.

Nothing is updated in place: an undo is a new decision that reverses an earlier one, and the case's
status is recomputed from the decisions that still stand.
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, Row, bindparam, event, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from reviewer.actions import ACTION_KINDS, UNDO
from reviewer.audit import LAST_LINK_COLUMNS, append_event_core, decision_payload_of, lock_chain
from reviewer.clock import utcnow
from reviewer.models import Case, Decision, PolicyPackVersion, Reviewer, table_of
from reviewer.policy import PolicyPack, PolicyRuleError
from reviewer.storage.database import Database

DEFAULT_LEASE = timedelta(minutes=15)


class DecisionError(ValueError):
    """The decision cannot be recorded as asked (unknown action, missing or wrong policy code, …)."""


@dataclass(frozen=True)
class DecisionResult:
    decision_id: uuid.UUID
    case_id: uuid.UUID
    action: str
    case_status: str
    reverses_id: uuid.UUID | None = None
    policy_code: str | None = None


# The write path runs Core statements on the write session's connection: no ORM objects, identity map
# or autoflush per decision (that was ~5 ms of CPU each). The statements are built once, with bound
# parameters only, so SQLAlchemy's compiled cache serves every call after the first.
_cases = table_of(Case)
_decisions = table_of(Decision)
_pack_versions = table_of(PolicyPackVersion)

#: The case (one row even without decisions) joined to its decisions, oldest first; each row also carries
#: the audit chain's last (seq, hash), which the decision's event will follow.
_CASE_HISTORY = (
    select(
        _cases.c.status, _decisions.c.id, _decisions.c.action, _decisions.c.reverses_id, *LAST_LINK_COLUMNS
    )
    .select_from(_cases.outerjoin(_decisions, _decisions.c.case_id == _cases.c.id))
    .where(_cases.c.id == bindparam("b_case"))
    .order_by(_decisions.c.created_at)
)
_INSERT_DECISION = insert(_decisions)
_SET_STATE = (
    update(_cases)
    .where(_cases.c.id == bindparam("b_case"))
    .values(status=bindparam("b_status"), tier=bindparam("b_tier"))
)
_SET_STATE_UNCLAIM = (
    update(_cases)
    .where(_cases.c.id == bindparam("b_case"))
    .values(status=bindparam("b_status"), tier=bindparam("b_tier"), claimed_by=None, claim_expires_at=None)
)
_FIND_PACK_VERSION = select(_pack_versions.c.id).where(
    _pack_versions.c.pack_id == bindparam("b_pack"), _pack_versions.c.version == bindparam("b_version")
)
_INSERT_PACK_VERSION = insert(_pack_versions)
_UNDONE = select(_decisions.c.reverses_id).where(_decisions.c.reverses_id.is_not(None))
_LAST_UNDOABLE = (
    select(_decisions.c.id, _decisions.c.case_id)
    .where(
        _decisions.c.reviewer_id == bindparam("b_reviewer"),
        _decisions.c.action != UNDO,
        _decisions.c.id.not_in(_UNDONE),
    )
    .order_by(_decisions.c.created_at.desc())
    .limit(1)
)
_LAST_UNDOABLE_IN_SESSION = _LAST_UNDOABLE.where(_decisions.c.session_id == bindparam("b_session"))
_CASE_STATE_ATTRS = ["status", "tier", "claimed_by", "claim_expires_at"]

#: Policy pack version row ids per engine (so per database) and (pack_id, version). Filled only once the
#: transaction that read or added the row has committed, so a rollback can never leave a dangling id.
_pack_version_ids: weakref.WeakKeyDictionary[Engine, dict[tuple[str, str], uuid.UUID]] = (
    weakref.WeakKeyDictionary()
)
_PENDING_KEY = "reviewer.decisions.pending_pack_versions"


def _promote_pending(session: Session) -> None:
    pending = session.info.get(_PENDING_KEY)
    if pending:
        for (engine, key), row_id in pending.items():
            _pack_version_ids.setdefault(engine, {})[key] = row_id
        pending.clear()


def _drop_pending(session: Session, _previous_transaction: Any = None) -> None:
    pending = session.info.get(_PENDING_KEY)
    if pending:
        pending.clear()


def _remember_after_commit(session: Session, engine: Engine, key: tuple[str, str], row_id: uuid.UUID) -> None:
    pending = session.info.get(_PENDING_KEY)
    if pending is None:
        pending = session.info[_PENDING_KEY] = {}
        event.listen(session, "after_commit", _promote_pending)
        event.listen(session, "after_soft_rollback", _drop_pending)  # any rollback, savepoints too
    pending[(engine, key)] = row_id


def _pack_version_id(session: Session, conn: Connection, pack: PolicyPack) -> uuid.UUID:
    key = (pack.pack_id, pack.version)
    cached = _pack_version_ids.get(conn.engine)
    if cached is not None:
        row_id = cached.get(key)
        if row_id is not None:
            return row_id
    found = conn.execute(_FIND_PACK_VERSION, {"b_pack": key[0], "b_version": key[1]}).first()
    if found is not None:
        row_id = found[0]
    else:
        row_id = uuid.uuid4()
        conn.execute(
            _INSERT_PACK_VERSION,
            {
                "id": row_id,
                "pack_id": pack.pack_id,
                "version": pack.version,
                "sha256": pack.sha256,
                "loaded_at": utcnow(),
            },
        )
    _remember_after_commit(session, conn.engine, key, row_id)
    return row_id


def _validate(action: str, policy_code: str | None, pack: PolicyPack | None) -> None:
    """Refuse an unknown action, a missing policy code where one is needed, or a code the pack does not
    have or that does not permit the action (:meth:`PolicyPack.check_allowed`, the rule the UI asks too)."""
    kind = ACTION_KINDS.get(action)
    if kind is None:
        raise DecisionError(f"unknown action {action!r}")
    if policy_code is None:
        if kind.needs_policy:
            raise DecisionError(f"{kind.label} needs a policy code")
        return
    if pack is None:
        raise DecisionError("a policy code was given but no policy pack is loaded")
    try:
        pack.check_allowed(policy_code, action)
    except PolicyRuleError as exc:
        raise DecisionError(str(exc)) from exc


def _case_history(conn: Connection, case_id: uuid.UUID) -> Sequence[Row[*tuple[Any, ...]]] | None:
    """Rows ``(case status, decision id, action, reverses_id, chain seq, chain hash)`` oldest first;
    None if no such case."""
    rows = conn.execute(_CASE_HISTORY, {"b_case": case_id}).all()
    return rows or None


def _standing(history: Sequence[Row[*tuple[Any, ...]]]) -> list[tuple[uuid.UUID, str]]:
    """``(id, action)`` of the decisions that have not been undone, oldest first."""
    reversed_ids = {r[3] for r in history if r[2] == UNDO}
    return [(r[1], r[2]) for r in history if r[1] is not None and r[2] != UNDO and r[1] not in reversed_ids]


def _derive_state(actions: Iterable[str]) -> tuple[str, int]:
    """Case status and tier from the standing decisions' actions, oldest first."""
    status, tier = "open", 1
    for action in actions:
        kind = ACTION_KINDS[action]
        if kind.status is not None:
            status = kind.status
        if action == "escalate":
            tier += 1
    return status, tier


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return utcnow()
    if moment.tzinfo is None:
        raise ValueError("naive datetime given where UTC is required")
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def _write_connection(session: Session) -> Connection:
    """The session's connection in its write transaction, after flushing pending ORM changes (what
    autoflush did before the first query), so the Core statements see them and the audit chain they
    may have extended."""
    session.flush()
    return session.connection()


def _after_case_update(session: Session, case_id: uuid.UUID) -> None:
    """A Case already loaded in this session must not keep its old state in memory."""
    if len(session.identity_map):
        obj = session.identity_map.get(identity_key(Case, case_id))
        if obj is not None:
            session.expire(obj, _CASE_STATE_ATTRS)


def _insert_decision(
    session: Session,
    conn: Connection,
    *,
    case_id: uuid.UUID,
    reviewer: Reviewer,
    action: str,
    tier: int,
    now: datetime,
    session_id: uuid.UUID | None,
    policy_code: str | None = None,
    pack_version_row: uuid.UUID | None = None,
    policy_version: str | None = None,
    note: str = "",
    handle_ms: int = 0,
    revealed: bool = False,
    reverses_id: uuid.UUID | None = None,
    new_status: str,
    new_tier: int,
    unclaim: bool,
    last_link: tuple[int | None, str | None],
) -> uuid.UUID:
    """Insert the decision, set the case's state, append the audit event; returns the decision id."""
    decision_id = uuid.uuid4()
    conn.execute(
        _INSERT_DECISION,
        {
            "id": decision_id,
            "case_id": case_id,
            "reviewer_id": reviewer.id,
            "session_id": session_id,
            "action": action,
            "policy_code": policy_code,
            "policy_pack_version_id": pack_version_row,
            "policy_version": policy_version,
            "note": note,
            "tier": tier,
            "handle_ms": handle_ms,
            "revealed": revealed,
            "reverses_id": reverses_id,
            "created_at": now,
        },
    )
    conn.execute(
        _SET_STATE_UNCLAIM if unclaim else _SET_STATE,
        {"b_case": case_id, "b_status": new_status, "b_tier": new_tier},
    )
    _after_case_update(session, case_id)
    payload = decision_payload_of(
        decision_id=decision_id,
        case_id=case_id,
        reviewer_id=reviewer.id,
        action=action,
        policy_code=policy_code,
        policy_version=policy_version,
        note=note,
        tier=tier,
        revealed=revealed,
        reverses_id=reverses_id,
        created_at=now,
    )
    append_event_core(
        conn,
        actor=reviewer.handle,
        kind="decision",
        subject=str(decision_id),
        payload=payload,
        now=now,
        locked=True,
        last=last_link,
    )
    return decision_id


def record_decision(
    db: Database,
    *,
    case_id: uuid.UUID,
    reviewer: Reviewer,
    action: str,
    policy_code: str | None = None,
    pack: PolicyPack | None = None,
    note: str = "",
    session_id: uuid.UUID | None = None,
    handle_ms: int = 0,
    revealed: bool = False,
    now: datetime | None = None,
) -> DecisionResult:
    """Validate, write and commit one decision with its audit event. Returns only once durable."""
    _validate(action, policy_code, pack)  # before BEGIN IMMEDIATE: a refused decision takes no lock
    with db.write() as session:
        return _record_in(
            session,
            case_id=case_id,
            reviewer=reviewer,
            action=action,
            policy_code=policy_code,
            pack=pack,
            note=note,
            session_id=session_id,
            handle_ms=handle_ms,
            revealed=revealed,
            now=now,
        )


def record_decision_in(
    session: Session,
    *,
    case_id: uuid.UUID,
    reviewer: Reviewer,
    action: str,
    policy_code: str | None = None,
    pack: PolicyPack | None = None,
    note: str = "",
    session_id: uuid.UUID | None = None,
    handle_ms: int = 0,
    revealed: bool = False,
    now: datetime | None = None,
) -> DecisionResult:
    """``record_decision`` inside the caller's write transaction (several decisions, one commit)."""
    _validate(action, policy_code, pack)
    return _record_in(
        session,
        case_id=case_id,
        reviewer=reviewer,
        action=action,
        policy_code=policy_code,
        pack=pack,
        note=note,
        session_id=session_id,
        handle_ms=handle_ms,
        revealed=revealed,
        now=now,
    )


def _record_in(
    session: Session,
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
) -> DecisionResult:
    now = _utc(now)
    conn = _write_connection(session)
    lock_chain(conn)  # PostgreSQL: serialise with other writers before reading the case's history
    history = _case_history(conn, case_id)
    if history is None:
        raise DecisionError(f"case {case_id} does not exist")
    standing = [a for _, a in _standing(history)]
    _, tier = _derive_state(standing)
    status, new_tier = _derive_state([*standing, action])
    pack_row, policy_version = None, None
    if pack is not None and policy_code is not None:
        pack_row, policy_version = _pack_version_id(session, conn, pack), pack.version
    decision_id = _insert_decision(
        session,
        conn,
        case_id=case_id,
        reviewer=reviewer,
        action=action,
        tier=tier,
        now=now,
        session_id=session_id,
        policy_code=policy_code,
        pack_version_row=pack_row,
        policy_version=policy_version,
        note=note,
        handle_ms=handle_ms,
        revealed=revealed,
        new_status=status,
        new_tier=new_tier,
        unclaim=status != "open",
        last_link=(history[0][4], history[0][5]),
    )
    return DecisionResult(decision_id, case_id, action, status, policy_code=policy_code)


def undo_last(
    db: Database, *, reviewer: Reviewer, session_id: uuid.UUID | None, now: datetime | None = None
) -> DecisionResult | None:
    """Reverse this reviewer's most recent standing decision in the session; None if nothing is left."""
    now = _utc(now)
    with db.write() as session:
        conn = _write_connection(session)
        lock_chain(conn)
        if session_id is None:
            target = conn.execute(_LAST_UNDOABLE, {"b_reviewer": reviewer.id}).first()
        else:
            target = conn.execute(
                _LAST_UNDOABLE_IN_SESSION, {"b_reviewer": reviewer.id, "b_session": session_id}
            ).first()
        if target is None:
            return None
        target_id, case_id = target
        history = _case_history(conn, case_id)
        assert history is not None  # the decision's foreign key keeps its case
        status, tier = _derive_state(a for d, a in _standing(history) if d != target_id)
        undo_id = _insert_decision(
            session,
            conn,
            case_id=case_id,
            reviewer=reviewer,
            action=UNDO,
            tier=tier,
            now=now,
            session_id=session_id,
            reverses_id=target_id,
            new_status=status,
            new_tier=tier,
            unclaim=False,
            last_link=(history[0][4], history[0][5]),
        )
        return DecisionResult(undo_id, case_id, UNDO, status, reverses_id=target_id)


def claim_case(
    db: Database,
    case_id: uuid.UUID,
    holder: uuid.UUID,
    *,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
) -> bool:
    """Take the lease on a case unless another holder has a live one. Atomic across processes.

    ``holder`` is the review *session* id, not the reviewer's: two app instances signed in as the same
    reviewer are two holders, so they can never both work on one case.
    """
    now = now or utcnow()
    with db.write() as session:
        result = session.execute(
            update(Case)
            .where(
                Case.id == case_id,
                or_(Case.claimed_by.is_(None), Case.claimed_by == holder, Case.claim_expires_at < now),
            )
            .values(claimed_by=holder, claim_expires_at=now + lease)
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)  # an UPDATE's result is one; Session.execute is typed wider
        return result.rowcount == 1


def release_claim(db: Database, case_id: uuid.UUID, holder: uuid.UUID) -> None:
    """Give the lease back; does nothing if ``holder`` no longer holds it."""
    with db.write() as session:
        session.execute(
            update(Case)
            .where(Case.id == case_id, Case.claimed_by == holder)
            .values(claimed_by=None, claim_expires_at=None)
            .execution_options(synchronize_session=False)
        )
