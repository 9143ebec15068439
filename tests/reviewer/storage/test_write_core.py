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
