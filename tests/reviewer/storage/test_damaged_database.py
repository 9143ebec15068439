"""A damaged, foreign, locked, read-only or full database gives one clear error and loses nothing.

(A newer schema being refused untouched is covered in test_migrations.py.)
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from reviewer.audit import verify
from reviewer.decisions import record_decision
from reviewer.identity import ensure_reviewer
from reviewer.models import Case, Decision, Item, Reviewer
from reviewer.paths import sqlite_url
from reviewer.storage.backup import list_backups, restore_latest, take_backup
from reviewer.storage.database import ENV_BUSY_TIMEOUT, Database, busy_timeout_ms
from reviewer.storage.errors import DatabaseOpenError, explain_sqlite_error
from reviewer.storage.migrate import open_database

DAMAGE = re.compile(r"damaged|not a database")


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the main file so that bytes on disk are the whole database."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _page_size(path: Path) -> int:
    header = path.read_bytes()[:100]
    size = int.from_bytes(header[16:18], "big")
    return 65536 if size == 1 else size


@pytest.fixture
def filled(
    db: Database, make_cases: Callable[..., list[uuid.UUID]]
) -> Iterator[tuple[Database, list[uuid.UUID]]]:
    """A real database with 400 cases, a few decisions and their audit chain."""
    ids = make_cases(400)
    me = ensure_reviewer(db, "tester")
    for cid in ids[:10]:
        record_decision(db, case_id=cid, reviewer=me, action="keep")
    yield db, ids


def _first_error(url: str) -> DatabaseOpenError | None:
    """Open, read every table and run the integrity check: the first DatabaseOpenError met, if any."""
    try:
        db = open_database(url)
    except DatabaseOpenError as exc:
        return exc
    try:
        with db.read() as s:
            s.execute(select(func.count()).select_from(Case)).scalar_one()
            s.execute(select(func.max(Item.text))).scalar_one()
            s.execute(select(func.count()).select_from(Decision)).scalar_one()
        db.quick_check()
    except DatabaseOpenError as exc:
        return exc
    finally:
        db.dispose()
    return None


# -- (a) a file that is not a database ------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"these are my notes, not a database\n" * 300,
        bytes(random.Random(7).randrange(256) for _ in range(20_000)),
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 8000,
        b"SQLite format 3\x00" + b"\xee" * 8000,  # the right magic, garbage after it
        b"PK\x03\x04" + b"\x00" * 5000,
    ],
    ids=["text", "random", "jpeg", "sqlite-magic-then-garbage", "zip"],
)
def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "picked.sqlite3"
    path.write_bytes(content)
    with pytest.raises(DatabaseOpenError) as info:
        open_database(sqlite_url(path))
    assert DAMAGE.search(str(info.value)) and str(path) in str(info.value)
    assert path.read_bytes() == content
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0


# -- (b) a damaged SQLite file --------------------------------------------------------------------------


def _garble_pages(path: Path, first: int, count: int, seed: int = 1) -> None:
    size = _page_size(path)
    rng = random.Random(seed)
    with open(path, "r+b") as fh:
        fh.seek(first * size)
        fh.write(bytes(rng.randrange(256) for _ in range(count * size)))


@pytest.mark.parametrize("damage", ["middle-pages", "truncated", "schema-page", "one-page"])
def test_a_damaged_database_says_so_and_points_to_the_backup(
    filled: tuple[Database, list[uuid.UUID]], damage: str
) -> None:
    db, _ = filled
    path = db.file
    assert path is not None
    db.dispose()
    _checkpoint(path)
    pages = path.stat().st_size // _page_size(path)
    assert pages > 40
    if damage == "middle-pages":
        _garble_pages(path, pages // 2, 6)
    elif damage == "truncated":
        with open(path, "r+b") as fh:
            fh.truncate((pages // 2) * _page_size(path))
    elif damage == "schema-page":  # page 1 after the 100-byte header: sqlite_master itself
        with open(path, "r+b") as fh:
            fh.seek(100)
            fh.write(b"\xa5" * 2000)
    else:
        _garble_pages(path, pages - 3, 1, seed=9)
    damaged = path.read_bytes()

    err = _first_error(sqlite_url(path))
    assert err is not None, "damage went unnoticed"
    assert DAMAGE.search(str(err)) and "backup" in str(err), str(err)
    assert path.read_bytes() == damaged  # looking at it changed nothing


def test_damage_noticed_while_opening_is_reported_as_damage(filled: tuple[Database, list[uuid.UUID]]) -> None:
    """When the first statement at open fails, the integrity check turns it into "damaged"."""
    db, _ = filled
    path = db.file
    assert path is not None
    db.dispose()
    _checkpoint(path)
    conn = sqlite3.connect(path)
    (root_page,) = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'alembic_version'"
    ).fetchone()
    conn.close()
    _garble_pages(path, root_page - 1, 1, seed=3)
    with pytest.raises(DatabaseOpenError, match="damaged|not a database") as info:
        open_database(sqlite_url(path))
    assert "backup" in str(info.value)


def test_quick_check_passes_a_working_database(filled: tuple[Database, list[uuid.UUID]]) -> None:
    db, _ = filled
    db.quick_check()  # does not raise on a sound file (its cost is measured in bench/, not asserted here)


# -- (c) locked by another process ----------------------------------------------------------------------

HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("LOCKED", flush=True)
time.sleep(3600)  # held until the test kills it
"""


