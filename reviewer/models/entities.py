"""The things under review: reviewers, accounts, channels, cases and their items."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reviewer.clock import utcnow
from reviewer.models.base import Base
from reviewer.models.types import UTCDateTime, new_id

CASE_STATUSES = ("open", "decided", "escalated", "skipped")
#: Statuses a reviewer may still claim and work on; "decided" is closed (only a lead's override reopens it).
WORKABLE_STATUSES = ("open", "escalated", "skipped")
REVIEWER_ROLES = ("reviewer", "lead")
ITEM_KINDS = ("image", "text", "video", "link")


class Reviewer(Base):
    __tablename__ = "reviewer"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    handle: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    role: Mapped[str] = mapped_column(String(16), default="reviewer", server_default="reviewer")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Channel(Base):
    """Where a case came from: partner escalation, media, staff, user report, high-risk account watch."""

    __tablename__ = "channel"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128), default="")


class Account(Base):
    """The subject of reports; its history is every case about it."""

    __tablename__ = "account"
    __table_args__ = (Index("ix_account_platform_handle", "platform", "handle", unique=True),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    platform: Mapped[str] = mapped_column(String(64))
    handle: Mapped[str] = mapped_column(String(256))
    risk_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    risk_score: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Case(Base):
    """One unit of review. ``status``, ``tier`` and the claim are current state derived from decisions."""

    __tablename__ = "case"
    __table_args__ = (
        # The queue's keyset order: priority, SLA deadline, account risk (rank 0 = riskiest), id.
        Index("ix_case_queue", "status", "priority", "sla_deadline", "risk_rank", "id"),
        Index("ix_case_account", "account_id"),
        Index("ix_case_created", "created_at"),  # inflow by day of the metrics (schema 0008)
        Index("ix_case_sla_deadline", "sla_deadline"),  # SLA due in the current hour (schema 0009)
        Index(
            "ix_case_reporter", "reporter", "created_at", "id"
        ),  # "same reporter" related cases (schema 0010)
        # Leases a session holds (adopted at its start, released at its end); only claimed rows. Migration
        # 0004 makes it partial on PostgreSQL too; naming postgresql_where here would import that dialect
        # at every start (~20 ms) just to validate the keyword.
        Index("ix_case_claimed_by", "claimed_by", sqlite_where=text("claimed_by IS NOT NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    external_id: Mapped[str] = mapped_column(String(128), unique=True)
    channel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("channel.id"))
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("account.id"))
    category: Mapped[str] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(Integer, default=3)  # 1 = most urgent … 4
    sla_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    risk_rank: Mapped[int] = mapped_column(Integer, default=1000)  # round((1 - risk) * 1000)
    status: Mapped[str] = mapped_column(String(16), default="open")
    tier: Mapped[int] = mapped_column(Integer, default=1)
    reporter: Mapped[str] = mapped_column(String(256), default="")
    report_text: Mapped[str] = mapped_column(Text, default="")
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Bumped by every change of status, tier or claim; the audit event of each change carries it, so the
    # newest event about a case says exactly what its row must hold.
    state_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Who escalated it (the import's requester object as JSON text, sealed like report_text) and when the
    # response to them is due (the response SLA, apart from the review SLA; None: none expected). Schema 0012.
    requester: Mapped[str | None] = mapped_column(Text, nullable=True)
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The blind index terms of the report text's words (``reviewer.vault.sealing.term_set``: 8 bytes each),
    # for the search's check of one row; NULL where they are only in ``case_term`` (schema 0018). Never
    # loaded with the ORM object; never sent elsewhere (a server or a pack seals texts again).
    terms: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)

    channel: Mapped[Channel] = relationship(lazy="joined")
    account: Mapped[Account | None] = relationship(lazy="joined")
    items: Mapped[list[Item]] = relationship(order_by="Item.position", back_populates="case")


class Item(Base):
    """One piece of content; media bytes live in the media store, addressed by their SHA-256."""

    __tablename__ = "item"
    __table_args__ = (
        Index("ix_item_case", "case_id", "position"),
        # Partial (schema 0018): text and link items have neither, and are most items of a big import. Every
        # lookup names a value (``= ?``, ``IN``) or ``IS NOT NULL``, which these still serve.
        Index("ix_item_sha256", "media_sha256", sqlite_where=text("media_sha256 IS NOT NULL")),
        Index("ix_item_phash", "phash", sqlite_where=text("phash IS NOT NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16))
    media_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    media_ext: Mapped[str | None] = mapped_column(String(16), nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    phash: Mapped[str | None] = mapped_column(String(64), nullable=True)

    case: Mapped[Case] = relationship(back_populates="items")
