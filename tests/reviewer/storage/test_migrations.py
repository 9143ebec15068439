from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from reviewer.models import complete_metadata
from reviewer.paths import sqlite_url
from reviewer.queue_search import is_search_index
from reviewer.storage.database import Database
from reviewer.storage.errors import DatabaseOpenError, SchemaTooNewError
from reviewer.storage.migrate import current_revision, head_revision, open_database, upgrade


def test_upgrade_from_empty_database_creates_every_table(tmp_path: Path) -> None:
    db = open_database(sqlite_url(tmp_path / "new.sqlite3"))
    try:
        assert current_revision(db) == head_revision()
        tables = set(inspect(db.engine).get_table_names())
        assert set(complete_metadata().tables) <= tables
        assert upgrade(db) is False  # already at head: nothing runs
    finally:
        db.dispose()


def test_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    db = open_database(sqlite_url(tmp_path / "m.sqlite3"))
    try:
        with db.engine.connect() as conn:
            # The search indexes of schema 0016 (FTS5 tables, pg_trgm indexes) have no model.
            opts = {"include_name": lambda name, _type, _parent: not is_search_index(name)}
            diff = compare_metadata(MigrationContext.configure(conn, opts=opts), complete_metadata())
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


def _legacy_decide(conn, seq: int, prev: str, *, case_id, reviewer_id, action: str, stamp: str) -> str:
    """A decision and its audit event exactly as the first release wrote them (global chain, format 1)."""
    import uuid
    from datetime import datetime

    from reviewer.audit.chain import canonical
    from reviewer.audit.legacy import legacy_event_hash

    decision_id = uuid.uuid4()
    created = datetime.fromisoformat(stamp + "+00:00")
    conn.execute(
        text(
            "INSERT INTO decision (id, case_id, reviewer_id, action, note, tier, handle_ms, revealed, created_at)"
            " VALUES (:i, :c, :r, :a, '', 1, 4200, false, :t)"
        ),
        {"i": decision_id.hex, "c": case_id.hex, "r": reviewer_id.hex, "a": action, "t": stamp},
    )
    conn.execute(
        text('UPDATE "case" SET status = :s, tier = 2 WHERE id = :c'), {"s": "escalated", "c": case_id.hex}
    )
    payload = canonical(
        {
            "decision_id": str(decision_id),
            "case_id": str(case_id),
            "reviewer_id": str(reviewer_id),
            "action": action,
            "policy_code": None,
            "policy_version": None,
            "note": "",
            "tier": 1,
            "revealed": False,
            "reverses_id": None,
            "created_at": created.isoformat(),
        }
    )
    h = legacy_event_hash(seq, created, "old-timer", "decision", str(decision_id), payload, prev)
    conn.execute(
        text(
            "INSERT INTO audit_event (id, seq, created_at, actor, kind, subject, payload, prev_hash, hash)"
            " VALUES (:i, :q, :t, 'old-timer', 'decision', :s, :p, :v, :h)"
        ),
        {"i": uuid.uuid4().hex, "q": seq, "t": stamp, "s": str(decision_id), "p": payload, "v": prev, "h": h},
    )
    return h


def _old_database(path: Path | str, *, tamper: bool = False):  # type: ignore[no-untyped-def]
    """A database at 0001 with 20 cases, 7 escalated by the first release's code (as raw SQL)."""
    import uuid

    from alembic import command

    from reviewer.audit.chain import GENESIS
    from reviewer.storage.migrate import alembic_config

    old = Database(path if isinstance(path, str) else sqlite_url(path))  # a URL, or a SQLite file
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
        prev = GENESIS
        for n, cid in enumerate(cases[:7]):
            stamp_n = f"2026-11-01 10:0{n}:00.000000"
            prev = _legacy_decide(
                conn, n + 1, prev, case_id=cid, reviewer_id=reviewer_id, action="escalate", stamp=stamp_n
            )
        if tamper:
            conn.execute(
                text(
                    "UPDATE decision SET note = 'edited before the upgrade' WHERE id = (SELECT min(id) FROM decision)"
                )
            )
    old.dispose()
    return cases


