"""Data at rest: which key seals this database's texts and media, and the blind index of report words."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from reviewer.clock import utcnow
from reviewer.models.base import Base
from reviewer.models.types import UTCDateTime


class VaultRecord(Base):
    """One row per database: the data key's id (the keyring username), where it is kept, how far sealed."""

    __tablename__ = "vault"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random; the keyring username
    key_store: Mapped[str] = mapped_column(String(16))  # "keyring" or "file"
    key_label: Mapped[str] = mapped_column(String(32), default="")  # "demo", "opted in" for a file key
    key_id: Mapped[str] = mapped_column(String(16))  # public fingerprint of the data key
    texts_sealed: Mapped[bool] = mapped_column(Boolean, default=False)  # every legacy value sealed
    media_sealed: Mapped[bool] = mapped_column(Boolean, default=False)  # every legacy file encrypted
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseTerm(Base):
    """A keyed 64-bit digest of one word of a case's report text (the report text itself is sealed).

    One b-tree on SQLite (WITHOUT ROWID): the primary key ``(term, case_id)`` is the table, and the only
    lookup is by term. No foreign key: the terms are derived from the case row, written in its
    transaction, and checking ten of them per case would cost the import a third of its speed.
    """

    __tablename__ = "case_term"
    __table_args__ = {"sqlite_with_rowid": False}

    term: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)


class CommonTerm(Base):
    """A term known to be in more cases than a search lists from the index (``queue_search.CANDIDATE_LIMIT``).

    A search never lists the cases of such a word from ``case_term``: it walks the queue and checks each
    row's own terms (``Case.terms``). So an import stops writing ``case_term`` rows for it once it is
    common, for the cases whose ``terms`` it writes (schema 0018). The ``case_term`` rows written before
    stay: harmless, and a case without ``terms`` is checked through them. A term, once common, stays so.
    """

    __tablename__ = "common_term"
    __table_args__ = {"sqlite_with_rowid": False}

    term: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
