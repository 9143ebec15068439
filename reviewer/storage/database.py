"""Engines and sessions. SQLite runs in WAL mode with full fsync, so an acknowledged commit survives a kill.

Two engines over one database: reads start deferred transactions; writes start ``BEGIN IMMEDIATE`` so a
read-then-write (the audit chain, claims) can never interleave with another writer. One sessionmaker each;
a session lives for one user action and is never shared across threads.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from reviewer.paths import media_dir_for, sqlite_file
from reviewer.storage.errors import DatabaseOpenError, DataLocationError, explain_sqlite_error
from reviewer.storage.prepared import driver_error, run_on_driver

BUSY_TIMEOUT_MS = 5000
AUTOCHECKPOINT_PAGES = 8000  # ~32 MB of WAL
#: The WAL file is cut back to this size when a checkpoint has emptied it: a big import (committed or
#: rolled back) otherwise leaves a log file as big as itself on disk until the last connection closes.
WAL_SIZE_LIMIT_BYTES = 64 << 20
ENV_BUSY_TIMEOUT = "REVIEWER_BUSY_TIMEOUT_MS"


def busy_timeout_ms() -> int:
    """How long a writer waits for another's lock: 5 s, or ``REVIEWER_BUSY_TIMEOUT_MS`` (tests use less)."""
    try:
        return max(0, int(os.environ.get(ENV_BUSY_TIMEOUT, BUSY_TIMEOUT_MS)))
    except ValueError:
        return BUSY_TIMEOUT_MS


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    timeout = busy_timeout_ms()
    engine = create_engine(url, connect_args={"timeout": timeout / 1000, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={timeout}")
            cur.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT_BYTES}")
            if immediate:
                # Checkpoints copy the WAL into the database; done inside a commit they are the slowest
                # 1 % of decision writes. The app checkpoints off the commit path (Database.checkpoint);
                # this larger automatic one is only the safety net for long writers such as imports.
                cur.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
        finally:
            cur.close()

    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Straight on the driver (errors wrapped as exec_driver_sql would wrap them): a statement through
        # SQLAlchemy's execution context costs more Python than SQLite spends on the BEGIN itself. Not
        # when the driver is in a transaction already: ``Database.write_core`` began it on the driver.
        if not conn.connection.driver_connection.in_transaction:
            run_on_driver(conn, begin, ())

    return engine


class Database:
    """One database: its URL, engines, sessionmakers and media folder.

    Nothing is created here: no folder ever, and the file only when a connection opens (``open_database``
    decides whether that may happen).
    """

    def __init__(self, url: str, *, connect_args: dict[str, Any] | None = None) -> None:
        """``connect_args``: extra driver arguments for a server (its password, a connect timeout), kept
        in memory only and out of the URL, so ``label`` stays the URL the user gave."""
        self.url = url
        self.file: Path | None = sqlite_file(url)
        self.is_sqlite = url.startswith("sqlite")
        try:
            if self.is_sqlite:
                self.engine = _sqlite_engine(url, immediate=False)
                self.write_engine = _sqlite_engine(url, immediate=True)
            else:
                self.engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args or {})
                self.write_engine = self.engine
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:
            scheme = url.split("://", 1)[0]
            raise DataLocationError(
                f"cannot use a {scheme!r} database here (no driver installed for it, or a malformed URL)"
            ) from exc
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)
        self.media_dir = media_dir_for(url)
        #: ``write_core``'s connection, kept checked out between writes (SQLite has one writer anyway):
        #: a pool checkout and return (with its reset) cost more than the BEGIN and COMMIT themselves.
        self._core: Connection | None = None
        self._core_pool = self.write_engine.pool
        self._core_lock = threading.Lock()
        self._core_driver: Any = None  # the kept connection's sqlite3 connection

    def checkpoint(self) -> None:
        """Copy committed WAL pages into the database without waiting for readers (SQLite only).

        PASSIVE never blocks writers or readers; run it from a background worker when idle.
        """
        if not self.is_sqlite:
            return
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    @property
    def label(self) -> str:
        return str(self.file) if self.file else self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; rolled back at the end."""
        session = self._read()
        try:
            yield session
        except DBAPIError as exc:
            raise explain_sqlite_error(exc, self.label) from exc
        finally:
            session.close()

    @contextmanager
    def write_core(self) -> Iterator[Connection]:
        """One atomic write on a Core connection, without an ORM Session (for hot paths whose statements
        are all Core): the same ``BEGIN IMMEDIATE`` transaction, durable commit and error mapping as
        :meth:`write`, without the Session's begin/flush/commit/close bookkeeping (~0.1 ms a write).

        On SQLite the connection stays checked out between writes (saves ~30 us of pool checkout and
        return a write), and its ``BEGIN IMMEDIATE`` and ``COMMIT`` run on the driver; a second thread
        writing meanwhile takes one from the pool as before, and waits for SQLite's write lock as before.
        After an error the kept connection is returned to the pool (which rolls it back) and a fresh one
        is taken next time, as after ``write_engine.dispose()``."""
        kept = self.is_sqlite and self._core_lock.acquire(blocking=False)
        try:
            if not kept:
                with self.write_engine.connect() as conn, conn.begin():
                    yield conn
                return
            conn = self._kept_connection()
            driver = self._core_driver
            try:
                # BEGIN and COMMIT straight on the driver, without SQLAlchemy's transaction object (its
                # begin/commit bookkeeping and events cost ~20 us, as much as SQLite's BEGIN). A statement
                # run through SQLAlchemy in the block begins SQLAlchemy's transaction on top of this one
                # (the begin event sees the driver's and issues nothing); it is then committed through it.
                try:
                    driver.execute("BEGIN IMMEDIATE")
                except sqlite3.Error as exc:
                    raise driver_error(conn, "BEGIN IMMEDIATE", (), exc) from exc
                yield conn
                if conn.in_transaction():
                    conn.commit()
                else:
                    try:
                        driver.commit()
                    except sqlite3.Error as exc:
                        raise driver_error(conn, "COMMIT", (), exc) from exc
            except BaseException:
                self._core = None
                conn.close()  # back to the pool, which rolls the driver's transaction back
                raise
        except DBAPIError as exc:
            raise explain_sqlite_error(exc, self.label) from exc
        finally:
            if kept:
                self._core_lock.release()

    def _kept_connection(self) -> Connection:
        """``write_core``'s kept connection (its lock held), a fresh one when there is none or the engine
        was disposed since (new settings for new connections: not the kept one)."""
        kept = self._core
        if kept is not None and (
            kept.closed or kept.invalidated or self._core_pool is not self.write_engine.pool
        ):
            kept.close()
            kept = None
        if kept is None:
            kept = self._core = self.write_engine.connect()
            self._core_pool = self.write_engine.pool
            self._core_driver = kept.connection.driver_connection
        return kept

    def release_core(self) -> None:
        """Return ``write_core``'s kept connection to the pool (before the write engine is disposed or
        its connections' settings change); the next write takes a fresh one."""
        with self._core_lock:
            if self._core is not None:
                self._core.close()
                self._core = None

    @contextmanager
    def write(self, bind: Connection | None = None) -> Iterator[Session]:
        """A session for one atomic write: committed (durably) when the block ends without error; on
        ``bind``, a connection of the write engine the caller holds, instead of one from the pool."""
        session = self._write() if bind is None else self._write(bind=bind)
        try:
            yield session
            session.commit()
        except DBAPIError as exc:
            session.rollback()
            raise explain_sqlite_error(exc, self.label) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def quick_check(self) -> None:
        """Walk the whole file (``PRAGMA quick_check``); DatabaseOpenError if any page is damaged.

        About 4 ms for 3,000 cases but 250 ms for 100,000, so it is not run on every open: only when
        opening fails, and before a backup is trusted.
        """
        if not self.is_sqlite:
            return
        try:
            with self.engine.connect() as conn:
                problems = [row[0] for row in conn.exec_driver_sql("PRAGMA quick_check(5)")]
        except DBAPIError as exc:
            raise explain_sqlite_error(exc, self.label) from exc
        if problems != ["ok"]:
            raise DatabaseOpenError(
                f"{self.label} is damaged ({problems[0]}); restore it from a backup or open another database."
            )

    def dispose(self) -> None:
        self.release_core()
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()
