"""Read-only SQL for analysts (``reviewer sql``): one statement, reads only, on SQLite and PostgreSQL alike.

SQLite: the file is opened with ``mode=ro`` (the OS-level guarantee), ``PRAGMA query_only=1`` and an
authorizer that allows only reading (SELECT, reading columns, functions, recursive CTEs): ATTACH, any
PRAGMA, DDL and DML are refused before they run, and the driver refuses a second statement.
PostgreSQL: the statement runs in a transaction that is ``READ ONLY`` (fixed by a first query, so the
statement cannot switch it back) with a ``statement_timeout``, through the extended protocol
(``prepare=True``), which refuses a second statement such as ``COMMIT; DROP …``. A server role with
read-only grants remains the place to stop side-effecting functions.

Refusals raise :class:`QueryRefused` (one line); other SQL errors :class:`QueryFailed`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Most rows a query returns (the rest are counted, not kept); the CLI says when it cut.
MAX_ROWS = 100_000
STATEMENT_TIMEOUT_MS = 30_000

_ALLOWED = {
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_FUNCTION,
    getattr(sqlite3, "SQLITE_RECURSIVE", 33),
}


class QueryRefused(Exception):
    """The statement would write, attach or change settings; nothing ran."""


class QueryFailed(Exception):
    """The statement is not valid SQL here (a typo, an unknown column)."""


@dataclass(frozen=True)
class QueryResult:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    truncated: bool = False


def _authorize(action: int, *_args: Any) -> int:
    return sqlite3.SQLITE_OK if action in _ALLOWED else sqlite3.SQLITE_DENY


@contextmanager
def _sqlite(file: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA query_only=1")
        conn.set_authorizer(_authorize)  # after our own PRAGMA: from here on only reads
        yield conn
    finally:
        conn.close()


def _fetch(cursor: Any) -> QueryResult:
    if cursor.description is None:
        raise QueryRefused("only queries that return rows are allowed (SELECT, WITH … SELECT)")
    columns = tuple(str(d[0]) for d in cursor.description)
    rows = cursor.fetchmany(MAX_ROWS + 1)
    return QueryResult(columns, [tuple(r) for r in rows[:MAX_ROWS]], truncated=len(rows) > MAX_ROWS)


def _first_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def run_sqlite(file: Path, sql: str) -> QueryResult:
    with _sqlite(file) as conn:
        try:
            return _fetch(conn.execute(sql))
        except sqlite3.ProgrammingError as exc:  # "You can only execute one statement at a time."
            raise QueryRefused(f"one statement at a time ({_first_line(exc)})") from None
        except sqlite3.DatabaseError as exc:
            message = _first_line(exc)
            if "not authorized" in message or "readonly" in message or "read-only" in message:
                raise QueryRefused(f"read-only: only SELECT queries may run ({message})") from None
            raise QueryFailed(message) from None


def run_postgres(url: str, sql: str) -> QueryResult:
    import psycopg
    from psycopg import errors
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn:
        try:
            with conn.cursor() as cur:
                cur.execute("SET TRANSACTION READ ONLY")
                cur.execute(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
                cur.execute("SELECT 1")  # a query ran: the transaction can no longer be made read-write
                cur.execute(sql.encode(), prepare=True)
                return _fetch(cur)
        except (errors.ReadOnlySqlTransaction, errors.InsufficientPrivilege) as exc:
            raise QueryRefused(f"read-only: only SELECT queries may run ({_first_line(exc)})") from None
        except errors.ActiveSqlTransaction as exc:
            raise QueryRefused(f"read-only: {_first_line(exc)}") from None
        except psycopg.Error as exc:
            message = _first_line(exc)
            if "multiple commands" in message:
                raise QueryRefused("one statement at a time") from None
            if "transaction" in message and ("read" in message or "SET" in message):
                raise QueryRefused(f"read-only: {message}") from None
            raise QueryFailed(message) from None
        finally:
            conn.rollback()


def run_query(url: str, file: Path | None, sql: str) -> QueryResult:
    """Run one read-only statement on the database at ``url`` (``file`` for SQLite)."""
    if not sql.strip():
        raise QueryFailed("no SQL given")
    if file is not None:
        return run_sqlite(file, sql)
    return run_postgres(url, sql)
