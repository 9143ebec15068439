"""Record tables of QA and appeals (schema 0014): the QA sample rates, the blind second reviews of
sampled decisions (with a lead's adjudication of a disagreement) and imported appeals with their outcome.

All three are record tables (``reviewer.audit.snapshots.RECORD_MODELS``): each write is audited with a
snapshot of the whole row, nothing is deleted, and the team sync carries them. A QA item's id is derived
from its decision's id and an appeal's from its external id (``uuid5``), so two workstations that sample
the same decision or import the same appeal write the same row. Decision ids are plain columns (no
foreign key): the ``decision`` table is untouched and a record may arrive before its decision. Each write
sets ``updated_at``, so the team sync keeps the newest state of a row (``reviewer.sync.records``).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from reviewer.clock import utcnow
from reviewer.models.base import Base
from reviewer.models.types import UTCDateTime, new_id

#: open: waits for a second reviewer; agreed / disagreed: verdict given (a disagreement waits for a lead);
#: adjudicated: a lead decided; withdrawn: the sampled decision was undone before the verdict.
QA_STATUSES = ("open", "agreed", "disagreed", "adjudicated", "withdrawn")
#: open: waits for a reviewer; upheld / overturned: worked; withdrawn: the decision no longer stands.
APPEAL_STATUSES = ("open", "upheld", "overturned", "withdrawn")


class QaRate(Base):
    """A QA sample rate for a policy code and a channel code (``*``: any); the newest row of a pair wins."""

    __tablename__ = "qa_rate"
    __table_args__ = (Index("ix_qa_rate_pair", "policy_code", "channel_code", "set_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    policy_code: Mapped[str] = mapped_column(String(32))
    channel_code: Mapped[str] = mapped_column(String(32))
    rate: Mapped[float] = mapped_column(Float)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QaReview(Base):
    """One sampled decision and its blind second review."""

    __tablename__ = "qa_review"
    __table_args__ = (
        Index("ix_qa_review_status", "status", "sampled_at"),
        Index("ix_qa_review_decision", "decision_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    decision_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case.id"))
    first_reviewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reviewer.id"))
    first_action: Mapped[str] = mapped_column(String(32))
    first_policy: Mapped[str | None] = mapped_column(String(32), nullable=True)
    channel_code: Mapped[str] = mapped_column(String(32))
    rate: Mapped[float] = mapped_column(Float)
    sampled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="open")
    second_reviewer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    verdict_action: Mapped[str | None] = mapped_column(String(32), nullable=True)
    verdict_policy: Mapped[str | None] = mapped_column(String(32), nullable=True)
    verdict_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    agreed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    adjudicated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    adjudication_decision_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    adjudicated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    adjudication_note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # the sync keeps the newest


class Appeal(Base):
    """An imported appeal against a decided case, and how it ended. ``statement`` is sealed (vault)."""

    __tablename__ = "appeal"
    __table_args__ = (
        Index("ix_appeal_status", "status", "appealed_at"),
        Index("ix_appeal_external", "external_id", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    external_id: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case.id"))
    original_decision_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    original_reviewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reviewer.id"))
    statement: Mapped[str] = mapped_column(Text)
    appealed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="open")
    worked_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    outcome_decision_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    undo_decision_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # the sync keeps the newest


class QaSampleMark(Base):
    """This database's own progress of the sampling step on SQLite: the highest ``decision`` rowid it has
    considered (rows are never deleted, so rowids only grow; a pulled decision gets a new one). Not a record
    table: each working copy keeps its own; a team server (PostgreSQL) scans every decision instead."""

    __tablename__ = "qa_sample_mark"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_rowid: Mapped[int] = mapped_column(BigInteger, default=0)
