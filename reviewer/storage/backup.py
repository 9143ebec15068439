"""Automatic consistent backups of the SQLite database (the online backup API), newest few kept.

A backup is taken at session start; restoring copies a backup over a damaged file only after the
damaged file itself has been set aside, so nothing already written is destroyed. The audit checkpoints
file travels with its database: copied before the snapshot (so it never vouches for more than the copy
holds), set aside with a damaged file, and put back with the backup it belongs to.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

from reviewer.clock import utcnow
from reviewer.paths import CHECKPOINTS_SUFFIX, checkpoints_file
from reviewer.storage.errors import DatabaseOpenError

KEEP = 5


def backup_dir_for(db_file: Path) -> Path:
    return db_file.parent / "backups"


def take_backup(db_file: Path, *, keep: int = KEEP, now: datetime | None = None) -> Path:
    """Copy a consistent snapshot of ``db_file`` (safe while other connections write)."""
    folder = backup_dir_for(db_file)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or utcnow()).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{db_file.stem}-{stamp}.sqlite3"
    if checkpoints_file(db_file).exists():
        shutil.copyfile(checkpoints_file(db_file), checkpoints_file(target))
    source = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=5)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
            # The backup API copies pages as they are: a damaged file gives a damaged copy, which must
            # not push a good older backup out of the rotation.
            problems = [row[0] for row in dest.execute("PRAGMA quick_check(5)")]
        except sqlite3.DatabaseError as exc:
            problems = [str(exc)]
        finally:
            dest.close()
    finally:
        source.close()
    if problems != ["ok"]:
        target.unlink(missing_ok=True)
        checkpoints_file(target).unlink(missing_ok=True)
        raise DatabaseOpenError(
            f"{db_file} is damaged ({problems[0]}); no backup was taken and the earlier ones were kept."
        )
    for old in list_backups(db_file)[keep:]:
        old.unlink(missing_ok=True)
        checkpoints_file(old).unlink(missing_ok=True)
    return target


def list_backups(db_file: Path) -> list[Path]:
    """Backups of this database, newest first."""
    folder = backup_dir_for(db_file)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{db_file.stem}-*.sqlite3"), reverse=True)


def restore_latest(db_file: Path, *, now: datetime | None = None) -> tuple[Path, Path | None]:
    """Put the newest backup in place. The current file (and its WAL) is moved aside, never deleted.

    Returns (backup used, where the damaged file was moved or None if there was none).
    """
    backups = list_backups(db_file)
    if not backups:
        raise FileNotFoundError(f"no backup of {db_file.name} in {backup_dir_for(db_file)}")
    aside: Path | None = None
    stamp = (now or utcnow()).strftime("%Y%m%dT%H%M%SZ")
    if db_file.exists():
        aside = db_file.with_name(f"{db_file.stem}.damaged-{stamp}{db_file.suffix}")
        n = 1
        while aside.exists():  # rename would silently replace an earlier damaged copy
            n += 1
            aside = db_file.with_name(f"{db_file.stem}.damaged-{stamp}-{n}{db_file.suffix}")
        db_file.rename(aside)
        for suffix in ("-wal", "-shm", CHECKPOINTS_SUFFIX):
            side = Path(str(db_file) + suffix)
            if side.exists():
                side.rename(Path(str(aside) + suffix))
    orphan = checkpoints_file(db_file)
    if orphan.exists():  # its database is gone: keep it, out of the restored database's way
        orphan.rename(orphan.with_name(f"{orphan.name}.orphan-{stamp}"))
    shutil.copyfile(backups[0], db_file)
    if checkpoints_file(backups[0]).exists():
        shutil.copyfile(checkpoints_file(backups[0]), checkpoints_file(db_file))
    return backups[0], aside
