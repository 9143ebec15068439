"""Typed SQLAlchemy 2.0 models of the review domain.

The metrics rollups' models (``reviewer.models.metrics``, schema 0009) are not imported here: nothing
reads those tables through them (``reviewer.metrics`` queries them in SQL), so the app's start builds
neither their nine classes nor their mappers. What needs every table (the migrations' comparison with the
models) asks :func:`complete_metadata`.
"""

from sqlalchemy import MetaData

from reviewer.models.base import Base, table_of
from reviewer.models.dsa import SorAmendment
from reviewer.models.entities import (
    CASE_STATUSES,
    ITEM_KINDS,
    REVIEWER_ROLES,
    WORKABLE_STATUSES,
    Account,
    Case,
    Channel,
    Item,
    Reviewer,
)
from reviewer.models.investigations import (
    INVESTIGATION_STATUSES,
    MEMBER_KINDS,
    Investigation,
    InvestigationMember,
    InvestigationNote,
)
from reviewer.models.policy_records import GAP_STATUSES, PolicyGap, PolicyPackSeen, PolicyPackSource
from reviewer.models.qa import APPEAL_STATUSES, QA_STATUSES, Appeal, QaRate, QaReview, QaSampleMark
from reviewer.models.records import (
    AuditCheckpoint,
    AuditEvent,
    AuditSource,
    Decision,
    PolicyPackVersion,
    RevealEvent,
    ReviewSession,
)
from reviewer.models.responses import RESPONSE_STATUSES, Response
from reviewer.models.sync import CONFLICT_RESOLUTIONS, ChangeLog, MediaBlob, SyncConflict, SyncState
from reviewer.models.types import UTCDateTime, new_id
from reviewer.models.vault import CaseTerm, CommonTerm, VaultRecord
from reviewer.models.wellbeing import BREAK_KINDS, BreakRecord


def complete_metadata() -> MetaData:
    """``Base.metadata`` with every table of the schema, the metrics rollups' included."""
    import reviewer.models.metrics  # noqa: F401 (registers its tables on Base.metadata)

    return Base.metadata


__all__ = [
    "BREAK_KINDS",
    "BreakRecord",
    "CONFLICT_RESOLUTIONS",
    "GAP_STATUSES",
    "ChangeLog",
    "CASE_STATUSES",
    "INVESTIGATION_STATUSES",
    "ITEM_KINDS",
    "MEMBER_KINDS",
    "REVIEWER_ROLES",
    "WORKABLE_STATUSES",
    "Account",
    "AuditCheckpoint",
    "AuditEvent",
    "AuditSource",
    "Base",
    "Case",
    "CaseTerm",
    "CommonTerm",
    "Channel",
    "complete_metadata",
    "Decision",
    "Investigation",
    "InvestigationMember",
    "InvestigationNote",
    "Item",
    "MediaBlob",
    "PolicyGap",
    "PolicyPackSeen",
    "PolicyPackSource",
    "PolicyPackVersion",
    "RESPONSE_STATUSES",
    "Response",
    "RevealEvent",
    "ReviewSession",
    "Reviewer",
    "SyncConflict",
    "SyncState",
    "UTCDateTime",
    "VaultRecord",
    "new_id",
    "table_of",
    "SorAmendment",
    "APPEAL_STATUSES",
    "QA_STATUSES",
    "Appeal",
    "QaRate",
    "QaReview",
    "QaSampleMark",
]
