"""Investigations: a reviewer's set of accounts, cases and items, their notes and written findings.

Record tables (see ``reviewer.audit.snapshots.RECORD_MODELS``): every write re-snapshots the whole row in
its audit event, nothing is ever deleted (a member leaves by ``removed_at``, an investigation closes by
``status``). The findings and notes are reviewer-written text, stored plain like a decision's rationale.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from reviewer.clock import utcnow
from reviewer.models.base import Base
from reviewer.models.types import UTCDateTime, new_id

INVESTIGATION_STATUSES = ("open", "closed")
MEMBER_KINDS = ("account", "case", "item")


class Investigation(Base):
    __tablename__ = "investigation"
    __table_args__ = (Index("ix_investigation_status", "status", "updated_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("reviewer.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    summary: Mapped[str] = mapped_column(Text, default="")
    risk_assessment: Mapped[str] = mapped_column(Text, default="")
    recommended_actions: Mapped[str] = mapped_column(Text, default="")
    policy_gaps: Mapped[str] = mapped_column(Text, default="")
    findings_md: Mapped[str] = mapped_column(Text, default="")


class InvestigationMember(Base):
    """An account, case or item gathered into an investigation (one of the three ids is set)."""

    __tablename__ = "investigation_member"
    __table_args__ = (
        Index("ix_investigation_member_inv", "investigation_id", "added_at"),
        Index("ix_investigation_member_case", "case_id"),
        Index("ix_investigation_member_account", "account_id"),
        Index("ix_investigation_member_item", "item_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    investigation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("investigation.id"))
    kind: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case.id"), nullable=True)
    item_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("item.id"), nullable=True)
    added_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("reviewer.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class InvestigationNote(Base):
    __tablename__ = "investigation_note"
    __table_args__ = (Index("ix_investigation_note_inv", "investigation_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    investigation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("investigation.id"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reviewer.id"))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case.id"), nullable=True)
