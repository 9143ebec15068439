"""Keyset paging of the queue (no Qt): pages tile the ordered queue exactly, filters, plans use the index."""

from __future__ import annotations

import random
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from reviewer import queue
from reviewer.models import Account, Case, Channel, Item
from reviewer.queue import QueueFilter, count, fetch_before, fetch_case, fetch_page
from reviewer.storage.database import Database

BASE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
FAR_END = (99, datetime(9999, 1, 1, tzinfo=UTC), 0, uuid.UUID(int=0))


@pytest.fixture
def mixed(db: Database) -> Database:
    """300 cases with many ties on (priority, deadline) and on risk, over two channels and three categories."""
    rng = random.Random(7)
    with db.write() as s:
        chans = [Channel(code=code, name=code) for code in ("partner", "media")]
        accts = [
            Account(platform="photoapp", handle=f"@Acct{i}", risk_flags=["prior_strike"] * (i % 2))
            for i in range(4)
        ]
        s.add_all(chans + accts)
        s.flush()
        for i in range(300):
            case = Case(
                external_id=f"X{i:04d}" if i % 10 else f"ESC-{i:04d}",
                channel_id=rng.choice(chans).id,
                account_id=None if i % 13 == 0 else rng.choice(accts).id,
                category=rng.choice(("violence", "hate", "spam")),
                priority=rng.randint(1, 4),
                sla_deadline=BASE + timedelta(minutes=rng.choice((0, 5, 5, 10))),
                risk_rank=rng.choice((0, 500, 1000)),
                status=rng.choices(("open", "decided", "escalated", "skipped"), (6, 2, 1, 1))[0],
                report_text="contains the Needle here" if i % 17 == 0 else f"report {i} 100% sure",
            )
            s.add(case)
            s.flush()
            s.add(Item(case_id=case.id, kind=rng.choice(("image", "text")), position=0))
            if i % 3 == 0:
                s.add(Item(case_id=case.id, kind="link", position=1))
    return db


def _expected(db: Database, *conditions: object) -> list[uuid.UUID]:
    with db.read() as s:
        stmt = select(Case.id).join(Channel).outerjoin(Account).where(*conditions)
        stmt = stmt.order_by(Case.priority, Case.sla_deadline, Case.risk_rank, Case.id)
        return list(s.scalars(stmt))


def _walk(db: Database, flt: QueueFilter, limit: int) -> list[uuid.UUID]:
    ids: list[uuid.UUID] = []
    after = None
    with db.read() as s:
        while True:
            page = fetch_page(s, flt, after, limit)
            ids += [r.id for r in page]
            if len(page) < limit:
                return ids
            after = page[-1].key


def test_sqlite_supports_row_values() -> None:
    assert sqlite3.sqlite_version_info >= (3, 15, 0)


@pytest.mark.parametrize("limit", [1, 7, 50, 200, 1000])
def test_pages_tile_the_ordered_queue(mixed: Database, limit: int) -> None:
    expected = _expected(mixed, Case.status == "open")
    assert len(expected) > 150
    got = _walk(mixed, QueueFilter(), limit)
    assert got == expected
    assert len(set(got)) == len(got)


def test_several_statuses_merge_in_queue_order(mixed: Database) -> None:
    statuses = ("escalated", "open", "skipped")
    expected = _expected(mixed, Case.status.in_(statuses))
    assert _walk(mixed, QueueFilter(statuses=statuses), 23) == expected
    assert _walk(mixed, QueueFilter(statuses=statuses + ("open",)), 200) == expected


def test_fetch_before_walks_back_in_queue_order(mixed: Database) -> None:
    flt = QueueFilter(statuses=("open", "escalated"))
    expected = _expected(mixed, Case.status.in_(flt.statuses))
    with mixed.read() as s:
        rows = fetch_page(s, flt, None, 1000)
        assert [r.id for r in fetch_before(s, flt, rows[120].key, 50)] == expected[70:120]
        assert [r.id for r in fetch_before(s, flt, rows[10].key, 50)] == expected[:10]
        assert fetch_before(s, flt, rows[0].key, 50) == []
        back: list[uuid.UUID] = []
        before = FAR_END
        while page := fetch_before(s, flt, before, 37):
            back = [r.id for r in page] + back
            before = page[0].key
    assert back == expected


def test_rows_carry_display_values(mixed: Database) -> None:
    with mixed.read() as s:
        rows = fetch_page(s, QueueFilter(statuses=("open", "decided", "escalated", "skipped")), None, 1000)
        cases = {c.id: c for c in s.scalars(select(Case))}
        for row in rows:
            case = cases[row.id]
            assert row.key == (case.priority, case.sla_deadline, case.risk_rank, case.id)
            assert row.sla_deadline.tzinfo is not None
            assert row.channel == case.channel.code
            assert row.account_handle == (case.account.handle if case.account else None)
            assert row.risk_flags == tuple(case.account.risk_flags if case.account else ())
            assert row.item_kinds == tuple(i.kind for i in case.items)
            assert (row.external_id, row.status, row.category, row.tier) == (
                case.external_id,
                case.status,
                case.category,
                case.tier,
            )
        assert all(r.item_kinds is None for r in fetch_page(s, QueueFilter(), None, 5, item_kinds=False))


