"""Append-only records: decisions, audit events, reveals, plus review sessions and pack versions.

Decisions and audit events are never updated or deleted: undo and appeal add rows that point back.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from reviewer.clock import utcnow
from reviewer.models.base import Base
from reviewer.models.types import UTCDateTime, new_id


class PolicyPackVersion(Base):
    __tablename__ = "policy_pack_version"
    __table_args__ = (UniqueConstraint("pack_id", "version", name="uq_policy_pack_version_pack_version"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    pack_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewSession(Base):
    __tablename__ = "review_session"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    reviewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reviewer.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    host: Mapped[str] = mapped_column(String(128), default="")
    # The workstation (audit source) the session ran on: its leases are the reviewer's again after a restart.
    source_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)


class Decision(Base):
    __tablename__ = "decision"
    __table_args__ = (
        Index("ix_decision_case", "case_id", "created_at"),
        Index("ix_decision_session", "session_id", "created_at"),
        Index("ix_decision_created", "created_at"),  # date ranges of the metrics (schema 0008)
        # Partial (schema 0017): almost every decision has neither, and a decision's commit should not
        # write index pages for NULLs. Partial on PostgreSQL too (the migration; see ix_case_claimed_by).
        Index("ix_decision_bulk", "bulk_id", sqlite_where=text("bulk_id IS NOT NULL")),
        Index(  # "was it undone" of v_decisions (schema 0008)
            "ix_decision_reverses", "reverses_id", sqlite_where=text("reverses_id IS NOT NULL")
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case.id"))
    reviewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reviewer.id"))
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("review_session.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    policy_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    policy_pack_version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("policy_pack_version.id"), nullable=True
    )
    policy_version: Mapped[str | None] = mapped_column(String(32), nullable=True)
    policy_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the pack file's content
    note: Mapped[str] = mapped_column(Text, default="")
    tier: Mapped[int] = mapped_column(Integer, default=1)
    handle_ms: Mapped[int] = mapped_column(Integer, default=0)
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    # An undo is a decision whose action is "undo" and which names the decision it reverses.
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("decision.id"), nullable=True)
    client_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Why the reviewer decided so (the escalation reason for an escalate); required where the pack says.
    rationale: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The tier an escalate sends the case to (None: the next tier, as before schema 0006).
    to_tier: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Decisions written together by one bulk apply share this id; one undo reverses them all.
    bulk_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)


class AuditEvent(Base):
    """One link of a source's tamper-evident chain: ``hash`` covers the fields and ``prev_hash``.

    Each source (a workstation) has its own chain numbered from 1, so chains from many workstations merge
    into one database without renumbering. ``format`` 1 is the hash rule of the first release (kept for
    events written before schema 0003), 2 the current one (the source is hashed too).
    """

    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("source_id", "seq", name="uq_audit_event_source_seq"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    source_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    seq: Mapped[int] = mapped_column(Integer)
    format: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64), default="")
    payload: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class RevealEvent(Base):
    """The reviewer was shown unblurred content: which item, how, for how long, how severe."""

    __tablename__ = "reveal_event"
    __table_args__ = (Index("ix_reveal_reviewer_time", "reviewer_id", "started_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    reviewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reviewer.id"))
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("review_session.id"), nullable=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case.id"))
    item_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("item.id"), nullable=True)
    mode: Mapped[str] = mapped_column(String(16))  # hold, toggle, spotlight, frame, zoom
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    severity: Mapped[float] = mapped_column(Float, default=1.0)


class AuditSource(Base):
    """A writer of its own audit chain: a workstation, or the legacy/migration chains of an upgrade."""

    __tablename__ = "audit_source"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16), default="workstation")  # workstation, legacy, migration
    host: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditCheckpoint(Base):
    """A signed record of every chain's head at one moment (also kept in the sidecar file).

    ``heads`` is canonical JSON ``{source id: [seq, hash]}``; ``signature`` is HMAC-SHA256 over the
    checkpoint's canonical body with the signer's key from the OS keyring ("" when none was usable).
    """

    __tablename__ = "audit_checkpoint"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signer_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    key_id: Mapped[str] = mapped_column(String(16), default="")
    heads: Mapped[str] = mapped_column(Text, default="{}")
    signature: Mapped[str] = mapped_column(String(64), default="")
