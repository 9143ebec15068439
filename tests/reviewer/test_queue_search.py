"""Text search of the queue (``reviewer.queue_search``): what it matches, the two plans (candidates read by
primary key, or a walk of ix_case_queue) giving the same keyset pages, and the handle index kept current."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import delete, text, update

from reviewer import queue_search
from reviewer.importing.importer import import_file
from reviewer.models import Account
from reviewer.paths import sqlite_url
from reviewer.queue import QueueFilter, count, fetch_before, fetch_page, query_plan, search_plan
from reviewer.storage.database import Database
from tests.reviewer.vault.conftest import write_source

STATUSES = ("open", "decided", "escalated", "skipped")


def _line(n: int) -> dict[str, object]:
    rare = " zebra crossing" if n in (3, 41) else ""
    return {
        "id": f"Ab-{n:03d}" if n % 5 else f"zz-{n:03d}",
        "channel": "partner",
        "category": "violence",
        "priority": 1 + n % 4,
        "report_text": f"Report {n} threat against the desk{rare}",
        "account": {"platform": "photoapp", "handle": f"@Acct{n % 12:02d}"},
        "items": [{"kind": "text", "text": f"item {n}"}],
    }


@pytest.fixture
def sealed(db: Database, tmp_path: Path) -> Database:
    """60 cases imported (report texts sealed, words in ``case_term``), 12 accounts."""
    import_file(db, write_source(tmp_path / "src", [_line(n) for n in range(60)]))
    return db


def _ids(db: Database, flt: QueueFilter, limit: int) -> list[uuid.UUID]:
    ids: list[uuid.UUID] = []
    after = None
    with db.read() as s:
        while True:
            page = fetch_page(s, flt, after, limit)
            ids += [r.id for r in page]
            if len(page) < limit:
                return ids
            after = page[-1].key


def _external(db: Database, flt: QueueFilter) -> list[str]:
    with db.read() as s:
        return sorted(r.external_id for r in fetch_page(s, flt, None, 500))


def test_what_a_search_matches(sealed: Database) -> None:
    # Whole words of the sealed report text, all of them, in any case.
    assert _external(sealed, QueueFilter(text="ZEBRA")) == ["Ab-003", "Ab-041"]
    assert _external(sealed, QueueFilter(text="crossing zebra")) == ["Ab-003", "Ab-041"]
    assert _external(sealed, QueueFilter(text="zeb")) == []  # not a word
    assert _external(sealed, QueueFilter(text="zebra nothing")) == []
    # A substring of the handle, in any case.
    assert _external(sealed, QueueFilter(text="cct07")) == ["Ab-007", "Ab-019", "Ab-031", "Ab-043", "zz-055"]
    # An external id prefix as typed, upper-, lower-cased or capitalised; never a substring of it.
    assert _external(sealed, QueueFilter(text="ZZ-00")) == ["zz-000", "zz-005"]
    assert _external(sealed, QueueFilter(text="ab-00")) == [f"Ab-00{n}" for n in (1, 2, 3, 4, 6, 7, 8, 9)]
    assert _external(sealed, QueueFilter(text="AB-00")) == _external(sealed, QueueFilter(text="ab-00"))
    assert _external(sealed, QueueFilter(text="-001")) == []


TEXTS = ("zebra", "cct07", "ZZ-0", "acct", "threat", "desk report", "Ab-01", "nothing", "ac")


@pytest.mark.parametrize("search", TEXTS)
def test_candidates_and_walk_give_the_same_pages(
    sealed: Database, search: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    flt = QueueFilter(statuses=STATUSES, text=search)
    monkeypatch.setattr(queue_search, "CANDIDATE_LIMIT", -1)  # not even none is "few": always walk
    with sealed.read() as s:
        assert search_plan(s, flt) == "walk"
        walk_count = count(s, flt)
    walked = _ids(sealed, flt, 7)
    monkeypatch.setattr(queue_search, "CANDIDATE_LIMIT", 1000)
    with sealed.read() as s:
        # Short texts cannot use the trigram index: those walk whatever the limit.
        assert search_plan(s, flt) == ("walk" if len(search) < 3 else "candidates")
        assert count(s, flt) == walk_count == len(walked)
    assert _ids(sealed, flt, 7) == walked
    assert _ids(sealed, flt, 500) == walked


def test_the_planner_walks_when_candidates_are_many(
    sealed: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queue_search, "CANDIDATE_LIMIT", 10)
    with sealed.read() as s:
        assert search_plan(s, QueueFilter(text="zebra")) == "candidates"  # 2 cases
        assert search_plan(s, QueueFilter(text="cct07")) == "candidates"  # 5 cases of one account
        assert search_plan(s, QueueFilter(text="threat")) == "walk"  # a word of every case
        assert search_plan(s, QueueFilter(text="acct")) == "walk"  # every handle
        assert search_plan(s, QueueFilter(text="ab-")) == "walk"  # most ids
        (plan,) = query_plan(s, QueueFilter(text="threat"))
        assert any("ix_case_queue" in step for step in plan)
        (plan,) = query_plan(s, QueueFilter(text="zebra"))
        assert not any("ix_case_queue" in step for step in plan), plan


def test_candidate_pages_go_back_and_forth(sealed: Database) -> None:
    flt = QueueFilter(statuses=STATUSES, text="cct0")
    everything = _ids(sealed, flt, 500)
    assert len(everything) == 50
    with sealed.read() as s:
        assert search_plan(s, flt) == "candidates"
        first = fetch_page(s, flt, None, 20)
        second = fetch_page(s, flt, first[-1].key, 20)
        assert [r.id for r in first + second] == everything[:40]
        assert [r.id for r in fetch_before(s, flt, second[0].key, 20)] == everything[:20]


def _index_rows(db: Database) -> tuple[int, int]:
    with db.read() as s:
        indexed = s.execute(text(f"SELECT count(*) FROM {queue_search.HANDLE_INDEX}")).scalar_one()
        pending = s.execute(text(f"SELECT count(*) FROM {queue_search.PENDING}")).scalar_one()
    return indexed, pending


def test_the_handle_index_follows_account_writes(sealed: Database) -> None:
    assert _index_rows(sealed) == (12, 0)  # the import folded its accounts in
    with sealed.write() as s:  # a write outside the importer: noted as pending, found by a scan
        s.execute(update(Account).where(Account.handle == "@Acct07").values(handle="@renamed_person"))
        s.add(Account(platform="photoapp", handle="@brand_new", risk_flags=[]))
    assert _index_rows(sealed) == (11, 2)
    assert _external(sealed, QueueFilter(text="cct07")) == []
    assert len(_external(sealed, QueueFilter(text="RENAMED_p"))) == 5
    with sealed.read() as s:
        assert search_plan(s, QueueFilter(text="renamed")) == "candidates"
    with sealed.write() as s:
        assert queue_search.fold_pending(s.connection()) == 2
    assert _index_rows(sealed) == (13, 0)
    assert len(_external(sealed, QueueFilter(text="RENAMED_p"))) == 5
    with sealed.write() as s:
        s.execute(delete(Account).where(Account.handle == "@brand_new"))
    assert _index_rows(sealed) == (12, 0)


def test_the_migration_fills_the_handle_index_of_an_older_database(tmp_path: Path) -> None:
    from alembic import command

    from reviewer.storage.migrate import alembic_config, open_database

    path = tmp_path / "old.sqlite3"
    old = Database(sqlite_url(path))
    cfg = alembic_config()
    with old.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0013")
    with old.write_engine.begin() as conn:
        for n in range(3):
            conn.execute(
                text(
                    "INSERT INTO account (id, platform, handle, risk_flags, risk_score, created_at)"
                    " VALUES (:i, 'photoapp', :h, '[]', 0.0, '2026-11-01 09:30:00.000000')"
                ),
                {"i": uuid.uuid4().hex, "h": f"@before_{n}"},
            )
    old.dispose()
    db = open_database(sqlite_url(path))
    try:
        with db.read() as s:
            found = s.execute(
                text(
                    f"SELECT handle FROM {queue_search.HANDLE_INDEX} WHERE {queue_search.HANDLE_INDEX} MATCH :q"
                ),
                {"q": '"efore_1"'},
            ).scalars()
            assert list(found) == ["@before_1"]
    finally:
        db.dispose()


def test_a_schema_without_the_handle_index_still_searches(mixed_plain: Database) -> None:
    with mixed_plain.read() as s:
        assert not queue_search.has_handle_index(s)
        assert search_plan(s, QueueFilter(text="somebody")) == "walk"
        assert [r.account_handle for r in fetch_page(s, QueueFilter(text="somebody"))] == ["@somebody"]


@pytest.fixture
def mixed_plain(tmp_path: Path) -> Database:
    """A bare ``create_all`` schema (no migrations, so no handle index), texts plain."""
    from datetime import UTC, datetime

    from reviewer.models import Base, Case, Channel

    db = Database(sqlite_url(tmp_path / "bare.sqlite3"))
    Base.metadata.create_all(db.write_engine)
    with db.write() as s:
        chan = Channel(code="partner", name="Partner")
        acct = Account(platform="photoapp", handle="@somebody", risk_flags=[])
        s.add_all([chan, acct])
        s.flush()
        s.add(
            Case(
                external_id="B-1",
                channel_id=chan.id,
                account_id=acct.id,
                category="violence",
                sla_deadline=datetime(2026, 12, 1, tzinfo=UTC),
                report_text="plain",
            )
        )
    return db
