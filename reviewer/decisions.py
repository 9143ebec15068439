"""Recording decisions: validated, lease-checked, audited and committed durably in one transaction.

Nothing is updated in place: an undo is a new decision that reverses an earlier one, and the case's
status is recomputed from the decisions that still stand. A decision is written only if, inside its own
transaction, the deciding session may decide the case (``reviewer.leases.check_may_decide``): the case is
not decided and no other session holds it. An open, unheld case is claimed by the decision itself, so
callers without a window (CLI, demo, bench) simply decide. Otherwise ``CaseAlreadyDecided`` or
``CaseHeld`` says who decided or holds it, and nothing is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from reviewer.actions import ACTION_KINDS, UNDO
from reviewer.audit.chain import append_event_core, lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.audit.snapshots import snapshot
from reviewer.case_history import KEPT_NOT_APPLIED, case_history
from reviewer.clock import utcnow
from reviewer.conflicts import CaseAlreadyDecided, CaseHeld, DecisionError, StandingDecision
from reviewer.decision_sqlite import StoredDecision, history_as_stored, write_as_stored
from reviewer.leases import (
    DEFAULT_LEASE,
    CaseState,
    check_may_decide,
    claim_case,
    holder_of,
    release_claim,
    standing_decision,
    write_state,
)
from reviewer.models import Case, Decision, Reviewer, table_of
from reviewer.pack_versions import Pending, pack_version_row, remember
from reviewer.policy import PolicyPack, PolicyRuleError
from reviewer.storage.database import Database
from reviewer.storage.prepared import Prepared
from reviewer.tiers import DEFAULT_MAX_TIER, check_escalation, check_handoff_note

__all__ = [
    "DEFAULT_LEASE",
    "CaseAlreadyDecided",
    "CaseHeld",
    "DecisionError",
    "DecisionResult",
    "StandingDecision",
    "check_escalation",
    "claim_case",
    "record_decision",
    "record_decision_in",
    "release_claim",
    "undo_last",
]


@dataclass(frozen=True)
class DecisionResult:
    decision_id: uuid.UUID
    case_id: uuid.UUID
    action: str
    case_status: str
    reverses_id: uuid.UUID | None = None
    policy_code: str | None = None
    #: Every case an undo of a bulk reversed (this one included), in the bulk's order; () otherwise.
    bulk_cases: tuple[uuid.UUID, ...] = ()


# The write path runs Core statements on the write session's connection: no ORM objects, identity map
# or autoflush per decision. The statements are built once, with bound parameters only, so SQLAlchemy's
# compiled cache serves every call after the first.
_cases = table_of(Case)
_decisions = table_of(Decision)
_INSERT_DECISION = Prepared(insert(_decisions), [c.key for c in _decisions.columns])
_UNDONE = select(_decisions.c.reverses_id).where(_decisions.c.reverses_id.is_not(None))
_LAST_UNDOABLE = (
    select(_decisions.c.id, _decisions.c.case_id, _decisions.c.bulk_id)
    .where(
        _decisions.c.reviewer_id == bindparam("b_reviewer"),
        _decisions.c.action != UNDO,
        _decisions.c.id.not_in(_UNDONE),
        _decisions.c.id.not_in(KEPT_NOT_APPLIED),
    )
    .order_by(_decisions.c.created_at.desc())
    .limit(1)
)
_LAST_UNDOABLE_IN_SESSION = _LAST_UNDOABLE.where(_decisions.c.session_id == bindparam("b_session"))
#: The standing decisions of one bulk apply, in the order they were written.
_BULK_STANDING = (
    select(_decisions.c.id, _decisions.c.case_id)
    .where(_decisions.c.bulk_id == bindparam("b_bulk"), _decisions.c.id.not_in(_UNDONE))
    .order_by(_decisions.c.created_at, _decisions.c.case_id)
)
_CASE_STATE_ATTRS = ["status", "tier", "claimed_by", "claim_expires_at", "state_seq"]


def max_tier_of(pack: PolicyPack | None) -> int:
    """The highest tier a case can reach: the pack's, or the default three without a pack."""
    return DEFAULT_MAX_TIER if pack is None else pack.max_tier


