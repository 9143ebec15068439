"""Signed checkpoints of every chain's head, kept in the database and in a sidecar file beside it.

A checkpoint says "at this moment chain S ended at event #n with hash h" for every source, signed with
this workstation's key (``reviewer.audit.keys``). Kept in two places so that cutting the chain, wiping
it, re-hashing it, or losing the ``-wal`` file's tail after a crash shows: whatever the database lost or
had rewritten, the sidecar file still names the head it had. Events after the newest checkpoint are not
covered; the schedule bounds that window (the first append of a process, then every ``EVERY`` or
``EVERY_EVENTS``, whichever comes first, and at the end of a session).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import uuid
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select

from reviewer.audit.chain import canonical, current_source, ensure_source, lock_chain
from reviewer.audit.keys import key_id, sign, signing_key
from reviewer.clock import utcnow
from reviewer.models import AuditCheckpoint, AuditEvent, table_of
from reviewer.paths import CHECKPOINTS_SUFFIX, checkpoints_file, data_dir
from reviewer.storage.database import Database

log = logging.getLogger(__name__)

SIDECAR_SUFFIX = CHECKPOINTS_SUFFIX
KEEP = 16  # checkpoints kept in the sidecar file, newest last
EVERY = timedelta(seconds=30)
EVERY_EVENTS = 200

_events = table_of(AuditEvent)
_checkpoints = table_of(AuditCheckpoint)


class SidecarError(RuntimeError):
    """The sidecar file exists but cannot be read as checkpoints."""


@dataclass(frozen=True)
class Checkpoint:
    id: uuid.UUID
    created_at: datetime
    signer_id: uuid.UUID
    key_id: str
    heads: dict[str, tuple[int, str]]
    signature: str

    def body(self) -> str:
        """What the signature covers."""
        return canonical(
            {
                "id": str(self.id),
                "created_at": self.created_at.isoformat(),
                "signer_id": str(self.signer_id),
                "key_id": self.key_id,
                "heads": {s: list(h) for s, h in self.heads.items()},
            }
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "created_at": self.created_at.isoformat(),
            "signer_id": str(self.signer_id),
            "key_id": self.key_id,
            "heads": {s: list(h) for s, h in self.heads.items()},
            "signature": self.signature,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Checkpoint:
        return cls(
            id=uuid.UUID(data["id"]),
            created_at=datetime.fromisoformat(data["created_at"]),
            signer_id=uuid.UUID(data["signer_id"]),
            key_id=str(data["key_id"]),
            heads={str(s): (int(h[0]), str(h[1])) for s, h in data["heads"].items()},
            signature=str(data["signature"]),
        )

    @classmethod
    def from_row(cls, row: Any) -> Checkpoint:
        heads = json.loads(row.heads)
        return cls(
            id=row.id,
            created_at=row.created_at,
            signer_id=row.signer_id,
            key_id=row.key_id,
            heads={str(s): (int(h[0]), str(h[1])) for s, h in heads.items()},
            signature=row.signature,
        )


def sidecar_path(db: Database) -> Path:
    """Beside a SQLite file (``x.sqlite3.checkpoints``); for a server, in the data dir, per URL."""
    if db.file is not None:
        return checkpoints_file(db.file)
    digest = hashlib.sha256(db.label.encode("utf-8")).hexdigest()[:16]
    return data_dir() / "checkpoints" / f"{digest}{SIDECAR_SUFFIX}"


def read_sidecar(path: Path) -> list[Checkpoint]:
    """The checkpoints in the sidecar file ([] if there is none); SidecarError if it is unreadable."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise SidecarError(f"{path} cannot be read: {exc.strerror or exc}") from exc
    try:
        data = json.loads(raw)
        return [Checkpoint.from_json(c) for c in data["checkpoints"]]
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise SidecarError(f"{path} is not a checkpoint file (damaged or edited)") from exc


