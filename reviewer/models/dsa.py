"""The fields of a DSA statement of reasons a reviewer enters by hand (schema 0015).

One row per decision (``id`` is the decision's id): what the pack and the case cannot say, such as why
content is illegal, the facts relied on, a territorial scope other than the default, an end date. A record
table (``reviewer.audit.snapshots.RECORD_MODELS``): each write is audited with a snapshot of the row, the
newest write wins by ``updated_at``, and the team sync carries it. ``fields`` is canonical JSON of the
statement fields (names of ``reviewer.dsa.rules.AMENDABLE``); reviewer-written text, not imported text.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from reviewer.clock import utcnow
from reviewer.models.base import Base
from reviewer.models.types import UTCDateTime


class SorAmendment(Base):
    __tablename__ = "sor_amendment"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)  # the decision's id
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case.id"))
    fields: Mapped[str] = mapped_column(Text, default="{}")
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
