"""A lead overriding a decided case: its own action, with a required reason, never a race.

The override names the decision it replaces (``replaces``: what the lead was looking at). Inside one
transaction it checks that this decision still stands and that no other session holds the case, then
writes an undo of every standing decision and the lead's new decision, both noting the reason, recorded
in one audit event. If anything changed meanwhile, nothing is written and the conflict says what.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Connection

from reviewer.actions import UNDO
from reviewer.audit.chain import lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.conflicts import CaseAlreadyDecided, CaseHeld, DecisionError, NotALead
from reviewer.decisions import (
    DecisionResult,
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

#: What a lead may decide instead: every deciding action (not undo, note or skip).
OVERRIDE_ACTIONS = ("keep", "remove", "restrict", "escalate", "warn", "strike", "suspend")


def may_override(reviewer: Reviewer) -> bool:
    """Only a lead may override a decided case."""
    return reviewer.role == "lead"


def override_decision(
    db: Database,
    *,
    case_id: uuid.UUID,
    lead: Reviewer,
    replaces: uuid.UUID,
    action: str,
    reason: str,
    policy_code: str | None = None,
    pack: PolicyPack | None = None,
    session_id: uuid.UUID | None = None,
    now: datetime | None = None,
    also: Callable[[Connection, uuid.UUID], None] | None = None,
) -> DecisionResult:
    """Replace the standing decision ``replaces`` on a case with the lead's ``action``.

    Raises NotALead, DecisionError (no reason, bad action/policy), CaseAlreadyDecided (``replaces`` no
    longer stands: someone changed the case meanwhile) or CaseHeld (another session holds it).
    """
    if not may_override(lead):
        raise NotALead(f"{lead.handle} is not a lead; only a lead may override a decision")
    reason = reason.strip()
    if not reason:
        raise DecisionError("an override needs a reason")
    if action not in OVERRIDE_ACTIONS:
        raise DecisionError(f"an override decides the case; '{action}' does not")
    validate_action(action, policy_code, pack)
    now = as_utc(now)
    with db.write() as session:
        conn = write_connection(session)
        source = lock_chain(conn)
        pack_row = None
        if pack is not None and policy_code is not None:
            pack_row = pack_version_row(session, conn, pack, actor=lead.handle)
        history = case_history(conn, case_id, source)
        if history is None:
            raise DecisionError(f"case {case_id} does not exist")
        state = CaseState.of(history[0])
        standing = standing_of(history)
        deciding = [d for d, a in standing if a != "note"]
        if not deciding or deciding[-1] != replaces:
            raise CaseAlreadyDecided(case_id, standing_decision(conn, case_id), state.status)
        if state.held_by_other(session_id, now):
            raise CaseHeld(case_id, holder_of(conn, state))
        remaining = [a for d, a in standing if d not in deciding]
        _, tier = derive_state(remaining)
        status, new_tier = derive_state([*remaining, action])
        note = f"lead override: {reason}"
        undos = [
            NewDecision(
                case_id=case_id,
                reviewer_id=lead.id,
                session_id=session_id,
                action=UNDO,
                tier=tier,
                created_at=now,
                note=note,
                reverses_id=d,
            )
            for d in deciding
        ]
        decision = NewDecision(
            case_id=case_id,
            reviewer_id=lead.id,
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
            actor=lead.handle,
            rows=[*undos, decision],
            history=history,
            status=status,
            tier=new_tier,
            lease=(None, None),
            kind="override",
            payload={"reason": reason, "replaces": str(replaces)},
        )
        if also is not None:  # what else the override settles, in its transaction (a sync conflict)
            also(conn, ids[-1])
    note_appended(db)
    return DecisionResult(ids[-1], case_id, action, status, reverses_id=replaces, policy_code=policy_code)