@pytest.fixture
def exclusive_lock() -> Iterator[Callable[[Path], subprocess.Popen[str]]]:
    children: list[subprocess.Popen[str]] = []

    def hold(path: Path) -> subprocess.Popen[str]:
        child = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True)
        children.append(child)
        assert child.stdout is not None and child.stdout.readline().strip() == "LOCKED"
        return child

    yield hold
    for child in children:
        child.kill()
        child.wait()
        if child.stdout:
            child.stdout.close()


def test_busy_timeout_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_BUSY_TIMEOUT, raising=False)
    assert busy_timeout_ms() == 5000
    monkeypatch.setenv(ENV_BUSY_TIMEOUT, "200")
    assert busy_timeout_ms() == 200
    monkeypatch.setenv(ENV_BUSY_TIMEOUT, "soon")
    assert busy_timeout_ms() == 5000


def test_a_writer_blocked_by_another_process_gets_locked_after_the_busy_timeout(
    filled: tuple[Database, list[uuid.UUID]],
    exclusive_lock: Callable[[Path], subprocess.Popen[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db, ids = filled
    assert db.file is not None
    monkeypatch.setenv(ENV_BUSY_TIMEOUT, "200")
    db.dispose()
    holder = exclusive_lock(db.file)
    other = open_database(sqlite_url(db.file))  # WAL: reading still works under a writer's lock
    try:
        with other.read() as s:
            before = s.execute(select(func.count()).select_from(Decision)).scalar_one()
        with other.read() as s:  # (ensure_reviewer would write, and block)
            me = s.execute(select(Reviewer).where(Reviewer.handle == "tester")).scalar_one()
        with other.read() as s:  # the environment's 200 ms, not the default 5 s (no clock needed)
            assert s.connection().exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 200
        started = time.monotonic()
        with pytest.raises(DatabaseOpenError, match="locked") as info:
            record_decision(other, case_id=ids[50], reviewer=me, action="keep")
        waited = time.monotonic() - started
        assert waited >= 0.15, waited  # it did wait for the lock (a loaded machine only waits longer)
        assert "another program or instance" in str(info.value)
        holder.kill()
        holder.wait()
        record_decision(other, case_id=ids[50], reviewer=me, action="keep")  # works once the lock is gone
        with other.read() as s:
            assert s.execute(select(func.count()).select_from(Decision)).scalar_one() == before + 1
        assert verify(other).ok
    finally:
        other.dispose()


def test_opening_a_rollback_journal_database_under_an_exclusive_lock_says_locked(
    tmp_path: Path,
    exclusive_lock: Callable[[Path], subprocess.Popen[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before the switch to WAL, another process's exclusive lock blocks even the opening read."""
    monkeypatch.setenv(ENV_BUSY_TIMEOUT, "200")
    path = tmp_path / "old-style.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    exclusive_lock(path)
    with pytest.raises(DatabaseOpenError, match="locked"):
        open_database(sqlite_url(path))


# -- (d) read-only ----------------------------------------------------------------------------------------


def _real_error(sql: str, path: Path, *, uri: str = "") -> sqlite3.Error:
    """The error SQLite itself raises for ``sql`` (opening included)."""
    try:
        conn = sqlite3.connect(uri or str(path), uri=bool(uri))
        try:
            conn.execute(sql)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return exc
    raise AssertionError(f"{sql} did not fail")


def test_real_sqlite_errors_map_to_one_clear_sentence(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    readonly = _real_error("INSERT INTO t VALUES (1)", path, uri=f"file:{path}?mode=ro")
    assert "readonly" in str(readonly)
    assert "read-only" in str(explain_sqlite_error(readonly, "db.sqlite3"))

    missing = _real_error("SELECT 1", path, uri=f"file:{tmp_path}/no/such/dir/x.sqlite3?mode=rw")
    assert "cannot be opened" in str(explain_sqlite_error(missing, "db.sqlite3"))

    conn = sqlite3.connect(path)  # a "disk" that holds exactly what is already there
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    try:
        conn.execute("INSERT INTO t VALUES (zeroblob(1000000))")
    except sqlite3.Error as exc:
        full: sqlite3.Error = exc
    finally:
        conn.close()
    assert "full" in str(full)
    assert "full" in str(explain_sqlite_error(full, "db.sqlite3"))

    notdb = tmp_path / "n.sqlite3"
    notdb.write_bytes(b"hello" * 1000)
    assert "not a database" in str(
        explain_sqlite_error(_real_error("SELECT * FROM sqlite_master", notdb), "n")
    )

    for message, expected in [
        ("database is locked", "locked"),
        ("database table is locked", "locked"),
        ("database disk image is malformed", "damaged"),
        ("attempt to write a readonly database", "read-only"),
        ("database or disk is full", "full"),
        ("unable to open database file", "cannot be opened"),
    ]:
        explained = str(explain_sqlite_error(sqlite3.OperationalError(message), "db.sqlite3"))
        assert expected in explained and explained.startswith(("db.sqlite3", "The disk holding db.sqlite3"))


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root ignores file permissions, so chmod cannot make a file read-only"
)
def test_a_database_in_a_read_only_folder_gives_a_read_only_error(
    filled: tuple[Database, list[uuid.UUID]],
) -> None:
    db, ids = filled
    path = db.file
    assert path is not None
    db.dispose()
    _checkpoint(path)
    path.chmod(0o444)
    path.parent.chmod(0o555)
    try:
        try:
            other = open_database(sqlite_url(path))
        except DatabaseOpenError as exc:
            assert re.search("read-only|cannot be opened", str(exc))
            return
        try:
            with other.read() as s:
                me = s.execute(select(Reviewer)).scalars().first()
            assert me is not None
            with pytest.raises(DatabaseOpenError, match="read-only|cannot be opened"):
                record_decision(other, case_id=ids[0], reviewer=me, action="keep")
        finally:
            other.dispose()
    finally:
        path.parent.chmod(0o755)
        path.chmod(0o644)


# -- (e) a full disk ----------------------------------------------------------------------------------------


def test_a_full_disk_fails_the_write_and_keeps_everything_already_saved(
    filled: tuple[Database, list[uuid.UUID]],
) -> None:
    db, ids = filled
    with db.read() as s:
        me = s.execute(select(Reviewer).where(Reviewer.handle == "tester")).scalar_one()
    saved = record_decision(db, case_id=ids[20], reviewer=me, action="escalate", rationale="needs tier 2", note="saved before")

    def no_room(dbapi_conn: Any, _record: Any) -> None:
        (pages,) = dbapi_conn.execute("PRAGMA page_count").fetchone()
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")  # the "disk" holds exactly what is there

    db.write_engine.dispose()
    event.listen(db.write_engine, "connect", no_room)
    try:
        with pytest.raises(DatabaseOpenError, match="full") as info:
            record_decision(db, case_id=ids[21], reviewer=me, action="keep", note="x" * 300_000)
        assert "nothing already saved was lost" in str(info.value)
    finally:
        event.remove(db.write_engine, "connect", no_room)
        db.write_engine.dispose()

    assert db.file is not None
    db.dispose()
    again = open_database(sqlite_url(db.file))
    try:
        with again.read() as s:
            notes = dict(s.execute(select(Decision.id, Decision.note)).all())
            assert notes[saved.decision_id] == "saved before"
            assert not any(n.startswith("xxx") for n in notes.values())  # the failed write left no trace
            assert s.get(Case, ids[21]).status == "open"  # type: ignore[union-attr]
        assert len(notes) == 11
        assert verify(again).ok
        again.quick_check()
        record_decision(again, case_id=ids[21], reviewer=me, action="keep")  # room again: works
    finally:
        again.dispose()


# -- (f) backup at session start, restore after damage ----------------------------------------------------


def test_restore_latest_puts_a_consistent_copy_back_and_keeps_the_damaged_file(
    filled: tuple[Database, list[uuid.UUID]],
) -> None:
    db, ids = filled
    path = db.file
    assert path is not None
    with db.read() as s:
        me = s.execute(select(Reviewer).where(Reviewer.handle == "tester")).scalar_one()
    backup = take_backup(path)  # what session start does, while the app holds the database open
    with db.read() as s:
        at_backup = set(s.execute(select(Decision.id)).scalars())
    record_decision(db, case_id=ids[30], reviewer=me, action="keep")  # after the backup: will be lost
    db.dispose()
    _checkpoint(path)
    pages = path.stat().st_size // _page_size(path)
    _garble_pages(path, pages // 3, 8)
    damaged = path.read_bytes()
    assert _first_error(sqlite_url(path)) is not None

    # A backup of the damaged file is refused and does not push the good one out of the rotation.
    with pytest.raises(DatabaseOpenError, match="damaged"):
        take_backup(path)
    assert list_backups(path) == [backup]

    moment = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    used, aside = restore_latest(path, now=moment)
    assert used == backup and aside is not None
    assert aside.read_bytes() == damaged  # set aside, never deleted
    restored = open_database(sqlite_url(path))
    try:
        restored.quick_check()
        with restored.read() as s:
            assert set(s.execute(select(Decision.id)).scalars()) == at_backup
            assert s.execute(select(func.count()).select_from(Case)).scalar_one() == 400
        assert verify(restored).ok
        with restored.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        restored.dispose()

    # Restoring again in the same second keeps both set-aside files.
    used_again, aside_again = restore_latest(path, now=moment)
    assert aside_again is not None and aside_again != aside and aside.exists()
    assert aside.read_bytes() == damaged
