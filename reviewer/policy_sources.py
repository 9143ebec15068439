"""Where the app's policy pack comes from: the source text of every pack version, stored in the database.

``reviewer policy install FILE.toml`` validates a pack and stores its exact text (``policy_pack_source``,
a record table, so the team sync carries it to every workstation). The pack in force is
:func:`current_pack`:

- **newest** = the installed source with the latest ``installed_at`` (ties: the larger id). Installing is
  the team's act of publishing a version, so the last one installed is the one in force; a version string
  is never parsed or compared (packs name versions as they like). To go back, install a new version.
- with none installed, the pack shipped with the app. Its text is stored too, the first time it is used
  (origin ``built-in``), so a later diff always has both sides; a built-in source never outranks an
  installed one.

A version means one text: installing a version already cited with other content is refused
(``PolicyPackChanged``, see ``reviewer.pack_versions``).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from reviewer.audit.chain import append_event_core, lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.audit.snapshots import snapshot
from reviewer.clock import utcnow
from reviewer.models import PolicyPackSource, table_of
from reviewer.pack_versions import pack_version_row
from reviewer.policy import (
    PolicyPack,
    PolicyPackError,
    default_pack_path,
    load_default_pack,
    load_pack_text,
    parse_pack,
)
from reviewer.storage.database import Database

INSTALLED, BUILT_IN = "installed", "built-in"
INSTALL_KIND = "policy.install"
_sources = table_of(PolicyPackSource)
_LISTED = [c for c in _sources.c if c.name != "content"]


@dataclass(frozen=True)
class PackSource:
    """One stored pack version (without its text)."""

    id: uuid.UUID
    pack_id: str
    version: str
    sha256: str
    origin: str
    installed_by: str
    installed_at: datetime

    @property
    def label(self) -> str:
        return f"{self.pack_id} {self.version}"


@dataclass(frozen=True)
class InstallResult:
    source: PackSource
    new: bool  # False: this very text was installed already (nothing written)


def _row(row: Any) -> PackSource:
    m = row._mapping
    return PackSource(
        m["id"], m["pack_id"], m["version"], m["sha256"], m["origin"], m["installed_by"], m["installed_at"]
    )


def _store(
    db: Database, pack: PolicyPack, content: str, *, actor: str, origin: str, now: datetime
) -> InstallResult:
    """One transaction: the version row (refused if the version has other text), then the source row."""
    with db.write() as session:
        conn = session.connection()
        lock_chain(conn)
        row_id = pack_version_row(session, conn, pack, actor=actor)  # PolicyPackChanged: other text
        found = conn.execute(select(*_LISTED).where(_sources.c.id == row_id)).first()
        if found is not None and (found.origin == INSTALLED or origin == BUILT_IN):
            result = InstallResult(_row(found), new=False)
        else:
            values = {
                "id": row_id,
                "pack_id": pack.pack_id,
                "version": pack.version,
                "sha256": pack.sha256,
                "content": content,
                "origin": origin,
                "installed_by": actor[:64],
                "installed_at": now,
            }
            if found is None:
                conn.execute(insert(_sources), values)
            else:  # the built-in text, now installed on purpose: the same row, re-snapshotted whole
                conn.execute(update(_sources).where(_sources.c.id == row_id).values(values))
            append_event_core(
                conn,
                actor=actor,
                kind=INSTALL_KIND if origin == INSTALLED else "policy.builtin",
                subject=f"{pack.pack_id} {pack.version}",
                rows={"policy_pack_source": [snapshot("policy_pack_source", values)]},
                now=now,
                locked=True,
            )
            result = InstallResult(_row_of(values), new=True)
    note_appended(db)
    return result


def _row_of(values: dict[str, Any]) -> PackSource:
    return PackSource(**{k: v for k, v in values.items() if k != "content"})


def install_pack(db: Database, path: Path, *, actor: str, now: datetime | None = None) -> InstallResult:
    """Validate the pack file at ``path`` and store its text as the newest installed version.

    Raises ``PolicyPackError`` (an invalid file: nothing stored) or ``PolicyPackChanged`` (the version is
    known with other text)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyPackError(f"{path}: cannot read policy pack: {exc.strerror or exc}") from exc
    pack = parse_pack(raw, path)
    return _store(db, pack, raw.decode("utf-8"), actor=actor, origin=INSTALLED, now=now or utcnow())


def remember_source(db: Database, pack: PolicyPack, *, actor: str) -> bool:
    """Store the built-in pack's text the first time it is used (True when stored now). A pack that is not
    the built-in one was installed, so its text is stored already."""
    path = default_pack_path()
    raw = path.read_bytes()
    if hashlib.sha256(raw).hexdigest() != pack.sha256:  # the pack's digest is of its file's bytes
        return False
    with db.read() as session:
        known = session.execute(select(_sources.c.id).where(_sources.c.sha256 == pack.sha256)).first()
    if known is not None:
        return False
    return _store(db, pack, raw.decode("utf-8"), actor=actor, origin=BUILT_IN, now=utcnow()).new


def list_sources(db: Database) -> list[PackSource]:
    """Every stored version, oldest first (the last installed one is in force)."""
    with db.read() as session:
        rows = session.execute(select(*_LISTED).order_by(_sources.c.installed_at, _sources.c.id)).all()
    return [_row(r) for r in rows]


def newest_installed(db: Database) -> PackSource | None:
    """The installed version in force (see the module's "newest"), or None."""
    installed = [s for s in list_sources(db) if s.origin == INSTALLED]
    return max(installed, key=lambda s: (s.installed_at, s.id), default=None)


def pack_text(db: Database, source_id: uuid.UUID) -> str | None:
    with db.read() as session:
        return session.execute(select(_sources.c.content).where(_sources.c.id == source_id)).scalar()


def load_source(db: Database, source: PackSource) -> PolicyPack:
    """The pack of a stored version (``PolicyPackError`` if its text no longer validates)."""
    content = pack_text(db, source.id)
    if content is None:
        raise PolicyPackError(f"policy pack {source.label}: its text is not stored")
    return load_pack_text(content, f"policy pack {source.label} ({source.origin})")


def current_pack(db: Database) -> PolicyPack:
    """The pack the app and the CLI work under: the newest installed version, else the built-in one."""
    source = newest_installed(db)
    return load_default_pack() if source is None else load_source(db, source)


def find_source(db: Database, key: str) -> PackSource:
    """A stored version by its version string or the start of its id (8+ characters); ``LookupError``
    with a one-line message when none or several match."""
    key = key.strip()
    sources = list_sources(db)
    found = [s for s in sources if s.version == key]
    if not found and len(key) >= 8:
        found = [s for s in sources if str(s.id).startswith(key.lower())]
    if len(found) != 1:
        what = "several stored versions match" if found else "no stored policy pack version"
        raise LookupError(f"{what} {key!r} (list them with: reviewer policy versions)")
    return found[0]
