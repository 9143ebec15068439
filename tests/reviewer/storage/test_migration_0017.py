"""Migration 0017 (the decision table's bulk and reverses indexes made partial) up and down, on SQLite and
PostgreSQL: decisions, undos and the audit chain survive, and the undo queries still use the indexes."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import sqlite

from reviewer.audit.verify import verify
from reviewer.decisions import _BULK_STANDING, _LAST_UNDOABLE, record_decision, undo_last
from reviewer.identity import start_session
from reviewer.models import Reviewer
from reviewer.storage.database import Database
from reviewer.storage.migrate import current_revision, head_revision
from tests.reviewer.storage.migrating import migrate, pg_index_defs, sqlite_index_sql

INDEXES = ("ix_decision_bulk", "ix_decision_reverses")


def _migrate(db: Database, target: str) -> None:
    migrate(db, target, down=target == "0016")


def _sqlite_index_sql(db: Database) -> dict[str, str]:
    return sqlite_index_sql(db, INDEXES)


def _decisions(db: Database) -> list[tuple[str, str | None]]:
    with db.engine.connect() as conn:
        return [
            (r[0], r[1]) for r in conn.execute(text("SELECT action, reverses_id FROM decision ORDER BY 1"))
        ]


def _plan(db: Database, stmt: object) -> str:
    sql = str(stmt.compile(dialect=sqlite.dialect()))  # type: ignore[attr-defined]
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, tuple(["00" * 16] * sql.count("?"))).all()
    return "\n".join(r[3] for r in rows)


def test_sqlite_down_and_up_keeps_decisions_and_makes_the_indexes_partial(
    db: Database, reviewer_row: Reviewer, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    a, b = make_cases(2)
    session = start_session(db, reviewer_row)
    record_decision(db, case_id=a, reviewer=reviewer_row, action="note", session_id=None)
    record_decision(db, case_id=b, reviewer=reviewer_row, action="note", session_id=None)
    assert undo_last(db, reviewer=reviewer_row, session_id=None) is not None
    before = _decisions(db)
    assert [action for action, _ in before].count("undo") == 1
    assert all("WHERE" in sql for sql in _sqlite_index_sql(db).values())

    _migrate(db, "0016")
    assert current_revision(db) == "0016"
    assert not any("WHERE" in sql for sql in _sqlite_index_sql(db).values())
    assert _decisions(db) == before

    _migrate(db, "head")
    assert current_revision(db) == head_revision()
    sqls = _sqlite_index_sql(db)
    assert set(sqls) == set(INDEXES)
    assert "WHERE bulk_id IS NOT NULL" in sqls["ix_decision_bulk"]
    assert "WHERE reverses_id IS NOT NULL" in sqls["ix_decision_reverses"]
    assert _decisions(db) == before
    # The queries the indexes serve still use them (a partial index only serves queries that imply it).
    assert "ix_decision_reverses" in _plan(db, _LAST_UNDOABLE)
    assert "ix_decision_bulk" in _plan(db, _BULK_STANDING)
    with db.engine.connect() as conn:
        view = conn.exec_driver_sql("EXPLAIN QUERY PLAN SELECT is_undone FROM v_decisions").all()
    assert "ix_decision_reverses" in "\n".join(r[3] for r in view)
    # Still works after the migration: a decision, then its undo; the chain verifies.
    record_decision(db, case_id=b, reviewer=reviewer_row, action="note", session_id=session)
    assert undo_last(db, reviewer=reviewer_row, session_id=session) is not None
    assert verify(db).ok


@pytest.mark.postgres
def test_postgres_down_and_up(pg_db: Database) -> None:
    def defs() -> dict[str, str]:
        return pg_index_defs(pg_db, INDEXES)

    assert all("WHERE" in d for d in defs().values()) and len(defs()) == 2
    _migrate(pg_db, "0016")
    assert len(defs()) == 2 and not any("WHERE" in d for d in defs().values())
    _migrate(pg_db, "head")
    assert "(bulk_id IS NOT NULL)" in defs()["ix_decision_bulk"]
    assert "(reverses_id IS NOT NULL)" in defs()["ix_decision_reverses"]