@pytest.mark.parametrize(
    ("flt", "conditions"),
    [
        (QueueFilter(channel="media"), (Case.status == "open", Channel.code == "media")),
        (QueueFilter(channel="nowhere"), (Case.status == "open", Channel.code == "nowhere")),
        (QueueFilter(category="hate"), (Case.status == "open", Case.category == "hate")),
        (
            QueueFilter(statuses=("decided", "open"), channel="partner", category="spam"),
            (Case.status.in_(("decided", "open")), Channel.code == "partner", Case.category == "spam"),
        ),
        (QueueFilter(text="esc-"), (Case.status == "open", Case.external_id.like("ESC-%"))),
        (QueueFilter(text="acct3"), (Case.status == "open", Account.handle == "@Acct3")),
        (QueueFilter(text="NEEDLE"), (Case.status == "open", Case.report_text.like("%Needle%"))),
        (QueueFilter(text="100%"), (Case.status == "open", Case.report_text.like("%100\\%%", escape="\\"))),
        (QueueFilter(text="10_%"), (Case.status == "open", Case.id.is_(None))),  # wildcards are literal
    ],
)
def test_filters(mixed: Database, flt: QueueFilter, conditions: tuple[object, ...]) -> None:
    expected = _expected(mixed, *conditions)
    assert _walk(mixed, flt, 40) == expected
    with mixed.read() as s:
        assert count(s, flt) == len(expected)
        assert count(s, flt, cap=5) == min(5, len(expected))


def test_count_and_empty_status_list(mixed: Database) -> None:
    with mixed.read() as s:
        assert count(s, QueueFilter()) == len(_expected(mixed, Case.status == "open"))
        assert count(s, QueueFilter(statuses=())) == 0
        assert fetch_page(s, QueueFilter(statuses=())) == []
        assert fetch_page(s, QueueFilter(), None, 0) == []


def test_fetch_case_applies_the_filter(mixed: Database) -> None:
    with mixed.read() as s:
        decided = s.scalars(select(Case).where(Case.status == "decided")).first()
        assert decided is not None
        row = fetch_case(s, decided.id)
        assert row is not None and row.id == decided.id and row.status == "decided"
        assert row.item_kinds
        assert fetch_case(s, decided.id, QueueFilter()) is None
        assert fetch_case(s, decided.id, QueueFilter(statuses=("decided",))) == row
        assert fetch_case(s, uuid.uuid4()) is None


def test_channels_and_categories(mixed: Database) -> None:
    with mixed.read() as s:
        assert queue.channels(s) == ["media", "partner"]
        assert {"violence", "hate", "spam"} <= set(queue.categories(s))


PLAN_FILTERS = [
    QueueFilter(),
    QueueFilter(channel="media"),
    QueueFilter(category="hate"),
    QueueFilter(channel="partner", category="spam"),
    QueueFilter(text="needle"),
    QueueFilter(statuses=("open", "escalated", "skipped")),
]


@pytest.mark.parametrize("flt", PLAN_FILTERS)
@pytest.mark.parametrize(("forward", "bounded"), [(True, False), (True, True), (False, True)])
def test_page_queries_walk_the_queue_index(
    mixed: Database, flt: QueueFilter, forward: bool, bounded: bool
) -> None:
    """No OFFSET, no sort: every per-status query walks ix_case_queue in order (fetch_before backwards)."""
    with mixed.read() as s:
        bound = fetch_page(s, QueueFilter(), None, 100)[50].key if bounded else None
        plans = queue.query_plan(s, flt, bound, forward=forward)
    assert len(plans) == len(flt.statuses)
    for plan in plans:
        text = "\n".join(plan)
        assert plan[0].startswith("SEARCH case USING INDEX ix_case_queue (status=?"), text
        if bounded:
            assert "(priority,sla_deadline,risk_rank,id)" in plan[0], text
        assert "TEMP B-TREE" not in text, text
        assert "SCAN" not in text, text


def test_the_page_query_walks_the_queue_index_whatever_other_case_indexes_exist(db: Database) -> None:
    """Without table statistics SQLite picks among the indexes that start with ``status``; an index on
    (status, created_at) (schema 0009) once made it sort every open case for each page."""
    with db.read() as s:
        for plan in queue.query_plan(s, QueueFilter()):
            assert any("ix_case_queue" in step for step in plan), plan
            assert not any("TEMP B-TREE" in step for step in plan), plan


@pytest.mark.parametrize("flt", [f for f in PLAN_FILTERS if not f.text])
def test_prepared_page_statements_walk_the_queue_index(mixed: Database, flt: QueueFilter) -> None:
    """The statements compiled once per filter shape (SQLite pages without text) plan like the others,
    and the response states they read with the rows come from ix_response_case."""
    queue._PREPARED.clear()
    with mixed.read() as s:
        first, _states = queue.fetch_page_responses(s, flt, None, 20)
        queue.fetch_page_responses(s, flt, first[-1].key, 20)
        queue.fetch_before(s, flt, first[-1].key, 20, item_kinds=False)
        assert len(queue._PREPARED) == 3
        for prepared in queue._PREPARED.values():
            sql, steps, _results = prepared._plans["sqlite"]
            params = [None if name else const for name, _proc, const in steps]
            plan = [
                row[-1] for row in s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql, tuple(params))
            ]
            text = "\n".join(plan)
            assert plan[0].startswith("SEARCH case USING INDEX ix_case_queue (status=?"), text
            assert "TEMP B-TREE" not in text and "SCAN" not in text, text
            if "answered" in sql:
                assert "ix_response_case" in text, text