def validate_action(
    action: str, policy_code: str | None, pack: PolicyPack | None, rationale: str = ""
) -> None:
    """The pack's rules for one decision: the action exists, cites a section that allows it when it must,
    and carries a rationale where the section requires one. Raises DecisionError saying which."""
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
        pack.check_allowed(policy_code, action)  # the rule the UI asks too
        pack.check_rationale(policy_code, action, rationale)
    except PolicyRuleError as exc:
        raise DecisionError(str(exc)) from exc


def standing_of(history: Sequence[Any]) -> list[tuple[uuid.UUID, str]]:
    """``(id, action)`` of the decisions that have not been undone, oldest first."""
    reversed_ids = {r.reverses_id for r in history if r.action == UNDO}
    return [
        (r.decision_id, r.action)
        for r in history
        if r.decision_id is not None and r.action != UNDO and r.decision_id not in reversed_ids
    ]


#: One standing decision as the case state sees it: its action, or its action and an escalation's target.
Step = str | tuple[str, int | None]


def derive_state(steps: Iterable[Step]) -> tuple[str, int]:
    """Case status and tier from the standing decisions, oldest first: an escalation goes to its target
    tier, or to the next one when it has none."""
    status, tier = "open", 1
    for step in steps:
        action, to_tier = (step, None) if isinstance(step, str) else step
        kind = ACTION_KINDS[action]
        if kind.status is not None:
            status = kind.status
        if action == "escalate":
            tier = max(tier + 1, to_tier or 0)
    return status, tier


def standing_steps(history: Sequence[Any], without: frozenset[uuid.UUID] = frozenset()) -> list[Step]:
    """The standing decisions of ``history`` (but ``without``) as :func:`derive_state` reads them."""
    targets = {r.decision_id: r.to_tier for r in history if r.decision_id is not None}
    return [(a, targets[d]) for d, a in standing_of(history) if d not in without]


def as_utc(moment: datetime | None) -> datetime:
    if moment is None:
        return utcnow()
    if moment.tzinfo is None:
        raise ValueError("naive datetime given where UTC is required")
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def write_connection(session: Session) -> Connection:
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


def claim_after(
    status: str, session_id: uuid.UUID | None, now: datetime
) -> tuple[uuid.UUID | None, datetime | None]:
    """The lease a case keeps after a decision: the deciding session's while it stays workable (a note,
    an undo), none once it leaves the open state."""
    if status == "open" and session_id is not None:
        return session_id, now + DEFAULT_LEASE
    return None, None


@dataclass(frozen=True)
class NewDecision:
    """The column values of one decision row (every column: the audit event records them all)."""

    case_id: uuid.UUID
    reviewer_id: uuid.UUID
    session_id: uuid.UUID | None
    action: str
    tier: int
    created_at: datetime
    policy_code: str | None = None
    policy_pack_version_id: uuid.UUID | None = None
    policy_version: str | None = None
    policy_sha256: str | None = None
    note: str = ""
    handle_ms: int = 0
    revealed: bool = False
    reverses_id: uuid.UUID | None = None
    client_seq: int | None = None
    rationale: str = ""
    to_tier: int | None = None
    bulk_id: uuid.UUID | None = None

    def values(self, decision_id: uuid.UUID) -> dict[str, Any]:
        return {"id": decision_id, **self.__dict__, "revealed": bool(self.revealed)}


def cited_policy(
    pack: PolicyPack | None, policy_code: str | None, pack_row: uuid.UUID | None
) -> dict[str, Any]:
    """The policy columns of a decision: the code, and when a pack is cited its row, version and hash."""
    if pack is None or policy_code is None:
        return {"policy_code": policy_code}
    return {
        "policy_code": policy_code,
        "policy_pack_version_id": pack_row,
        "policy_version": pack.version,
        "policy_sha256": pack.sha256,
    }


