"""Policy packs in the database: one row per (pack, version), content-addressed by the file's SHA-256.

A pack whose file changed while its version did not is refused (``PolicyPackChanged``): decisions cite a
version, and the version must always mean the same text. ``check_pack`` runs at start; the decision path
checks again (cached), so an edited pack can never be cited under an old version.
"""

from __future__ import annotations

import uuid
import weakref
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, event, insert, select
from sqlalchemy.orm import Session

from reviewer.audit.chain import append_event_core, lock_chain
from reviewer.audit.snapshots import snapshot
from reviewer.clock import utcnow
from reviewer.conflicts import PolicyPackChanged
from reviewer.models import PolicyPackVersion, table_of
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database

_pack_versions = table_of(PolicyPackVersion)
_FIND = select(_pack_versions.c.id, _pack_versions.c.sha256).where(
    _pack_versions.c.pack_id == bindparam("b_pack"), _pack_versions.c.version == bindparam("b_version")
)
_Key = tuple[str, str, str]  # (pack_id, version, sha256)

#: Row ids per engine (so per database) and pack content. Filled only once the transaction that read or
#: added the row has committed, so a rollback can never leave a dangling id.
_ids: weakref.WeakKeyDictionary[Engine, dict[_Key, uuid.UUID]] = weakref.WeakKeyDictionary()
_PENDING_KEY = "reviewer.pack_versions.pending"


def _promote_pending(session: Session) -> None:
    pending = session.info.get(_PENDING_KEY)
    if pending:
        for (engine, key), row_id in pending.items():
            _ids.setdefault(engine, {})[key] = row_id
        pending.clear()


def _drop_pending(session: Session, _previous_transaction: Any = None) -> None:
    pending = session.info.get(_PENDING_KEY)
    if pending:
        pending.clear()


def _remember_after_commit(session: Session, engine: Engine, key: _Key, row_id: uuid.UUID) -> None:
    pending = session.info.get(_PENDING_KEY)
    if pending is None:
        pending = session.info[_PENDING_KEY] = {}
        event.listen(session, "after_commit", _promote_pending)
        event.listen(session, "after_soft_rollback", _drop_pending)  # any rollback, savepoints too
    pending[(engine, key)] = row_id


def changed_message(pack: PolicyPack, recorded_sha256: str) -> str:
    return (
        f"policy pack {pack.pack_id} version {pack.version} was changed: its file's SHA-256 is now "
        f"{pack.sha256[:12]}…, but decisions already cite that version with content {recorded_sha256[:12]}…. "
        f"Give the edited pack a new version (the [pack] table's version = …) or restore the original file."
    )


#: Pack version rows are named by their content, so every workstation makes the same row for the same
#: pack file and their rows merge on the team server (the table is unique by pack and version).
_PACK_NAMESPACE = uuid.UUID("7f0c2a4e-5b1d-4c3e-9a8f-2d6b1e0c9a71")


def pack_version_id(pack_id: str, version: str, sha256: str) -> uuid.UUID:
    return uuid.uuid5(_PACK_NAMESPACE, f"{pack_id}\0{version}\0{sha256}")


#: Row ids a Core-only write (no Session to hook) read or added, to :func:`remember` after its commit.
Pending = dict[tuple[Engine, _Key], uuid.UUID]


def remember(pending: Pending) -> None:
    """Cache what a committed Core-only write collected in ``pending`` (see :func:`pack_version_row`)."""
    for (engine, key), row_id in pending.items():
        _ids.setdefault(engine, {})[key] = row_id
    pending.clear()


def pack_version_row(
    session: Session | None, conn: Connection, pack: PolicyPack, *, actor: str, pending: Pending | None = None
) -> uuid.UUID:
    """The row for this pack's content, added (with its audit event) the first time it is cited.

    Raises PolicyPackChanged if the version is known with other content. Call inside a write transaction
    after ``lock_chain``. A write without a Session passes ``session=None`` and a ``pending`` dict, and
    calls :func:`remember` with it once committed (never after a rollback).
    """
    key = (pack.pack_id, pack.version, pack.sha256)
    cached = _ids.get(conn.engine)
    if cached is not None:
        row_id = cached.get(key)
        if row_id is not None:
            return row_id
    found = conn.execute(_FIND, {"b_pack": pack.pack_id, "b_version": pack.version}).first()
    if found is not None:
        if found.sha256 != pack.sha256:
            raise PolicyPackChanged(changed_message(pack, found.sha256))
        row_id = found.id
    else:
        row_id = pack_version_id(pack.pack_id, pack.version, pack.sha256)
        values = {
            "id": row_id,
            "pack_id": pack.pack_id,
            "version": pack.version,
            "sha256": pack.sha256,
            "loaded_at": utcnow(),
        }
        conn.execute(insert(_pack_versions), values)
        append_event_core(
            conn,
            actor=actor,
            kind="pack_version",
            subject=f"{pack.pack_id} {pack.version}",
            rows={"policy_pack_version": [snapshot("policy_pack_version", values)]},
            locked=True,
        )
    if session is not None:
        _remember_after_commit(session, conn.engine, key, row_id)
    elif pending is not None:
        pending[(conn.engine, key)] = row_id
    return row_id


def check_pack(db: Database, pack: PolicyPack, *, actor: str = "system") -> uuid.UUID:
    """At start: register this pack's content, or refuse an edited pack with an unchanged version."""
    from reviewer.audit.checkpoints import note_appended

    with db.write() as session:
        conn = session.connection()
        lock_chain(conn)
        row_id = pack_version_row(session, conn, pack, actor=actor)
    note_appended(db)
    return row_id
