"""What the investigation functions hand out: frozen values, and the refusals they raise."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

#: The longest title an investigation may have (the column's width).
TITLE_MAX = 200


class InvestigationError(ValueError):
    """A refused investigation write or an unknown reference; ``str()`` is one line for a person."""


class InvestigationNotFound(InvestigationError):
    pass


class InvestigationClosed(InvestigationError):
    pass


class StaleFindings(InvestigationError):
    """The findings changed since the editor read them (another save, a close, a sync)."""


@dataclass(frozen=True)
class Findings:
    """The reviewer-written head and narrative of an investigation (stored plain)."""

    summary: str = ""
    risk_assessment: str = ""
    recommended_actions: str = ""
    policy_gaps: str = ""
    findings_md: str = ""

    FIELDS: ClassVar[tuple[str, ...]] = (
        "summary",
        "risk_assessment",
        "recommended_actions",
        "policy_gaps",
        "findings_md",
    )


@dataclass(frozen=True)
class MemberResult:
    """What an add did: ``added`` False when the thing was a member already (nothing written)."""

    member_id: uuid.UUID
    added: bool
    label: str


@dataclass(frozen=True)
class InvestigationSummary:
    id: uuid.UUID
    title: str
    status: str
    created_by: str  # the reviewer's handle
    created_at: datetime
    updated_at: datetime
    members: int  # current (not removed) members
    notes: int


@dataclass(frozen=True)
class MemberView:
    """A current member. ``label``: the case's external id, the account's ``platform:handle``, or
    ``EXT_ID item N`` (imported text: show it through ``reviewer.display.visible``)."""

    id: uuid.UUID
    kind: str  # account | case | item
    label: str
    account_id: uuid.UUID | None
    case_id: uuid.UUID | None
    item_id: uuid.UUID | None
    channel: str  # the case's channel code ("" for an account)
    added_by: str
    added_at: datetime
    note: str


@dataclass(frozen=True)
class NoteView:
    id: uuid.UUID
    author: str
    body: str
    created_at: datetime
    case_id: uuid.UUID | None
    external_id: str  # of case_id, "" when none


@dataclass(frozen=True)
class InvestigationView:
    id: uuid.UUID
    title: str
    status: str
    created_by: str
    created_at: datetime
    updated_at: datetime  # pass it back to save_findings (the stale-write check)
    findings: Findings
    members: tuple[MemberView, ...]
    notes: tuple[NoteView, ...]

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def member_case_ids(self) -> list[uuid.UUID]:
        return [m.case_id for m in self.members if m.kind == "case" and m.case_id is not None]

    def member_account_ids(self) -> list[uuid.UUID]:
        return [m.account_id for m in self.members if m.kind == "account" and m.account_id is not None]
