"""One tier's queue: keyset pages of the cases at a tier tile the ordered queue, counts agree, the page
query still walks ix_case_queue, and a tier's queue never shows an impossible status."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from reviewer import queue
from reviewer.models import Case, Channel
from reviewer.queue import QueueFilter, count, fetch_before, fetch_case, fetch_page, tier_statuses
from reviewer.storage.database import Database

BASE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
FAR_END = (99, datetime(9999, 1, 1, tzinfo=UTC), 0, uuid.UUID(int=0))


@pytest.fixture
def tiered(db: Database) -> Database:
    """400 cases with ties on the queue key, over three tiers with the statuses each tier can have."""
    rng = random.Random(11)
    with db.write() as s:
        chans = [Channel(code=code, name=code) for code in ("partner", "staff")]
        s.add_all(chans)
        s.flush()
        for i in range(400):
            tier = rng.choice((1, 1, 2, 3))
            s.add(
                Case(
                    external_id=f"Q{i:04d}",
                    channel_id=rng.choice(chans).id,
                    account_id=None,
                    category=rng.choice(("violence", "hate")),
                    priority=rng.randint(1, 3),
                    sla_deadline=BASE + timedelta(minutes=rng.choice((0, 5, 5, 10))),
                    risk_rank=rng.choice((0, 500)),
                    status=rng.choice(tier_statuses(tier)),
                    tier=tier,
                )
            )
    return db


def _expected(db: Database, *conditions: object) -> list[uuid.UUID]:
    with db.read() as s:
        stmt = select(Case.id).join(Channel).where(*conditions)
        return list(s.scalars(stmt.order_by(Case.priority, Case.sla_deadline, Case.risk_rank, Case.id)))


def _walk(db: Database, flt: QueueFilter, limit: int) -> list[uuid.UUID]:
    ids: list[uuid.UUID] = []
    after = None
    with db.read() as s:
        while page := fetch_page(s, flt, after, limit):
            assert all(r.tier == flt.tier for r in page)
            ids += [r.id for r in page]
            after = page[-1].key
    return ids


@pytest.mark.parametrize("tier", [1, 2, 3])
@pytest.mark.parametrize("limit", [1, 9, 200])
def test_pages_of_one_tier_tile_its_queue(tiered: Database, tier: int, limit: int) -> None:
    statuses = ("open", "escalated", "skipped")
    flt = QueueFilter(statuses=statuses, tier=tier)
    expected = _expected(tiered, Case.status.in_(statuses), Case.tier == tier)
    assert len(expected) > 20
    assert _walk(tiered, flt, limit) == expected
    with tiered.read() as s:
        assert count(s, flt) == len(expected)
        back: list[uuid.UUID] = []
        before = FAR_END
        while page := fetch_before(s, flt, before, 13):
            back = [r.id for r in page] + back
            before = page[0].key
    assert back == expected


def test_a_tier_with_a_channel_and_none_for_every_tier(tiered: Database) -> None:
    flt = QueueFilter(statuses=("escalated",), channel="staff", tier=2)
    assert _walk(tiered, flt, 7) == _expected(
        tiered, Case.status == "escalated", Channel.code == "staff", Case.tier == 2
    )
    every = QueueFilter(statuses=("escalated",))
    with tiered.read() as s:
        assert count(s, every) == len(_expected(tiered, Case.status == "escalated"))
        some = fetch_page(s, QueueFilter(statuses=("escalated",), tier=3), None, 1)[0]
        assert fetch_case(s, some.id, QueueFilter(statuses=("escalated",), tier=3)) is not None
        assert fetch_case(s, some.id, QueueFilter(statuses=("escalated",), tier=2)) is None


@pytest.mark.parametrize("flt", [QueueFilter(tier=1), QueueFilter(statuses=("escalated", "skipped"), tier=2)])
@pytest.mark.parametrize("bounded", [False, True])
def test_the_tier_page_query_walks_the_queue_index(tiered: Database, flt: QueueFilter, bounded: bool) -> None:
    with tiered.read() as s:
        bound = fetch_page(s, QueueFilter(), None, 60)[30].key if bounded else None
        plans = queue.query_plan(s, flt, bound)
    assert len(plans) == len(flt.statuses)
    for plan in plans:
        text = "\n".join(plan)
        assert plan[0].startswith("SEARCH case USING INDEX ix_case_queue (status=?"), text
        assert "TEMP B-TREE" not in text and "SCAN" not in text, text


def test_a_tier_queue_shows_the_statuses_a_case_at_that_tier_can_have() -> None:
    assert QueueFilter().for_tier(2) == QueueFilter(statuses=("escalated",), tier=2)  # never "open" there
    assert QueueFilter(statuses=("open", "skipped")).for_tier(2).statuses == ("open", "skipped")
    assert QueueFilter(statuses=("decided",)).for_tier(3).statuses == ("decided",)
    assert QueueFilter(statuses=("escalated",)).for_tier(1) == QueueFilter(statuses=("open",), tier=1)
    assert QueueFilter(statuses=("escalated",), tier=2).for_tier(None) == QueueFilter(statuses=("escalated",))
