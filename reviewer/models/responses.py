"""Responses to the party that escalated a case (partner, media, staff, regulator): stored, never sent.

A record table (``reviewer.audit.snapshots.RECORD_MODELS``): each write re-snapshots the whole row in its
audit event; nothing is deleted. A response is a ``draft`` until it is finalised; a later final response
on the same case must name the one it supersedes, which then becomes ``superseded``
(``reviewer.responses.store``).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from reviewer.clock import utcnow
from reviewer.models.base import Base
from reviewer.models.types import UTCDateTime, new_id

RESPONSE_STATUSES = ("draft", "final", "superseded")


class Response(Base):
    __tablename__ = "response"
    __table_args__ = (
        Index("ix_response_case", "case_id", "status"),
        Index("ix_response_created", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case.id"))
    reviewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reviewer.id"))
    decision_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    template_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
