"""Prepared statements store and read exactly what SQLAlchemy Core would (SQLite's driver connection)."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import bindparam, insert, select

from reviewer.audit.chain import build_event
from reviewer.models import AuditEvent, table_of
from reviewer.storage.database import Database
from reviewer.storage.prepared import Prepared, PreparedSelect

_events = table_of(AuditEvent)


def _event(seq: int) -> dict[str, object]:
    return build_event(
        source_id=uuid.uuid4(),
        seq=seq,
        prev="0" * 64,
        created_at=datetime(2026, 12, 2, 20, 0, 0, 123456, tzinfo=UTC),
        actor="tester",
        kind="note",
        subject="s",
        payload='{"ok":true}',
    )


def test_prepared_insert_stores_the_bytes_core_stores(db: Database, db_path: Path) -> None:
    prepared = Prepared(insert(_events), [c.key for c in _events.columns])
    core, fast = _event(1), _event(2)
    with db.write() as session:
        conn = session.connection()
        conn.execute(insert(_events), core)
        prepared.run(conn, fast)
    raw = sqlite3.connect(db_path)
    try:
        rows = {
            r[0]: r[1:]
            for r in raw.execute(
                "SELECT seq, typeof(id), length(id), created_at, typeof(source_id) FROM audit_event"
            )
        }
    finally:
        raw.close()
    assert rows[1] == rows[2]  # same storage class, width and text format
    query = PreparedSelect(
        select(_events.c.id, _events.c.created_at, _events.c.seq)
        .where(_events.c.source_id == bindparam("b_source"))
        .limit(1)
    )
    with db.read() as session:
        (got,) = query.all(session.connection(), {"b_source": fast["source_id"]})
    assert (got.id, got.created_at, got.seq) == (fast["id"], fast["created_at"], 2)
    assert got._mapping["seq"] == 2


def test_a_datetime_on_a_whole_second_is_bound_as_core_binds_it(db: Database) -> None:
    """A bound datetime goes through the dialect's own processor: stored text always has ".000000" (the
    driver's default adapter would drop it), so comparisons with stored values hold on whole seconds."""
    at = datetime(2026, 12, 2, 20, 0, 0, tzinfo=UTC)
    row = _event(3) | {"created_at": at}
    with db.write() as session:
        Prepared(insert(_events), [c.key for c in _events.columns]).run(session.connection(), row)
    query = PreparedSelect(select(_events.c.seq).where(_events.c.created_at >= bindparam("b_at")))
    with db.read() as session:
        conn = session.connection()
        assert [r.seq for r in query.all(conn, {"b_at": at})] == [3]
        assert query.rows_as_stored(conn, {"b_at": at}) == [(3,)]
        (stored,) = conn.exec_driver_sql("SELECT created_at FROM audit_event").one()
    assert stored == "2026-12-02 20:00:00.000000"
