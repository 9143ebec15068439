"""One very big atomic write on SQLite (an import of many thousands of cases), each page written once.

In WAL mode every page of a transaction goes to the log, and a checkpoint then copies it into the
database: a 1M-case import writes ~1.5 GB twice, and its reads go through a log index of ~400k frames.
With a rollback journal, pages added at the end of the file are not journaled at all (a rollback cuts
the file back to its old length) and only changed old pages are copied aside, so an import into a small
database writes each page once (issue 17 part 6: 36 s → 32 s for 1M cases).

A database leaves WAL mode only when no other connection has it open, so :func:`bulk_write` tries the
switch without waiting: with the app, a sync or another command using the database, it stays in WAL and
the write goes on as any other. Switched, it holds its write lock the whole time (as any big import
does), and a program that opens the database meanwhile waits for it, then gets "database is locked"
after its busy timeout. The database is put back in WAL mode at the end, committed or not; if that is
not possible at once, the next connection to open it does (every connection asks for WAL). A crash or a
kill leaves a hot journal, which SQLite rolls back when the database is next opened: all or nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from reviewer.storage.database import Database, busy_timeout_ms


@contextmanager
def bulk_write(db: Database, *, single_journal: bool) -> Iterator[tuple[Session, bool]]:
    """``db.write()``'s session for one atomic write, and whether it runs with a rollback journal
    (``single_journal`` asked, SQLite, and no other connection open); committed when the block ends."""
    if not (single_journal and db.is_sqlite):
        with db.write() as session:
            yield session, False
        return
    # Pooled connections of this process count as "other connections": close the idle ones first.
    db.release_core()
    db.engine.dispose()
    db.write_engine.dispose()
    conn = db.write_engine.connect()  # (its connect hook asks for WAL; no transaction yet)
    driver: Any = conn.connection.driver_connection
    switched = _journal(driver, "delete")
    try:
        with db.write(bind=conn) as session:
            yield session, switched
    finally:
        if switched:
            _journal(driver, "wal")
        conn.close()


def _journal(driver: Any, mode: str) -> bool:
    """Ask for journal ``mode`` without waiting for other connections; whether it is now in force."""
    try:
        driver.execute("PRAGMA busy_timeout=0")
        try:
            got = driver.execute(f"PRAGMA journal_mode={mode}").fetchone()
        finally:
            driver.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
    except sqlite3.Error:  # another connection has the database open (or it is read-only): stay as it is
        return False
    return bool(got) and str(got[0]).lower() == mode
