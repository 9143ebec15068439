"""Backups tell the truth: a full disk or a read-only folder says so (never "damaged") and keeps the earlier
backups; what a killed backup leaves in ``backups/`` is cleaned at the next one. Full and read-only folders
are real (small tmpfs mounts); killed backups are real SIGKILLs in the middle of a copy."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reviewer.storage.backup import PARTIAL, backup_dir_for, clean_leftovers, list_backups, take_backup
from reviewer.storage.errors import BackupError
from tests.reviewer.storage.mounts import tmpfs


def _database(path: Path, rows: int = 3000) -> Path:
    """A WAL database of about ``rows`` KB (so a copy takes many pages)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", [(os.urandom(500).hex(),) for _ in range(rows)])
    conn.commit()
    conn.close()
    return path


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_full_disk_says_so_and_keeps_the_earlier_backup(tmp_path: Path) -> None:
    db = _database(tmp_path / "x.sqlite3")
    size_kb = db.stat().st_size // 1024
    with tmpfs(backup_dir_for(db), size_kb=int(size_kb * 1.5)) as folder:
        first = take_backup(db)
        with pytest.raises(BackupError) as info:
            take_backup(db)
        message = str(info.value)
        assert "no space left" in message and "earlier backups were kept" in message
        assert "damaged" not in message
        assert list_backups(db) == [first] and _listing(folder) == [first.name]


def test_a_read_only_folder_says_so_and_keeps_the_earlier_backup(tmp_path: Path) -> None:
    db = _database(tmp_path / "x.sqlite3", rows=50)
    with tmpfs(backup_dir_for(db)) as folder:
        first = take_backup(db)
        remount = subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True, check=False)
        assert remount.returncode == 0, remount.stderr
        with pytest.raises(BackupError) as info:
            take_backup(db)
        assert "read-only" in str(info.value) and "damaged" not in str(info.value)
        assert list_backups(db) == [first]


def test_a_backups_folder_that_is_a_file_is_named(tmp_path: Path) -> None:
    db = _database(tmp_path / "x.sqlite3", rows=10)
    backup_dir_for(db).write_text("not a folder")
    with pytest.raises(BackupError, match="cannot create the backups folder"):
        take_backup(db)


_KILLED_MID_COPY = textwrap.dedent(
    """
    import os, signal, sqlite3, sys
    from pathlib import Path
    from reviewer.storage import backup

    real = sqlite3.Connection.backup
    def backup_then_die(self, target, **kw):  # copies some pages, then the process is killed
        def progress(status, remaining, total):
            if total - remaining > total // 3:
                os.kill(os.getpid(), signal.SIGKILL)
        return real(self, target, pages=8, progress=progress)

    class Conn(sqlite3.Connection):
        backup = backup_then_die

    original = sqlite3.connect
    sqlite3.connect = lambda *a, **k: original(*a, factory=Conn, **k)
    backup.take_backup(Path(sys.argv[1]))
    """
)


def test_what_a_killed_backup_leaves_is_cleaned_by_the_next_one(tmp_path: Path) -> None:
    db = _database(tmp_path / "x.sqlite3")
    earlier = take_backup(db)
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_MID_COPY, str(db)], capture_output=True, check=False
    )
    assert killed.returncode == -9, killed.stderr
    folder = backup_dir_for(db)
    leftovers = [name for name in _listing(folder) if name != earlier.name]
    assert leftovers and all(name.startswith(".") and PARTIAL in name for name in leftovers), leftovers
    assert list_backups(db) == [earlier]  # a partial copy is never taken for a backup

    newer = take_backup(db)
    assert _listing(folder) == sorted([earlier.name, newer.name])
    conn = sqlite3.connect(newer)
    try:
        assert conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
    finally:
        conn.close()


_KILLED_IN_A_WRITE = textwrap.dedent(
    """
    import os, signal, sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute(f"PRAGMA journal_mode={sys.argv[2]}")
    conn.execute("PRAGMA cache_size=1")  # spill to the file (and its journal) before the commit
    conn.execute("BEGIN")
    conn.execute("INSERT INTO t SELECT x FROM t")
    if sys.argv[2] == "WAL":
        conn.execute("COMMIT")  # committed into the WAL, never checkpointed
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_side_files_of_killed_writers_in_backups_are_cleaned(tmp_path: Path) -> None:
    """An interrupted write beside a copy (its ``-journal``) means the copy is not whole: it goes; a
    ``-wal``/``-shm`` pair is folded back into its copy (nothing committed is lost) and removed."""
    folder = tmp_path / "backups"
    folder.mkdir()
    torn = _database(folder / "x-20260101T000000000000Z.sqlite3", rows=200)
    walled = _database(folder / "x-20260102T000000000000Z.sqlite3", rows=200)
    for path, mode in ((torn, "DELETE"), (walled, "WAL")):
        done = subprocess.run([sys.executable, "-c", _KILLED_IN_A_WRITE, str(path), mode], check=False)
        assert done.returncode == -9
    assert Path(f"{torn}-journal").exists()
    assert Path(f"{walled}-wal").exists() and Path(f"{walled}-shm").exists()

    clean_leftovers(folder)
    assert _listing(folder) == [walled.name]
    conn = sqlite3.connect(walled)
    try:
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (400,)  # the WAL's rows kept
    finally:
        conn.close()


def test_a_backup_still_being_written_is_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    partial = folder / f".x-20260101T000000000000Z.sqlite3{PARTIAL}"
    fd = os.open(partial, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # what take_backup holds while it writes
        Path(f"{partial}-journal").write_bytes(b"j")
        assert clean_leftovers(folder) == []
        assert partial.exists() and Path(f"{partial}-journal").exists()
    finally:
        os.close(fd)
    assert clean_leftovers(folder)  # its writer is gone: now it is a leftover
    assert _listing(folder) == []
