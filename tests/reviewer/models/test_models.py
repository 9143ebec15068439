from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from reviewer.models import Account, Case, Channel, Item
from reviewer.storage.database import Database


def test_case_with_items_round_trips_with_utc_times(db: Database) -> None:
    deadline = datetime(2026, 12, 1, 10, 30, tzinfo=UTC) + timedelta(microseconds=123)
    with db.write() as s:
        ch = Channel(code="partner", name="Partner")
        acct = Account(platform="photoapp", handle="@a", risk_flags=["repeat_offender"], risk_score=0.8)
        s.add_all([ch, acct])
        s.flush()
        case = Case(
            external_id="X-1",
            channel_id=ch.id,
            account_id=acct.id,
            category="hate",
            priority=1,
            sla_deadline=deadline,
            scores={"hate": 0.9},
        )
        s.add(case)
        s.flush()
        s.add(Item(case_id=case.id, kind="text", text="hello", position=0))
    with db.read() as s:
        got = s.execute(select(Case).where(Case.external_id == "X-1")).scalar_one()
        assert got.sla_deadline == deadline and got.sla_deadline.tzinfo is not None
        assert got.account is not None and got.account.risk_flags == ["repeat_offender"]
        assert got.channel.code == "partner"
        assert [i.text for i in got.items] == ["hello"]
        assert got.status == "open" and got.tier == 1 and got.scores == {"hate": 0.9}
        assert got.id.version == 4


def test_naive_datetime_is_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"), db.write() as s:
        ch = Channel(code="c")
        s.add(ch)
        s.flush()
        s.add(Case(external_id="N-1", channel_id=ch.id, category="spam", sla_deadline=datetime(2026, 1, 1)))
        s.flush()


def test_sqlite_runs_in_wal_with_full_sync(db: Database) -> None:
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_passive_checkpoint_moves_committed_pages_out_of_the_wal(db: Database, make_cases) -> None:
    make_cases(20)
    db.checkpoint()
    with db.engine.connect() as conn:
        busy, log, done = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    assert busy == 0 and log == done
    with db.write_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 8000