def test_a_database_at_0001_with_data_upgrades_to_head_and_keeps_it(tmp_path: Path) -> None:
    """Rows written by the first release (raw SQL, as its code stored them) survive upgrading, its audit
    chain still verifies (by its old rule), every old row is sealed in the new format, exports carry them."""
    import io

    from sqlalchemy import select

    from reviewer.audit import verify
    from reviewer.exporting import export_decisions
    from reviewer.models import Case, Decision, Item

    path = tmp_path / "old.sqlite3"
    _old_database(path)
    db = open_database(sqlite_url(path))
    try:
        assert current_revision(db) == head_revision()
        assert "break_record" in inspect(db.engine).get_table_names()
        with db.read() as s:
            rows = {c.external_id: c for c in s.execute(select(Case)).unique().scalars()}
            assert len(rows) == 20 and rows["OLD-3"].report_text == "report 3 — ünïcode"
            assert rows["OLD-3"].scores == {"violence": 0.9} and rows["OLD-3"].status == "escalated"
            assert rows["OLD-3"].state_seq == 1 and rows["OLD-19"].state_seq == 0
            assert rows["OLD-19"].status == "open"
            assert len(s.execute(select(Item)).scalars().all()) == 20
            assert len(s.execute(select(Decision.id)).scalars().all()) == 7
        report = verify(db)
        assert report.ok and report.decisions == 7 and report.chains == 2, report  # legacy + migration
        out = io.StringIO()
        assert export_decisions(db, out, "csv") == 7
        assert "policy_sha256" in out.getvalue().splitlines()[0] and "old-timer" in out.getvalue()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        # After the upgrade, editing an old decision's new-format-covered column shows.
        with db.write_engine.begin() as conn:
            conn.execute(text("UPDATE decision SET handle_ms = 1 WHERE rowid = 2"))
        broken = verify(db)
        assert not broken.ok and "differs from its audit record (handle_ms)" in str(broken.problem)
    finally:
        db.dispose()


def test_cutting_the_old_chain_after_the_upgrade_shows(tmp_path: Path) -> None:
    from reviewer.audit import verify

    path = tmp_path / "old.sqlite3"
    _old_database(path)
    db = open_database(sqlite_url(path))
    try:
        with db.write_engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_event WHERE format = 1 AND seq = 7"))
        report = verify(db)
        assert not report.ok and "events #7..#7 are missing; the upgrade sealed it at #7" in str(report), (
            report
        )
    finally:
        db.dispose()


def test_an_old_log_already_broken_before_the_upgrade_stays_reported(tmp_path: Path) -> None:
    from reviewer.audit import verify

    path = tmp_path / "old.sqlite3"
    _old_database(path, tamper=True)
    db = open_database(sqlite_url(path))
    try:
        report = verify(db)
        assert not report.ok and "already broken before the upgrade" in str(report.problem), report
        assert "differs from its audit record" in str(report.problem)
    finally:
        db.dispose()


def test_decisions_from_before_0006_have_no_rationale_and_still_verify(tmp_path: Path) -> None:
    """0006 adds the rationale, target tier and bulk columns; old decisions get their declared values,
    their old audit snapshots still cover them, and an edit of a new column after the upgrade shows."""
    from alembic import command
    from sqlalchemy import select

    from reviewer.audit import verify
    from reviewer.models import Decision
    from reviewer.storage.migrate import alembic_config

    path = tmp_path / "old.sqlite3"
    _old_database(path)
    at_0005 = Database(sqlite_url(path))
    cfg = alembic_config()
    with at_0005.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
    at_0005.dispose()
    db = open_database(sqlite_url(path))
    try:
        assert current_revision(db) == head_revision()
        with db.read() as s:
            rows = s.execute(select(Decision.rationale, Decision.to_tier, Decision.bulk_id)).all()
        assert len(rows) == 7 and set(rows) == {("", None, None)}
        report = verify(db)
        assert report.ok and report.decisions == 7, report
        for column, value in (
            ("rationale", "'added after the fact'"),
            ("to_tier", "3"),
            ("bulk_id", "'0123456789abcdef0123456789abcdef'"),
        ):
            with db.write_engine.begin() as conn:
                conn.execute(text(f"UPDATE decision SET {column} = {value} WHERE rowid = 3"))
            broken = verify(db)
            assert not broken.ok and f"differs from its audit record ({column})" in str(broken.problem)
            with db.write_engine.begin() as conn:
                reset = "''" if column == "rationale" else "NULL"
                conn.execute(text(f"UPDATE decision SET {column} = {reset} WHERE rowid = 3"))
        assert verify(db).ok
    finally:
        db.dispose()


def test_known_revisions_match_the_migration_scripts() -> None:
    from alembic.script import ScriptDirectory

    from reviewer.storage.migrate import KNOWN_REVISIONS, alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    chain = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert tuple(chain) == KNOWN_REVISIONS
    assert script.get_current_head() == KNOWN_REVISIONS[-1]
