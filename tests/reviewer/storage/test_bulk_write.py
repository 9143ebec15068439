"""One big write with a rollback journal (``reviewer.storage.bulk_write``): only when nothing else has the
database open, back to WAL afterwards, all or nothing even when killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from reviewer.importing import importer
from reviewer.importing.importer import import_file
from reviewer.paths import sqlite_url
from reviewer.storage.bulk_write import bulk_write
from reviewer.storage.database import Database
from reviewer.storage.migrate import open_database
from tests.reviewer.vault.conftest import case_line, write_source

ROOT = Path(__file__).resolve().parents[3]


def _header_says_wal(path: Path) -> bool:
    """Bytes 18 and 19 of the file: 2 and 2 in WAL mode, 1 and 1 with a rollback journal."""
    with open(path, "rb") as f:
        head = f.read(20)
    return head[18:20] == b"\x02\x02"


def _rows(db: Database) -> int:
    with db.read() as s:
        return int(s.execute(text("SELECT count(*) FROM sync_state")).scalar_one())


def _add(session, n: int, prefix: str = "k") -> None:  # type: ignore[no-untyped-def]
    session.execute(
        text("INSERT INTO sync_state (key, value, updated_at) VALUES (:k, :v, '2026-12-04 00:00:00.000000')"),
        [{"k": f"{prefix}{i}", "v": "x" * 200} for i in range(n)],
    )


def test_alone_it_writes_with_a_rollback_journal_then_goes_back_to_wal(db: Database, db_path: Path) -> None:
    before = _rows(db)
    with bulk_write(db, single_journal=True) as (session, single):
        _add(session, 500)
        mode = session.connection().exec_driver_sql("PRAGMA journal_mode").scalar()
    assert single and mode == "delete"
    assert _rows(db) == before + 500
    assert _header_says_wal(db_path) and not Path(f"{db_path}-journal").exists()
    with db.read() as s:
        assert s.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_with_another_connection_open_it_stays_in_wal(db: Database, db_path: Path) -> None:
    other = open_database(sqlite_url(db_path), create=False)
    try:
        with other.read() as s:
            _rows(other)
            s.connection().exec_driver_sql("SELECT 1").all()  # a connection of another Database, open
            before = _rows(db)
            with bulk_write(db, single_journal=True) as (session, single):
                _add(session, 50)
                mode = session.connection().exec_driver_sql("PRAGMA journal_mode").scalar()
        assert not single and mode == "wal"
        assert _rows(other) == before + 50
    finally:
        other.dispose()


def test_a_failed_write_rolls_back_and_goes_back_to_wal(db: Database, db_path: Path) -> None:
    before = _rows(db)
    with pytest.raises(RuntimeError, match="refused"), bulk_write(db, single_journal=True) as (session, single):
        assert single
        _add(session, 500)
        raise RuntimeError("refused")
    assert _rows(db) == before
    assert _header_says_wal(db_path) and not Path(f"{db_path}-journal").exists()


_CHILD = """
import sys
from sqlalchemy import text
from reviewer.paths import sqlite_url
from reviewer.storage.bulk_write import bulk_write
from reviewer.storage.migrate import open_database
from pathlib import Path
db = open_database(sqlite_url(Path(sys.argv[1])), create=False)
with bulk_write(db, single_journal=True) as (session, single):
    conn = session.connection()
    conn.exec_driver_sql("PRAGMA cache_size=-256")  # spill to the file early
    rows = [{"k": f"child{i}", "v": "y" * 400} for i in range(20000)]
    sql = "INSERT INTO sync_state (key, value, updated_at) VALUES (:k, :v, '2026-12-04 00:00:00.000000')"
    conn.execute(text(sql), rows)
    print("WRITTEN", single, flush=True)
    sys.stdin.read()  # until killed
"""


def test_killed_in_the_middle_nothing_is_written_and_the_database_opens_in_wal(
    db: Database, db_path: Path
) -> None:
    before = _rows(db)
    db.dispose()
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(db_path)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        line = child.stdout.readline() if child.stdout else ""  # a state: the rows are written, uncommitted
        assert line.strip() == "WRITTEN True", (line, child.stderr.read() if child.stderr else "")
        journal = Path(f"{db_path}-journal")
        assert journal.exists() and not _header_says_wal(db_path)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
    assert journal.exists()  # hot: rolled back by the next opening
    reopened = open_database(sqlite_url(db_path), create=False)
    try:
        assert _rows(reopened) == before
        reopened.quick_check()
        with reopened.read() as s:
            assert s.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        reopened.dispose()
    assert _header_says_wal(db_path) and not journal.exists()


def test_a_big_import_asks_for_the_rollback_journal_and_a_small_one_does_not(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[bool, bool]] = []
    real = importer.bulk_write

    def spy(database: Database, *, single_journal: bool):  # type: ignore[no-untyped-def]
        cm = real(database, single_journal=single_journal)
        outer = cm.__enter__()
        asked.append((single_journal, outer[1]))
        return _Entered(cm, outer)

    monkeypatch.setattr(importer, "bulk_write", spy)
    lines = [case_line(n, f"report {n}") for n in range(30)]
    import_file(db, write_source(tmp_path / "small", lines))
    monkeypatch.setattr(importer, "DEFER_INDEXES_MIN_ROWS", 20)
    lines = [case_line(n, f"report {n}") for n in range(100, 130)]
    import_file(db, write_source(tmp_path / "big", lines))
    assert asked == [(False, False), (True, True)]
    with db.read() as s:
        assert s.execute(text('SELECT count(*) FROM "case"')).scalar_one() == 60
    assert _header_says_wal(Path(db.file or ""))


class _Entered:
    """A context manager already entered (the spy's), finished as the original would be."""

    def __init__(self, cm, value) -> None:  # type: ignore[no-untyped-def]
        self.cm, self.value = cm, value

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self.value

    def __exit__(self, *exc):  # type: ignore[no-untyped-def]
        return self.cm.__exit__(*exc)
