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

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.dml import UpdateBase

Processor = Callable[[Any], Any] | None


class Prepared:
    """One DML statement with a fixed set of parameter names (``keys``)."""

    def __init__(self, statement: UpdateBase, keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        self._keys = list(keys) if keys is not None else None
        self._plans: dict[str, tuple[str, list[tuple[str, Processor]]]] = {}

    def _plan(self, dialect: Dialect) -> tuple[str, list[tuple[str, Processor]]]:
        plan = self._plans.get(dialect.name)
        if plan is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=self._keys)
            order = compiled.positiontup or []
            steps: list[tuple[str, Processor]] = [
                (name, compiled.binds[name].type.bind_processor(dialect)) for name in order
            ]
            plan = (str(compiled), steps)
            self._plans[dialect.name] = plan
        return plan

    def run(self, conn: Connection, values: Mapping[str, Any]) -> None:
        """Execute with ``values`` (every name the statement binds) in ``conn``'s transaction."""
        if conn.dialect.name != "sqlite":
            conn.execute(self.statement, dict(values))
            return
        sql, steps = self._plan(conn.dialect)
        params = tuple(values[name] if proc is None else proc(values[name]) for name, proc in steps)
        driver = conn.connection.driver_connection
        assert driver is not None
        driver.execute(sql, params)
