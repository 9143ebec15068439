"""Record tables of policy work (schema 0013): policy gaps reviewers flag, the source text of every pack
version the app has used or a lead installed, and which pack version each reviewer has seen.

All three are record tables (``reviewer.audit.snapshots.RECORD_MODELS``): each write is audited with a
snapshot of the whole row, nothing is deleted, and the team sync carries them to other workstations.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from reviewer.clock import utcnow
from reviewer.models.base import Base
from reviewer.models.types import UTCDateTime, new_id

GAP_STATUSES = ("open", "closed")
#: Where a stored pack source came from: installed by a person, or the pack shipped with the app (kept so
#: a diff always has both sides; it never outranks an installed pack).
SOURCE_ORIGINS = ("installed", "built-in")


class PolicyGap(Base):
    """A case flagged as showing a gap in the policy: content the pack does not cover well, or an
    ambiguous section. Anyone flags; a lead closes with a note."""

    __tablename__ = "policy_gap"
    __table_args__ = (
        Index("ix_policy_gap_status", "status", "created_at"),
        Index("ix_policy_gap_case", "case_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case.id"))
    reviewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reviewer.id"))
    policy_code: Mapped[str | None] = mapped_column(String(32), nullable=True)  # the section considered
    pack_version: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(8), default="open")
    closed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closing_note: Mapped[str] = mapped_column(Text, default="")


class PolicyPackSource(Base):
    """The exact text of one pack version; its id is the ``policy_pack_version`` row's id."""

    __tablename__ = "policy_pack_source"

    id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policy_pack_version.id"), primary_key=True)
    pack_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16), default="installed")
    installed_by: Mapped[str] = mapped_column(String(64))
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PolicyPackSeen(Base):
    """A reviewer started a session under a pack version other than the one they last worked under."""

    __tablename__ = "policy_pack_seen"
    __table_args__ = (Index("ix_policy_pack_seen_reviewer", "reviewer_id", "seen_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    reviewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reviewer.id"))
    pack_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policy_pack_version.id"))
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("review_session.id"), nullable=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