def write_decisions(
    session: Session | None,
    conn: Connection,
    *,
    actor: str,
    rows: Sequence[NewDecision],
    history: Sequence[Row[Any]],
    status: str,
    tier: int,
    lease: tuple[uuid.UUID | None, datetime | None],
    kind: str = "decision",
    payload: dict[str, Any] | None = None,
    state: CaseState | None = None,
    source: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """Insert decisions, set the case's new status, tier and lease, append one event recording all of it.

    ``history`` is what ``case_history`` read in this transaction: the case's state and the chain's last
    link come from its first row. ``session``: the ORM session whose transaction ``conn`` is in, if any
    (a Case it loaded is expired); None for a Core-only write (``Database.write_core``). ``state``: the
    case state already read from ``history[0]``; ``source``: the chain ``lock_chain`` returned.
    """
    if state is None:
        state = CaseState.of(history[0])
    new_state = {"status": status, "tier": tier, "claimed_by": lease[0], "claim_expires_at": lease[1]}
    ids, snaps = [], []
    for row in rows:
        decision_id = uuid.uuid4()
        values = row.values(decision_id)
        _INSERT_DECISION.run(conn, values)
        ids.append(decision_id)
        snaps.append(snapshot("decision", values))
    new = write_state(conn, state, **new_state)
    if session is not None:
        _after_case_update(session, state.id)
    append_event_core(
        conn,
        actor=actor,
        kind=kind,
        subject=str(ids[0]),
        payload=payload,
        rows={"decision": snaps, "case": [new.snapshot()]},
        now=rows[0].created_at,
        locked=True,
        last=(history[0].chain_seq, history[0].chain_hash),
        source_id=source,
    )
    return ids


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
    rationale: str = "",
    to_tier: int | None = None,
) -> DecisionResult:
    """Validate, check the lease, write and commit one decision with its audit event; returns once durable.

    ``rationale`` is stored on the decision (required where the cited section says so, and for an
    escalation, whose hand-off note it is); ``to_tier`` is an escalation's target tier (default: the
    next; at most the pack's highest tier). Raises DecisionError for a decision the pack's rules
    refuse and CaseAlreadyDecided / CaseHeld when the case is not this session's to decide; nothing is
    written then.
    """
    # Checked before BEGIN IMMEDIATE (a refused decision takes no lock); the general path checks again
    # inside the write (the same rules on the same values: the SQLite path does not repeat them).
    rationale = rationale.strip()
    validate_action(action, policy_code, pack, rationale)
    check_handoff_note(action, rationale)
    pending: Pending = {}
    with db.write_core() as conn:  # Core statements only: no ORM Session around the transaction
        write: Callable[..., DecisionResult] = _record_sqlite if db.is_sqlite else partial(_record_in, None)
        result = write(
            conn,
            pending,
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
            rationale=rationale,
            to_tier=to_tier,
        )
    remember(pending)  # committed: the cited pack version's row id may be cached now
    note_appended(db)
    return result


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
    rationale: str = "",
    to_tier: int | None = None,
    bulk_id: uuid.UUID | None = None,
) -> DecisionResult:
    """``record_decision`` inside the caller's write transaction (several decisions, one commit); the
    decisions of one bulk apply share ``bulk_id``, so one undo reverses them all."""
    return _record_in(
        session,
        write_connection(session),
        None,
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
        rationale=rationale,
        to_tier=to_tier,
        bulk_id=bulk_id,
    )


