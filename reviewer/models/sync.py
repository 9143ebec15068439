"""Team sync: conflicts the server found, the server's media, its change log, and local bookkeeping.

A workstation keeps a SQLite working copy and syncs it with the team server (PostgreSQL, the same
models). These tables exist in both; some are only filled on one side:

* ``sync_conflict``: a pushed decision the server kept but did not apply, because someone else had
  decided the case meanwhile (server; pulled to workstations so leads see them).
* ``media_blob``: media bytes by content hash (server only: workstations keep theirs in the media store).
* ``change_log``: which row of which table changed in which PostgreSQL transaction, filled by triggers
  made in migration 0007 (server only); pulls read it by transaction id.
* ``sync_state``: small key/value bookkeeping (a workstation: the pull cursor, the last contact; the
  server: its id and its audit source).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from reviewer.clock import utcnow
from reviewer.models.base import Base
from reviewer.models.types import UTCDateTime, new_id

CONFLICT_RESOLUTIONS = ("", "kept", "replaced", "withdrawn")


class SyncConflict(Base):
    __tablename__ = "sync_conflict"
    __table_args__ = (Index("ix_sync_conflict_open", "resolved_at", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case.id"))
    # The pushed decision that was kept but not applied, and the decision that stood on the server.
    decision_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    standing_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    source_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # the workstation that pushed it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)  # a reviewer (lead)
    resolution: Mapped[str] = mapped_column(String(16), default="", server_default="")
    resolution_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    resolution_decision_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)


class MediaBlob(Base):
    __tablename__ = "media_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChangeLog(Base):
    """Filled by PostgreSQL triggers only: ``xid`` is ``pg_current_xact_id()`` of the changing transaction."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_xid", "xid"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    xid: Mapped[int] = mapped_column(BigInteger)
    table_name: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[str] = mapped_column(String(64))


class SyncState(Base):
    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
