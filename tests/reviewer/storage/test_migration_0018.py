"""Migration 0018 (each case's own index terms, the common words, partial media indexes of items) down and
up, on SQLite and PostgreSQL: cases upgraded from before keep NULL terms and are still found by a search,
and the media lookups still use their (now partial) indexes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from reviewer.importing.importer import import_file
from reviewer.models import Item
from reviewer.queue import QueueFilter, fetch_page
from reviewer.storage.database import Database
from reviewer.storage.migrate import current_revision, head_revision
from tests.reviewer.storage.migrating import migrate, pg_index_defs, sqlite_index_sql
from tests.reviewer.vault.conftest import case_line, write_source

INDEXES = ("ix_item_sha256", "ix_item_phash")


def _migrate(db: Database, target: str) -> None:
    migrate(db, target, down=target == "0017")


def _index_sql(db: Database) -> dict[str, str]:
    return sqlite_index_sql(db, INDEXES)


def _plan(db: Database, stmt: object) -> str:
    compiled = stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})  # type: ignore[attr-defined]
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled)).all()
    return "\n".join(r[3] for r in rows)


def _found(db: Database, search: str) -> list[str]:
    with db.read() as s:
        return sorted(r.external_id for r in fetch_page(s, QueueFilter(text=search), None, 100))


def test_sqlite_down_and_up_keeps_cases_searchable_and_the_media_lookups_indexed(
    db: Database, tmp_path: Path
) -> None:
    import_file(db, write_source(tmp_path / "src", [case_line(n, f"report {n} about otters") for n in range(6)]))
    everything = _found(db, "otters")
    assert len(everything) == 6

    _migrate(db, "0017")
    assert current_revision(db) == "0017"
    with db.engine.connect() as conn:
        columns = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info('case')")]
        tables = [r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert "terms" not in columns and "common_term" not in tables
    assert not any("WHERE" in sql for sql in _index_sql(db).values())

    _migrate(db, "head")
    assert current_revision(db) == head_revision()
    with db.engine.connect() as conn:
        nulls = conn.exec_driver_sql('SELECT count(*) FROM "case" WHERE terms IS NULL').scalar()
    assert nulls == 6  # nothing rewritten: the search reads these cases' words from case_term
    assert _found(db, "otters") == everything and _found(db, "report 3") == ["V-3"]
    sqls = _index_sql(db)
    assert "WHERE media_sha256 IS NOT NULL" in sqls["ix_item_sha256"]
    assert "WHERE phash IS NOT NULL" in sqls["ix_item_phash"]
    assert "ix_item_sha256" in _plan(db, select(Item.case_id).where(Item.media_sha256.in_(["a" * 64, "b" * 64])))
    assert "ix_item_sha256" in _plan(db, select(Item.id).where(Item.media_sha256 == "a" * 64))
    assert "ix_item_phash" in _plan(db, select(Item.id, Item.phash).where(Item.phash.is_not(None)))


@pytest.mark.postgres
def test_postgres_down_and_up(pg_db: Database) -> None:
    def defs() -> dict[str, str]:
        return pg_index_defs(pg_db, INDEXES)

    assert len(defs()) == 2 and all("IS NOT NULL" in d for d in defs().values())
    _migrate(pg_db, "0017")
    assert len(defs()) == 2 and not any("WHERE" in d for d in defs().values())
    _migrate(pg_db, "head")
    assert "(media_sha256 IS NOT NULL)" in defs()["ix_item_sha256"]
    assert "(phash IS NOT NULL)" in defs()["ix_item_phash"]