def _write_sidecar(path: Path, checkpoint: Checkpoint) -> None:
    """Add ``checkpoint`` to the sidecar atomically (temp file, fsync, rename, fsync of the folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        kept = read_sidecar(path)
    except SidecarError:
        # Never overwrite evidence: the unreadable file is kept beside, and verify reports it.
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%fZ")
        path.rename(path.with_name(f"{path.name}.unreadable-{stamp}"))
        kept = []
    merged = {c.id: c for c in kept}
    merged[checkpoint.id] = checkpoint
    newest = sorted(merged.values(), key=lambda c: c.created_at)[-KEEP:]
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump({"format": 1, "checkpoints": [c.to_json() for c in newest]}, out, indent=1)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    with contextlib.suppress(OSError):  # not every platform can fsync a folder
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def chain_heads(conn: Connection) -> dict[str, tuple[int, str]]:
    """Each source's last ``(seq, hash)``."""
    last = (
        select(_events.c.source_id, func.max(_events.c.seq).label("seq"))
        .group_by(_events.c.source_id)
        .subquery()
    )
    rows = conn.execute(
        select(_events.c.source_id, _events.c.seq, _events.c.hash).join(
            last, (last.c.source_id == _events.c.source_id) & (last.c.seq == _events.c.seq)
        )
    )
    return {str(r.source_id): (r.seq, r.hash) for r in rows}


def latest_checkpoint(conn: Connection) -> Checkpoint | None:
    row = conn.execute(select(_checkpoints).order_by(_checkpoints.c.created_at.desc()).limit(1)).first()
    return Checkpoint.from_row(row) if row is not None else None


def write_checkpoint(db: Database, *, now: datetime | None = None, force: bool = False) -> Checkpoint | None:
    """Sign the current chain heads and keep them in the database, then in the sidecar file.

    Returns None when there is nothing to vouch for (no events) or, unless ``force``, nothing new since
    the last checkpoint.
    """
    signer = current_source()
    key = signing_key(signer, create=True)
    with db.write() as session:
        conn = session.connection()
        lock_chain(conn, signer)  # PostgreSQL: one writer of this source's rows at a time
        heads = chain_heads(conn)
        if not heads:
            return None
        latest = latest_checkpoint(conn)
        if latest is not None and latest.heads == heads and not force:
            return None
        ensure_source(conn, signer)
        draft = Checkpoint(
            id=uuid.uuid4(),
            created_at=now or utcnow(),
            signer_id=signer,
            key_id=key_id(key) if key else "",
            heads=heads,
            signature="",
        )
        checkpoint = Checkpoint(**{**draft.__dict__, "signature": sign(key, draft.body()) if key else ""})
        conn.execute(
            insert(_checkpoints).values(
                id=checkpoint.id,
                created_at=checkpoint.created_at,
                signer_id=checkpoint.signer_id,
                key_id=checkpoint.key_id,
                heads=canonical({s: list(h) for s, h in heads.items()}),
                signature=checkpoint.signature,
            )
        )
    _write_sidecar(sidecar_path(db), checkpoint)
    return checkpoint


@dataclass
class CheckpointSchedule:
    """When to write the next checkpoint: a pure rule with the time passed in (no clock of its own).

    ``inline``: the write that makes one due also writes it (after its own commit). A window that would
    rather keep that off the decision path sets it False and calls ``checkpoint_if_due`` from a timer on
    its database worker.
    """

    every: timedelta = EVERY
    every_events: int = EVERY_EVENTS
    inline: bool = True
    last_at: datetime | None = None
    pending: int = 0

    def note(self, events: int = 1) -> None:
        self.pending += events

    def due(self, now: datetime) -> bool:
        if self.pending <= 0:
            return False
        return self.last_at is None or self.pending >= self.every_events or now - self.last_at >= self.every

    def done(self, now: datetime) -> None:
        self.last_at, self.pending = now, 0


_schedules: weakref.WeakKeyDictionary[Database, CheckpointSchedule] = weakref.WeakKeyDictionary()


def schedule_of(db: Database) -> CheckpointSchedule:
    """This database's schedule in this process."""
    schedule = _schedules.get(db)
    if schedule is None:
        schedule = _schedules[db] = CheckpointSchedule()
    return schedule


def checkpoint_if_due(db: Database, *, now: datetime | None = None) -> Checkpoint | None:
    """Write a checkpoint if the schedule says so. A failure is logged and retried at the next call:
    the writes it would anchor are already committed and must not fail because of it."""
    schedule = schedule_of(db)
    moment = now or utcnow()
    if not schedule.due(moment):
        return None
    try:
        checkpoint = write_checkpoint(db, now=moment)
    except Exception:
        log.exception("audit checkpoint not written (will retry)")
        return None
    schedule.done(moment)
    return checkpoint


def note_appended(db: Database, events: int = 1) -> None:
    """Called after a write that appended events was committed; checkpoints inline when due."""
    schedule = schedule_of(db)
    schedule.note(events)
    if schedule.inline:
        checkpoint_if_due(db)
