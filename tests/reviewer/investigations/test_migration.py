"""Migration 0011 up and down, on SQLite and on PostgreSQL (where its tables feed the change log)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from reviewer.identity import ensure_reviewer
from reviewer.investigations import add_note, create_investigation, get_investigation
from reviewer.paths import sqlite_url
from reviewer.storage.database import Database
from reviewer.storage.migrate import alembic_config, open_database

TABLES = {"investigation", "investigation_member", "investigation_note"}


def _down_and_up(db: Database) -> None:
    from alembic import command

    cfg = alembic_config()
    with db.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
    assert not TABLES & set(inspect(db.engine).get_table_names())
    with db.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    assert set(inspect(db.engine).get_table_names()) >= TABLES


def test_sqlite_down_and_up(tmp_path: Path) -> None:
    db = open_database(sqlite_url(tmp_path / "m.sqlite3"))
    try:
        _down_and_up(db)
        reviewer = ensure_reviewer(db, "tester")
        inv = create_investigation(db, reviewer, "after")
        assert get_investigation(db, inv).title == "after"
    finally:
        db.dispose()


def test_postgres_writes_log_changes_and_migrate_down_and_up(pg_db: Database) -> None:
    reviewer = ensure_reviewer(pg_db, "tester")
    inv = create_investigation(pg_db, reviewer, "on the server")
    add_note(pg_db, reviewer, inv, "a note")
    with pg_db.engine.connect() as conn:
        logged = set(
            conn.execute(
                text("SELECT table_name FROM change_log WHERE row_id = :i"), {"i": str(inv)}
            ).scalars()
        )
        notes = conn.execute(
            text("SELECT count(*) FROM change_log WHERE table_name = 'investigation_note'")
        ).scalar()
    assert logged == {"investigation"} and notes == 1
    # Downgrade drops the tables (and their triggers) with the rows in them; upgrade makes them again.
    with pg_db.write_engine.begin() as conn:
        for table in ("investigation_note", "investigation_member", "investigation"):
            conn.execute(text(f"DELETE FROM {table}"))
    _down_and_up(pg_db)
    inv = create_investigation(pg_db, reviewer, "again")
    assert get_investigation(pg_db, inv).title == "again"
