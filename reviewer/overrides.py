"""A lead overriding a decided case: its own action, with a required reason, never a race.

The override names the decision it replaces (``replaces``: what the lead was looking at). Inside one
transaction it checks that this decision still stands and that no other session holds the case, then
writes an undo of every standing decision and the lead's new decision, both noting the reason, recorded
in one audit event. If anything changed meanwhile, nothing is written and the conflict says what.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection

from reviewer.conflicts import DecisionError, NotALead
from reviewer.decisions import (
    DecisionResult,
    validate_action,
)
from reviewer.followup import FollowUp, write_follow_up
from reviewer.models import Reviewer
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

    def settle(conn: Connection, made: FollowUp) -> None:  # what else the override settles (a sync conflict)
        if also is not None:
            also(conn, made.decision_id)

    made = write_follow_up(
        db,
        case_id=case_id,
        reviewer=lead,
        original=replaces,
        action=action,
        policy_code=policy_code,
        pack=pack,
        note=f"lead override: {reason}",
        replace=True,
        kind="override",
        payload={"reason": reason, "replaces": str(replaces)},
        also=settle,
        session_id=session_id,
        now=now,
    )
    return DecisionResult(
        made.decision_id, case_id, action, made.status, reverses_id=replaces, policy_code=policy_code
    )