def prepare_decision(
    session: Session | None,
    conn: Connection,
    pending: Pending | None,
    *,
    reviewer: Reviewer,
    action: str,
    policy_code: str | None,
    pack: PolicyPack | None,
    rationale: str,
    now: datetime | None,
    checked: bool = False,
) -> tuple[str, datetime, uuid.UUID, uuid.UUID | None]:
    """The first steps of every decision's write, inside its transaction: the pack's rules and the
    hand-off note checked again, the time fixed, the chain locked, the cited pack version's row found
    (or added, with its own event, before the decision's). Returns ``(rationale, now, source,
    pack_row)``: the stripped rationale, the decision's time in UTC, the chain and the pack row id.
    ``checked``: the caller has just checked these rules on these values (``record_decision``)."""
    rationale = rationale.strip()
    if not checked:
        validate_action(action, policy_code, pack, rationale)  # the rule, inside the write transaction
        check_handoff_note(action, rationale)  # an escalation says why the next tier sees the case
    now = as_utc(now)
    source = lock_chain(conn)  # first the chain, then the case row: one lock order for every writer
    pack_row = None
    if pack is not None and policy_code is not None:  # may append its own event: before the last link
        pack_row = pack_version_row(session, conn, pack, actor=reviewer.handle, pending=pending)
    return rationale, now, source, pack_row


def rule_on(
    conn: Connection,
    state: CaseState,
    history: Sequence[Any],
    *,
    action: str,
    to_tier: int | None,
    pack: PolicyPack | None,
    session_id: uuid.UUID | None,
    now: datetime,
) -> tuple[int, str, int]:
    """The rules one decision meets inside its transaction, on the case's state and ``history`` (rows as
    ``case_history`` reads them; ids may be compared in any one form): this session may decide it, an
    escalation goes to a tier that exists. Returns ``(tier, status, new_tier)``: the tier it is decided
    at, and the case's status and tier after it."""
    check_may_decide(conn, state, session_id, now)
    standing = standing_steps(history)
    _, tier = derive_state(standing)
    check_escalation(action, to_tier, tier, max_tier_of(pack))
    status, new_tier = derive_state([*standing, (action, to_tier)])
    return tier, status, new_tier


def _record_in(
    session: Session | None,
    conn: Connection,
    pending: Pending | None,
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
    rationale: str = "",
    to_tier: int | None = None,
    bulk_id: uuid.UUID | None = None,
) -> DecisionResult:
    rationale, now, source, pack_row = prepare_decision(
        session,
        conn,
        pending,
        reviewer=reviewer,
        action=action,
        policy_code=policy_code,
        pack=pack,
        rationale=rationale,
        now=now,
    )
    history = case_history(conn, case_id, source)
    if history is None:
        raise DecisionError(f"case {case_id} does not exist")
    state = CaseState.of(history[0])
    tier, status, new_tier = rule_on(
        conn, state, history, action=action, to_tier=to_tier, pack=pack, session_id=session_id, now=now
    )
    row = NewDecision(
        case_id=case_id,
        reviewer_id=reviewer.id,
        session_id=session_id,
        action=action,
        tier=tier,
        created_at=now,
        **cited_policy(pack, policy_code, pack_row),
        note=note,
        handle_ms=handle_ms,
        revealed=revealed,
        rationale=rationale,
        to_tier=to_tier,
        bulk_id=bulk_id,
    )
    decision_id = _write_one(session, conn, reviewer, row, history, status, new_tier, state, source)
    return DecisionResult(decision_id, case_id, action, status, policy_code=policy_code)


def _record_sqlite(
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
    """``_record_in`` for ``record_decision`` on SQLite: the same rules, the history read and the rows
    written in SQLite's stored formats (``reviewer.decision_sqlite``)."""
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
        checked=True,  # by record_decision, its only caller, on these values
    )
    read = history_as_stored(conn, case_id, source)
    if read is None:
        raise DecisionError(f"case {case_id} does not exist")
    history, state = read
    tier, status, new_tier = rule_on(
        conn, state, history, action=action, to_tier=to_tier, pack=pack, session_id=session_id, now=now
    )
    cited = cited_policy(pack, policy_code, pack_row)
    row = StoredDecision(
        case_id,
        reviewer,
        session_id,
        action,
        policy_code,
        pack_row,
        cited.get("policy_version"),
        cited.get("policy_sha256"),
        note,
        handle_ms,
        revealed,
        rationale,
        to_tier,
        now,
    )
    decision_id = write_as_stored(
        conn,
        row,
        source=source,
        history=history,
        state=state,
        tier=tier,
        status=status,
        new_tier=new_tier,
        lease=claim_after(status, session_id, now),
    )
    return DecisionResult(decision_id, case_id, action, status, policy_code=policy_code)


