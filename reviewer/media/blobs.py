"""Media on the team server: bytes in the ``media_blob`` table, named by their SHA-256.

The server (a PostgreSQL database) has no vault: its protection is PostgreSQL's (roles, TLS, disk
encryption), and a key stored in the same database would protect nothing. So the bytes are stored as
they came and each workstation seals what it pulls with its own vault. ``BlobStore`` offers the methods
of ``reviewer.media.store.MediaStore`` that the importer and the readers use, so either can be handed to
them. Each write is a short transaction of its own, like a file written beside the import's
transaction; the importer removes what a rolled-back import left (``remove``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import delete, select

from reviewer.clock import utcnow
from reviewer.models import MediaBlob, table_of
from reviewer.storage.database import Database
from reviewer.vault.media import MediaIntegrityError

_blobs = table_of(MediaBlob)


class BlobStore:
    """The media of a database without a vault, kept in the database itself (``media_blob``)."""

    #: There is no file to show: readers ask for the bytes (``read``).
    vault = None

    def __init__(self, db: Database) -> None:
        self.db = db

    def has(self, sha256: str) -> bool:
        with self.db.read() as session:
            found = session.execute(select(_blobs.c.sha256).where(_blobs.c.sha256 == sha256)).first()
        return found is not None

    def put_file(self, source: Path) -> str:
        """Store a file's bytes (once per content). Returns their SHA-256."""
        data = Path(source).read_bytes()
        return self.put_bytes(data)

    def put_bytes(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        values = {"sha256": sha, "size": len(data), "data": data, "created_at": utcnow()}
        with self.db.write() as session:
            if session.get_bind().dialect.name == "postgresql":
                from sqlalchemy.dialects import postgresql  # a team server only: not on a workstation's start

                stmt = postgresql.insert(_blobs).values(values).on_conflict_do_nothing()
                session.execute(stmt)
            elif session.execute(select(_blobs.c.sha256).where(_blobs.c.sha256 == sha)).first() is None:
                session.execute(_blobs.insert().values(values))
        return sha

    def read(self, sha256: str) -> bytes:
        """The bytes of ``sha256``, their hash checked. FileNotFoundError if the server has none (as a
        missing file would), MediaIntegrityError if they do not match their name."""
        with self.db.read() as session:
            data = session.execute(select(_blobs.c.data).where(_blobs.c.sha256 == sha256)).scalar()
        if data is None:
            raise FileNotFoundError(f"no media {sha256} on the server")
        data = bytes(data)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise MediaIntegrityError("the stored media holds other content than its name says")
        return data

    def remove(self, sha256: str) -> None:
        with self.db.write() as session:
            session.execute(delete(_blobs).where(_blobs.c.sha256 == sha256))

    def names(self) -> list[str]:
        with self.db.read() as session:
            return list(session.execute(select(_blobs.c.sha256)).scalars())
