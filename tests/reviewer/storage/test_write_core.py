"""``Database.write_core`` keeps its SQLite connection between writes; what a write guarantees stays.

One write at a time uses the kept connection; an error rolls the write back and gives the connection
up (the next write takes a fresh one); a second thread writing meanwhile gets a pooled connection and
waits for SQLite's write lock as before; ``release_core`` and ``dispose`` return it.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from reviewer.storage.database import Database
from reviewer.storage.errors import DatabaseOpenError


@pytest.fixture
def t_db(db: Database) -> Database:
    with db.write_core() as conn:
        conn.execute(text("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)"))
    return db


def _rows(db: Database) -> list[tuple[int, str]]:
    with db.engine.connect() as conn:
        return [(r.k, r.v) for r in conn.execute(text("SELECT k, v FROM t ORDER BY k"))]


def test_one_connection_serves_consecutive_writes(t_db: Database) -> None:
    seen = []
    for k in range(3):
        with t_db.write_core() as conn:
            conn.execute(text("INSERT INTO t VALUES (:k, 'x')"), {"k": k})
            seen.append(conn.connection.driver_connection)
    assert seen[0] is seen[1] is seen[2]
    assert _rows(t_db) == [(0, "x"), (1, "x"), (2, "x")]


def test_an_error_rolls_back_and_the_next_write_takes_a_fresh_connection(t_db: Database) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), t_db.write_core() as conn:
        conn.execute(text("INSERT INTO t VALUES (1, 'lost')"))
        raise Boom
    with pytest.raises(DatabaseOpenError), t_db.write_core() as conn:  # a driver error (mapped as before)
        conn.execute(text("INSERT INTO t VALUES (2, 'lost')"))
        conn.execute(text("INSERT INTO t VALUES (2, 'again')"))
    assert t_db.write_engine.pool.checkedout() == 0  # given up, rolled back by the pool
    with t_db.write_core() as conn:
        conn.execute(text("INSERT INTO t VALUES (3, 'kept')"))
    assert _rows(t_db) == [(3, "kept")]


def test_a_second_thread_writes_on_its_own_connection_after_the_first_commits(t_db: Database) -> None:
    other_started = threading.Event()
    seen: list[object] = []

    def other() -> None:
        other_started.set()
        try:
            with (
                t_db.write_core() as conn
            ):  # the kept connection is busy: a pooled one, BEGIN IMMEDIATE waits
                seen.append(conn.execute(text("SELECT count(*) FROM t")).scalar())
                conn.execute(text("INSERT INTO t VALUES (2, 'second')"))
        except BaseException as exc:  # pragma: no cover - reported below
            seen.append(exc)

    with t_db.write_core() as conn:
        conn.execute(text("INSERT INTO t VALUES (1, 'first')"))
        thread = threading.Thread(target=other)
        thread.start()
        assert other_started.wait(5)
    thread.join(10)
    assert seen == [1]  # its transaction began after the first one committed
    assert _rows(t_db) == [(1, "first"), (2, "second")]


def test_release_core_returns_the_connection(t_db: Database) -> None:
    with t_db.write_core() as conn:
        conn.execute(text("INSERT INTO t VALUES (0, 'kept')"))
    assert t_db.write_engine.pool.checkedout() == 1
    t_db.release_core()
    assert t_db.write_engine.pool.checkedout() == 0
    with t_db.write_core() as conn:
        conn.execute(text("INSERT INTO t VALUES (1, 'after')"))
    assert _rows(t_db) == [(0, "kept"), (1, "after")]
    t_db.dispose()
    assert t_db.write_engine.pool.checkedout() == 0


def test_a_disposed_write_engine_gives_the_next_write_a_new_connection(t_db: Database) -> None:
    with t_db.write_core() as conn:
        conn.execute(text("INSERT INTO t VALUES (1, 'before')"))
    t_db.write_engine.dispose()  # as callers do to change the settings of new connections
    with t_db.write_core() as conn:
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL, set on connect
        conn.execute(text("INSERT INTO t VALUES (2, 'after')"))
    assert t_db.write_engine.pool.checkedout() == 1  # the new pool's; the old pool lent nothing out
    assert _rows(t_db) == [(1, "before"), (2, "after")]


def test_a_big_write_rolled_back_leaves_no_big_log_file_once_checkpointed(
    t_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transaction bigger than the page cache spills into the WAL file; after a rollback (a refused
    import) the file keeps that size until a checkpoint has emptied the log and the next write cuts it
    back to ``WAL_SIZE_LIMIT_BYTES``, even while another connection stays open (the app's readers)."""
    import reviewer.storage.database as database

    monkeypatch.setattr(database, "WAL_SIZE_LIMIT_BYTES", 1 << 20)
    t_db.dispose()  # new connections, with the smaller limit
    assert t_db.file is not None
    wal = t_db.file.with_name(t_db.file.name + "-wal")
    with t_db.read() as reader:  # a reader's connection, kept open throughout
        reader.execute(text("SELECT count(*) FROM t")).scalar_one()
        with pytest.raises(RuntimeError, match="refused"), t_db.write() as session:
            session.execute(text("PRAGMA cache_size = -1000"))  # 1 MB: the rest spills into the WAL
            session.execute(
                text("INSERT INTO t (v) VALUES (:v)"), [{"v": "x" * 500 + str(n)} for n in range(20_000)]
            )
            assert wal.stat().st_size > 4 << 20
            raise RuntimeError("refused")
        assert _rows(t_db) == []
        t_db.checkpoint()
        with t_db.write_core() as conn:
            conn.execute(text("INSERT INTO t VALUES (1, 'small')"))
        assert wal.stat().st_size <= 1 << 20
    assert _rows(t_db) == [(1, "small")]
