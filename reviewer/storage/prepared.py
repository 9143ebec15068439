"""Core write statements compiled once and run on the transaction's own driver connection (SQLite).

SQLAlchemy's per-statement work (execution context, cached compile lookup, parameter construction and
result setup) costs ~0.1 ms of Python per statement, as much as SQLite's own work for a one-row insert.
The hot write paths (a decision: insert the decision, update the case state, append the audit event)
run their statements through :class:`Prepared`: the SQL text and the column types' bind processors are
taken from SQLAlchemy's compilation once per dialect, so values are stored in exactly the formats
SQLAlchemy would store them in, and each call only converts the values and executes. The statement runs
inside the caller's transaction (the same connection, after its ``BEGIN IMMEDIATE``). On other dialects
the statement simply goes through ``Connection.execute``.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql.dml import UpdateBase

Processor = Callable[[Any], Any] | None
#: One positional parameter: the name of a value to bind (with its type's processor), or a constant the
#: statement carries itself (a LIMIT, a literal), already processed.
Step = tuple[str | None, Processor, Any]


def _steps(compiled: Any, dialect: Dialect) -> list[Step]:
    steps: list[Step] = []
    for name in compiled.positiontup or []:
        bind = compiled.binds[name]
        # The dialect's own type: a TypeDecorator's generic impl has no processor (a datetime would reach
        # the driver as a datetime, stored without ".000000" when its microseconds are 0).
        proc = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if bind.required or bind.callable is not None:
            steps.append((name, proc, None))
        else:
            value = bind.effective_value
            steps.append((None, None, value if proc is None else proc(value)))
    return steps


def _params(steps: list[Step], values: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(  # a list comprehension: faster than a generator for ~20 values
        [
            const if name is None else values[name] if proc is None else proc(values[name])
            for name, proc, const in steps
        ]
    )


def run_on_driver(conn: Connection, sql: str, params: tuple[Any, ...]) -> Any:
    """Run on the driver connection; a driver error is raised as SQLAlchemy's wrapper of it (as
    ``Connection.execute`` would), so callers that explain database errors see the same exception."""
    driver = conn.connection.driver_connection
    assert driver is not None
    base = conn.dialect.loaded_dbapi.Error
    try:
        return driver.execute(sql, params)
    except base as exc:
        raise driver_error(conn, sql, params, exc) from exc


def run_all_on_driver(conn: Connection, statements: Iterable[tuple[str, tuple[Any, ...]]]) -> None:
    """Several statements in order on one cursor of the driver connection (looked up once); an error as
    :func:`run_on_driver` raises it, for the statement that failed."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    base = conn.dialect.loaded_dbapi.Error
    try:
        for sql, params in statements:
            try:
                cursor.execute(sql, params)
            except base as exc:
                raise driver_error(conn, sql, params, exc) from exc
    finally:
        cursor.close()


def driver_error(conn: Connection, sql: str, params: Any, exc: Exception) -> StatementError:
    """A driver error as SQLAlchemy's wrapper of it (what ``Connection.execute`` raises), for callers
    that run several statements on the driver connection under one ``try``."""
    base = conn.dialect.loaded_dbapi.Error
    return DBAPIError.instance(sql, params, exc, base, dialect=conn.dialect)


class Prepared:
    """One DML statement with a fixed set of parameter names (``keys``)."""

    def __init__(self, statement: UpdateBase, keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        self._keys = list(keys) if keys is not None else None
        self._plans: dict[str, tuple[str, list[Step]]] = {}

    def _plan(self, dialect: Dialect) -> tuple[str, list[Step]]:
        plan = self._plans.get(dialect.name)
        if plan is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=self._keys)
            plan = (str(compiled), _steps(compiled, dialect))
            self._plans[dialect.name] = plan
        return plan

    def run(self, conn: Connection, values: Mapping[str, Any]) -> None:
        """Execute with ``values`` (every name the statement binds) in ``conn``'s transaction."""
        if conn.dialect.name != "sqlite":
            conn.execute(self.statement, dict(values))
            return
        sql, steps = self._plan(conn.dialect)
        run_on_driver(conn, sql, _params(steps, values))


class _Record:
    """Rows of a :class:`PreparedSelect`: attributes by label, and ``_mapping`` as a SQLAlchemy Row has."""

    __slots__ = ()

    @property
    def _mapping(self) -> dict[str, Any]:
        fields: tuple[str, ...] = getattr(self, "_fields")  # noqa: B009 (the namedtuple mixed in)
        return dict(zip(fields, self, strict=True))  # type: ignore[call-overload]


class PreparedSelect:
    """One SELECT run like :class:`Prepared`; rows come back with the column types' result processors
    applied (the values SQLAlchemy would return), as named tuples with a Row's ``_mapping``."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        names = list(statement.selected_columns.keys())
        row_type = type("PreparedRow", (_Record, namedtuple("_Fields", names)), {"__slots__": ()})
        self._make: Callable[[list[Any]], Any] = getattr(row_type, "_make")  # noqa: B009
        #: A row (attributes by label) from the values of one result row, as they are.
        self.make_row: Callable[[Any], Any] = self._make
        self._plans: dict[str, tuple[str, list[Step], list[Processor]]] = {}

    def _plan(self, dialect: Dialect) -> tuple[str, list[Step], list[Processor]]:
        plan = self._plans.get(dialect.name)
        if plan is None:
            compiled = self.statement.compile(dialect=dialect)
            results: list[Processor] = [
                c.type.dialect_impl(dialect).result_processor(dialect, None)
                for c in self.statement.selected_columns
            ]
            plan = (str(compiled), _steps(compiled, dialect), results)
            self._plans[dialect.name] = plan
        return plan

    def result_processors(self, dialect: Dialect) -> list[Processor]:
        """Each column's result processor (None: the stored value is the value), for a caller that reads
        rows as stored (:meth:`rows_as_stored`) and converts only some of their values."""
        return self._plan(dialect)[2]

    def rows_as_stored(self, conn: Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """SQLite only: every row for ``values`` as the driver returns it (no result processors), for
        callers that convert the stored values themselves (``reviewer.queue``'s page reads)."""
        assert conn.dialect.name == "sqlite", "values as stored: SQLite only"
        sql, steps, _results = self._plan(conn.dialect)
        rows: list[tuple[Any, ...]] = run_on_driver(conn, sql, _params(steps, values)).fetchall()
        return rows

    def all(self, conn: Connection, values: Mapping[str, Any]) -> Sequence[Any]:
        """Every row for ``values``, in ``conn``'s transaction."""
        if conn.dialect.name != "sqlite":
            return conn.execute(self.statement, dict(values)).all()
        sql, steps, results = self._plan(conn.dialect)
        make = self._make
        return [
            make([v if p is None else p(v) for v, p in zip(raw, results, strict=True)])
            for raw in run_on_driver(conn, sql, _params(steps, values)).fetchall()
        ]
