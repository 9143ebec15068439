"""Automatic consistent backups of the SQLite database (the online backup API), newest few kept.

A backup is taken at session start; restoring copies a backup over a damaged file only after the
damaged file itself has been set aside, so nothing already written is destroyed. The audit checkpoints
file travels with its database: copied before the snapshot (so it never vouches for more than the copy
holds), set aside with a damaged file, and put back with the backup it belongs to.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import time
from datetime import datetime
from pathlib import Path

from reviewer.clock import utcnow
from reviewer.paths import CHECKPOINTS_SUFFIX, checkpoints_file
from reviewer.storage.errors import BackupError, describe_os_error

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

KEEP = 5
#: A backup is written as ``.{name}.partial`` (locked while written) and renamed when whole and checked.
PARTIAL = ".partial"
SIDE_SUFFIXES = ("-journal", "-wal", "-shm")
#: Without file locks (Windows), a partial file older than this is taken for a killed backup's.
STALE_S = 3600
_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN = 3, 8, 10, 13, 14


def backup_dir_for(db_file: Path) -> Path:
    return db_file.parent / "backups"


def take_backup(db_file: Path, *, keep: int = KEEP, now: datetime | None = None) -> Path:
    """Copy a consistent snapshot of ``db_file`` (safe while other connections write).

    BackupError in one sentence when it cannot: a full disk or a read-only folder says so (and that the
    earlier backups were kept); only a damaged database is called damaged. Leftovers of killed backups
    are cleaned first.
    """
    folder = backup_dir_for(db_file)
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise BackupError(_refused(describe_os_error(exc, f"create the backups folder {folder}"))) from None
    clean_leftovers(folder)
    stamp = (now or utcnow()).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{db_file.stem}-{stamp}.sqlite3"
    partial = folder / f".{target.name}{PARTIAL}"
    try:
        fd = os.open(partial, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise BackupError(_refused(describe_os_error(exc, f"write a backup in {folder}"))) from None
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)  # "in progress" for clean_leftovers of other processes
        _write_snapshot(db_file, partial)
        if checkpoints_file(partial).exists():
            os.replace(checkpoints_file(partial), checkpoints_file(target))
        os.replace(partial, target)
    except OSError as exc:
        _remove_partial(partial)
        raise BackupError(_refused(describe_os_error(exc, f"write a backup in {folder}"))) from None
    except BaseException:
        _remove_partial(partial)
        raise
    finally:
        os.close(fd)
    for old in list_backups(db_file)[keep:]:
        old.unlink(missing_ok=True)
        checkpoints_file(old).unlink(missing_ok=True)
    return target


def _refused(reason: str) -> str:
    return f"no backup was taken ({reason}); the earlier backups were kept"


def _write_snapshot(db_file: Path, partial: Path) -> None:
    """The checkpoints file, then the database (so the checkpoints never vouch for more than the copy
    holds), into ``partial``; checked page by page. BackupError (or OSError) when it cannot."""
    folder = partial.parent
    if checkpoints_file(db_file).exists():
        shutil.copyfile(checkpoints_file(db_file), checkpoints_file(partial))
    try:
        source = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as exc:
        raise BackupError(f"no backup was taken: {db_file} cannot be read ({exc})") from None
    try:
        dest = sqlite3.connect(partial)
        try:
            source.backup(dest)
            # The backup API copies pages as they are: a damaged file gives a damaged copy, which must
            # not push a good older backup out of the rotation.
            problems = [row[0] for row in dest.execute("PRAGMA quick_check(5)")]
        except sqlite3.Error as exc:
            reason = _write_failure(exc, folder)
            if reason is not None:
                raise BackupError(_refused(reason)) from None
            problems = [str(exc)]
        finally:
            dest.close()
    finally:
        source.close()
    if problems != ["ok"]:
        raise BackupError(
            f"{db_file} is damaged ({problems[0]}); no backup was taken and the earlier ones were kept."
        )


def _write_failure(exc: sqlite3.Error, folder: Path) -> str | None:
    """What stopped SQLite writing the copy (full, read-only, I/O), or None: a problem of the source."""
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if code == _SQLITE_FULL:
        return f"no space left on the disk holding {folder}"
    if code in (_SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_PERM):
        return f"cannot write in {folder}: it is read-only or not permitted"
    if code == _SQLITE_IOERR:
        return f"cannot write in {folder}: input/output error ({exc})"
    return None


def _remove_partial(partial: Path) -> None:
    for path in (partial, checkpoints_file(partial), *(Path(f"{partial}{s}") for s in SIDE_SUFFIXES)):
        with contextlib.suppress(OSError):
            path.unlink()


def _in_progress(partial: Path) -> bool:
    """Is another process still writing this partial backup (it holds the file's lock)?"""
    if fcntl is None:
        try:
            return time.time() - partial.stat().st_mtime < STALE_S
        except OSError:
            return False
    try:
        fd = os.open(partial, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # closing releases the lock
    return False


def clean_leftovers(folder: Path) -> list[Path]:
    """Remove what killed backups left in ``folder``; returns what was removed.

    Partial copies (``.*.partial`` with their ``-journal``/``-wal``/``-shm`` and checkpoints) no live
    process holds; a backup's ``-journal`` (an interrupted write: the copy is not whole, so it goes too);
    ``-wal``/``-shm`` beside a whole backup are folded back in by opening it, else removed.
    """
    removed: list[Path] = []
    try:
        names = sorted(p.name for p in folder.iterdir())
    except OSError:
        return removed
    for name in names:
        path = folder / name
        if not path.exists():
            continue  # removed with its group already
        if name.startswith(".") and PARTIAL in name:
            base = folder / name[: name.index(PARTIAL) + len(PARTIAL)]
            if base.exists() and _in_progress(base):
                continue
            _remove_partial(base)
            removed.append(path)
        elif name.endswith("-journal"):
            main = folder / name.removesuffix("-journal")
            for doomed in (path, main, checkpoints_file(main), *(Path(f"{main}{s}") for s in SIDE_SUFFIXES)):
                if doomed.exists():
                    with contextlib.suppress(OSError):
                        doomed.unlink()
                        removed.append(doomed)
        elif name.endswith(("-wal", "-shm")):
            main = folder / name[:-4]
            if main.is_file() and _fold_wal(main):
                continue
            for side in (Path(f"{main}-wal"), Path(f"{main}-shm")):
                with contextlib.suppress(OSError):
                    side.unlink()
                    removed.append(side)
    return removed


def _fold_wal(db_file: Path) -> bool:
    """Open and close a backup so SQLite folds its WAL in and removes ``-wal``/``-shm``; True if gone."""
    try:
        conn = sqlite3.connect(db_file)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode=DELETE")
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return not Path(f"{db_file}-wal").exists() and not Path(f"{db_file}-shm").exists()


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