def _write_one(
    session: Session | None,
    conn: Connection,
    reviewer: Reviewer,
    row: NewDecision,
    history: Sequence[Row[Any]],
    status: str,
    tier: int,
    state: CaseState,
    source: uuid.UUID,
) -> uuid.UUID:
    """Write one decision row with the case's new state; the lease follows the new status."""
    lease = claim_after(status, row.session_id, row.created_at)
    (decision_id,) = write_decisions(
        session,
        conn,
        actor=reviewer.handle,
        rows=[row],
        history=history,
        status=status,
        tier=tier,
        lease=lease,
        state=state,
        source=source,
    )
    return decision_id


def undo_last(
    db: Database, *, reviewer: Reviewer, session_id: uuid.UUID | None, now: datetime | None = None
) -> DecisionResult | None:
    """Reverse this reviewer's most recent standing decision in the session; None if nothing is left.

    A decision of a bulk apply is reversed with every other standing decision of that bulk, in this one
    transaction (``bulk_cases`` of the result lists their cases). Refused (CaseAlreadyDecided, nothing
    written) if someone decided one of the cases after it, and (CaseHeld) if another session holds one
    now. A case that is open again stays with this session.
    """
    now = as_utc(now)
    with db.write() as session:
        conn = write_connection(session)
        source = lock_chain(conn)
        if session_id is None:
            target = conn.execute(_LAST_UNDOABLE, {"b_reviewer": reviewer.id}).first()
        else:
            target = conn.execute(
                _LAST_UNDOABLE_IN_SESSION, {"b_reviewer": reviewer.id, "b_session": session_id}
            ).first()
        if target is None:
            return None
        targets = [(target.id, target.case_id)]
        if target.bulk_id is not None:
            targets = [(r.id, r.case_id) for r in conn.execute(_BULK_STANDING, {"b_bulk": target.bulk_id})]
        results = [
            _undo_one(session, conn, source, target_id, case_id, reviewer, session_id, now)
            for target_id, case_id in targets
        ]
    note_appended(db, len(results))
    last = next(r for r in results if r.reverses_id == target.id)
    if target.bulk_id is None:
        return last
    return DecisionResult(
        last.decision_id,
        last.case_id,
        UNDO,
        last.case_status,
        reverses_id=last.reverses_id,
        bulk_cases=tuple(r.case_id for r in results),
    )


def _undo_one(
    session: Session,
    conn: Connection,
    source: uuid.UUID,
    target_id: uuid.UUID,
    case_id: uuid.UUID,
    reviewer: Reviewer,
    session_id: uuid.UUID | None,
    now: datetime,
) -> DecisionResult:
    """Write the undo of one decision, if it is still the case's latest and no other session holds it."""
    history = case_history(conn, case_id, source)
    assert history is not None  # the decision's foreign key keeps its case
    state = CaseState.of(history[0])
    later = [r for r in history if r.decision_id is not None][-1]
    if later.decision_id != target_id:
        raise CaseAlreadyDecided(case_id, standing_decision(conn, case_id), state.status)
    if state.held_by_other(session_id, now):
        raise CaseHeld(case_id, holder_of(conn, state))
    status, tier = derive_state(standing_steps(history, frozenset({target_id})))
    row = NewDecision(
        case_id=case_id,
        reviewer_id=reviewer.id,
        session_id=session_id,
        action=UNDO,
        tier=tier,
        created_at=now,
        reverses_id=target_id,
    )
    undo_id = _write_one(session, conn, reviewer, row, history, status, tier, state, source)
    return DecisionResult(undo_id, case_id, UNDO, status, reverses_id=target_id)
