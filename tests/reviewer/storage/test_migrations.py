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


def test_a_database_at_0001_with_data_upgrades_to_head_and_keeps_it(tmp_path: Path) -> None:
    """Rows written by the first release (raw SQL, as its code would have stored them) survive upgrading."""
    import uuid

    from alembic import command
    from sqlalchemy import select

    from reviewer.audit import verify
    from reviewer.decisions import record_decision
    from reviewer.models import Case, Decision, Item, Reviewer
    from reviewer.storage.migrate import alembic_config

    path = tmp_path / "old.sqlite3"
    old = Database(sqlite_url(path))
    cfg = alembic_config()
    with old.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    assert current_revision(old) == "0001"

    channel, reviewer_id = uuid.uuid4(), uuid.uuid4()
    cases = [uuid.uuid4() for _ in range(20)]
    stamp = "2026-11-01 09:30:00.000000"
    with old.write_engine.begin() as conn:
        conn.execute(
            text("INSERT INTO channel (id, code, name) VALUES (:i, 'partner', 'Partner')"), {"i": channel.hex}
        )
        conn.execute(
            text(
                "INSERT INTO reviewer (id, handle, display_name, created_at) VALUES (:i, 'old-timer', '', :t)"
            ),
            {"i": reviewer_id.hex, "t": stamp},
        )
        for n, cid in enumerate(cases):
            conn.execute(
                text(
                    'INSERT INTO "case" (id, external_id, channel_id, category, priority, sla_deadline, risk_rank,'
                    " status, tier, reporter, report_text, scores, created_at)"
                    " VALUES (:i, :e, :c, 'violence', 2, :t, 500, 'open', 1, 'ngo', :r, '{\"violence\": 0.9}', :t)"
                ),
                {"i": cid.hex, "e": f"OLD-{n}", "c": channel.hex, "t": stamp, "r": f"report {n} — ünïcode"},
            )
            conn.execute(
                text("INSERT INTO item (id, case_id, position, kind, text) VALUES (:i, :c, 0, 'text', :x)"),
                {"i": uuid.uuid4().hex, "c": cid.hex, "x": f"post {n}"},
            )
    with old.read() as s:
        me = s.get(Reviewer, reviewer_id)
    assert me is not None
    decided = [record_decision(old, case_id=cid, reviewer=me, action="escalate") for cid in cases[:7]]
    old.dispose()

    db = open_database(sqlite_url(path))
    try:
        assert current_revision(db) == head_revision()
        assert "break_record" in inspect(db.engine).get_table_names()
        with db.read() as s:
            rows = {c.external_id: c for c in s.execute(select(Case)).unique().scalars()}
            assert len(rows) == 20 and rows["OLD-3"].report_text == "report 3 — ünïcode"
            assert rows["OLD-3"].scores == {"violence": 0.9} and rows["OLD-3"].status == "escalated"
            assert rows["OLD-19"].status == "open"
            assert len(s.execute(select(Item)).scalars().all()) == 20
            stored = set(s.execute(select(Decision.id)).scalars())
        assert stored == {d.decision_id for d in decided}
        assert verify(db).ok  # the audit chain written before the upgrade still verifies
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    finally:
        db.dispose()


def test_known_revisions_match_the_migration_scripts() -> None:
    from alembic.script import ScriptDirectory

    from reviewer.storage.migrate import KNOWN_REVISIONS, alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    chain = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert tuple(chain) == KNOWN_REVISIONS
    assert script.get_current_head() == KNOWN_REVISIONS[-1]
