"""A decision that follows a standing one, written with the record that asked for it (a QA adjudication,
an appeal's outcome) in one transaction: never an edit of the original.

``replace=False`` (*confirm*): a new decision with its own action beside the standing one, which stays.
``replace=True`` (*replace*): an undo of every standing decision and the new decision, like a lead's
override (``reviewer.overrides``) but open to any reviewer the caller's rule admits. Either way the
original must still be the standing decision (else CaseAlreadyDecided) and the ``also`` callback writes
the caller's row (and its audit event) on the same connection, after the decisions.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from reviewer.actions import UNDO
from reviewer.audit.chain import lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.conflicts import CaseAlreadyDecided, CaseHeld, DecisionError
from reviewer.decisions import (
    NewDecision,
    as_utc,
    case_history,
    cited_policy,
    derive_state,
    standing_of,
    validate_action,
    write_connection,
    write_decisions,
)
from reviewer.leases import CaseState, holder_of, standing_decision
from reviewer.models import Reviewer
from reviewer.pack_versions import pack_version_row
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database

#: The actions that decide a case (what a QA verdict, an adjudication or an appeal outcome may be).
DECIDING_ACTIONS = ("keep", "remove", "restrict", "warn", "strike", "suspend")


@dataclass(frozen=True)
class FollowUp:
    decision_id: uuid.UUID  # the new decision
    undo_id: uuid.UUID | None  # the undo of the original (replace only)
    status: str


def follow_decision(
    db: Database,
    *,
    case_id: uuid.UUID,
    reviewer: Reviewer,
    original: uuid.UUID,
    action: str,
    policy_code: str | None,
    pack: PolicyPack | None,
    note: str,
    replace: bool,
    kind: str,
    also: Callable[[Connection, FollowUp], None],
    now: datetime | None = None,
) -> FollowUp:
    if action not in DECIDING_ACTIONS:
        raise DecisionError(f"'{action}' does not decide a case")
    validate_action(action, policy_code, pack)
    return write_follow_up(
        db,
        case_id=case_id,
        reviewer=reviewer,
        original=original,
        action=action,
        policy_code=policy_code,
        pack=pack,
        note=note,
        replace=replace,
        kind=kind,
        payload={"follows": str(original), "replace": replace},
        also=also,
        now=now,
    )


def write_follow_up(
    db: Database,
    *,
    case_id: uuid.UUID,
    reviewer: Reviewer,
    original: uuid.UUID,
    action: str,
    policy_code: str | None,
    pack: PolicyPack | None,
    note: str,
    replace: bool,
    kind: str,
    payload: dict[str, object],
    also: Callable[[Connection, FollowUp], None] | None = None,
    session_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> FollowUp:
    """The one transaction behind a follow-up and a lead's override (``reviewer.overrides``), for an
    action its caller has already checked: ``original`` must still be the standing decision and no other
    session may hold the case; then the undos (``replace``), the new decision, one audit event of ``kind``
    with ``payload``, and ``also`` on the same connection."""
    now = as_utc(now)
    with db.write() as session:
        conn = write_connection(session)
        source = lock_chain(conn)
        pack_row = None
        if pack is not None and policy_code is not None:
            pack_row = pack_version_row(session, conn, pack, actor=reviewer.handle)
        history = case_history(conn, case_id, source)
        if history is None:
            raise DecisionError(f"case {case_id} does not exist")
        state = CaseState.of(history[0])
        standing = standing_of(history)
        deciding = [d for d, a in standing if a != "note"]
        if not deciding or deciding[-1] != original:
            raise CaseAlreadyDecided(case_id, standing_decision(conn, case_id), state.status)
        if state.held_by_other(session_id, now):
            raise CaseHeld(case_id, holder_of(conn, state))
        replaced = deciding if replace else []
        remaining = [a for d, a in standing if d not in replaced]
        _, tier = derive_state(remaining)
        status, new_tier = derive_state([*remaining, action])
        undos = [
            NewDecision(
                case_id=case_id,
                reviewer_id=reviewer.id,
                session_id=session_id,
                action=UNDO,
                tier=tier,
                created_at=now,
                note=note,
                reverses_id=d,
            )
            for d in replaced
        ]
        decision = NewDecision(
            case_id=case_id,
            reviewer_id=reviewer.id,
            session_id=session_id,
            action=action,
            tier=tier,
            created_at=now + timedelta(microseconds=1),  # after the undos, in every ordering by time
            **cited_policy(pack, policy_code, pack_row),
            note=note,
        )
        ids = write_decisions(
            session,
            conn,
            actor=reviewer.handle,
            rows=[*undos, decision],
            history=history,
            status=status,
            tier=new_tier,
            lease=(None, None),
            kind=kind,
            payload=payload,
        )
        result = FollowUp(ids[-1], ids[0] if replace else None, status)
        if also is not None:
            also(conn, result)
    note_appended(db)
    return result
