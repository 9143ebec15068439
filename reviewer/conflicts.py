"""Why a decision, an undo or a claim was refused: typed, with what the window needs to say so.

``CaseAlreadyDecided`` carries the standing decision (who, when, what, under which policy) and
``CaseHeld`` the lease holder, so the window can show "Decided by alice at 06:01: Remove under VIO-1"
instead of a bare failure. Nothing is written when one of these is raised.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


class DecisionError(ValueError):
    """The decision cannot be recorded as asked (unknown action, missing or wrong policy code, …)."""


@dataclass(frozen=True)
class StandingDecision:
    """The decision that stands on a case: what another reviewer decided, and when."""

    decision_id: uuid.UUID
    reviewer_handle: str
    decided_at: datetime
    action: str
    policy_code: str | None

    def describe(self) -> str:
        under = f" under {self.policy_code}" if self.policy_code else ""
        return f"{self.reviewer_handle} decided {self.action}{under} at {self.decided_at:%Y-%m-%d %H:%M} UTC"


@dataclass(frozen=True)
class LeaseHolder:
    """Who holds a case's lease, and until when."""

    session_id: uuid.UUID
    reviewer_handle: str
    expires_at: datetime


class CaseConflict(DecisionError):
    """Someone else's work on the case stands in the way; nothing was written."""

    case_id: uuid.UUID


class CaseAlreadyDecided(CaseConflict):
    """The case is no longer open (or was decided again after the decision to undo)."""

    def __init__(self, case_id: uuid.UUID, standing: StandingDecision | None, status: str) -> None:
        self.case_id, self.standing, self.status = case_id, standing, status
        what = standing.describe() if standing else f"the case is {status}"
        super().__init__(f"Already decided: {what}.")


class CaseHeld(CaseConflict):
    """Another review session holds an unexpired lease on the case (the deciding session lost it or
    never had it)."""

    def __init__(self, case_id: uuid.UUID, holder: LeaseHolder) -> None:
        self.case_id, self.holder = case_id, holder
        super().__init__(
            f"{holder.reviewer_handle} holds this case until {holder.expires_at:%H:%M} UTC; nothing was saved."
        )


#: The name the issue uses: a decision whose session's lease was taken over raises this.
LeaseLost = CaseHeld


class PolicyPackChanged(DecisionError):
    """A pack file was edited without a new version: decisions would cite content that changed."""


class NotALead(DecisionError):
    """Only a lead may override a decided case."""
