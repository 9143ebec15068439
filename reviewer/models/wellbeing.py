"""Wellbeing records: the breaks a reviewer took, why, and for how long."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from reviewer.clock import utcnow
from reviewer.models.base import Base
from reviewer.models.types import UTCDateTime, new_id

BREAK_KINDS = ("reminder", "enforced", "voluntary")


class BreakRecord(Base):
    """One break. ``ended_at`` stays empty while the break lasts (or if the app stopped during it)."""

    __tablename__ = "break_record"
    __table_args__ = (Index("ix_break_record_reviewer_time", "reviewer_id", "started_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    reviewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reviewer.id"))
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("review_session.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))  # reminder, enforced, voluntary
    reason: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
