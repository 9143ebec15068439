from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from reviewer.models import Base
from reviewer.paths import sqlite_url
from reviewer.storage.database import Database
from reviewer.storage.errors import DatabaseOpenError, SchemaTooNewError
from reviewer.storage.migrate import current_revision, head_revision, open_database, upgrade


def test_upgrade_from_empty_database_creates_every_table(tmp_path: Path) -> None:
    db = open_database(sqlite_url(tmp_path / "new.sqlite3"))
    try:
        assert current_revision(db) == head_revision()
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert upgrade(db) is False  # already at head: nothing runs
    finally:
        db.dispose()


def test_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    db = open_database(sqlite_url(tmp_path / "m.sqlite3"))
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        db.dispose()


def test_newer_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    db = open_database(sqlite_url(path))
    with db.write_engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    db.dispose()
    before = path.read_bytes()
    with pytest.raises(SchemaTooNewError, match="newer version"):
        open_database(sqlite_url(path))
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_database_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    with pytest.raises(DatabaseOpenError, match="not a database"):
        open_database(sqlite_url(path))
    assert path.read_bytes().startswith(b"these are my notes")


def test_database_class_does_not_migrate_by_itself(tmp_path: Path) -> None:
    db = Database(sqlite_url(tmp_path / "raw.sqlite3"))
    try:
        assert current_revision(db) is None
    finally:
        db.dispose()
