"""The queue model keeps packed keys of every fetched row and full rows only in a bounded cache."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex

from reviewer.queue import QueueFilter
from reviewer.storage.database import Database
from ui.review import queue_model
from ui.review.queue_model import PLACEHOLDER, CaseIdRole, Column, QueueModel
from ui.review.row_store import RowStore

MakeCases = Callable[..., list[uuid.UUID]]
Job = tuple[Callable[[], Any], Callable[[Any], None]]


def _fetch_all(model: QueueModel) -> None:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())


def test_keys_read_back_equal_to_the_ones_stored() -> None:
    store = RowStore()
    plus2 = timezone(timedelta(hours=2))
    keys = [
        (1, datetime(2026, 12, 2, 10, 0, 0, 123456, tzinfo=UTC), 0, uuid.uuid4()),
        (3, datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), 900, uuid.uuid4()),
    ]
    store.extend(keys)
    assert [store.key_at(r) for r in range(2)] == keys
    store.insert(1, (2, datetime(2030, 1, 1, tzinfo=plus2), 5, keys[0][3]))
    assert store.key_at(1)[1] == datetime(2030, 1, 1, tzinfo=plus2)
    assert store.find(keys[0][3]) == 0 and store.find(keys[1][3]) == 2 and store.find(uuid.uuid4()) is None
    store.delete(0)
    assert store.find(keys[1][3], hint=1) == 1 and store.id_at(0) == keys[0][3] and len(store) == 2


def test_a_key_beyond_16_bits_widens_every_record() -> None:
    """Priority and risk rank are packed in 16 bits; a larger one (never imported, but the schema allows
    it) turns the store to 32-bit records, the keys stored before read back unchanged."""
    store = RowStore()
    at = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    keys = [(1, at, 1000, uuid.uuid4()), (2, at, 0, uuid.uuid4())]
    store.extend(keys)
    big = (3, at, 70_000, uuid.uuid4())
    store.extend([(3, at, 5, uuid.uuid4()), big])
    store.insert(0, (-(2**20), at, 0, uuid.uuid4()))
    assert len(store) == 5 and [store.key_at(r) for r in (1, 2, 4)] == [*keys, big]
    assert store.key_at(0)[0] == -(2**20) and store.find(big[3]) == 4 and store.find(keys[1][3]) == 2


def test_rows_past_the_cache_are_read_again_by_id(
    db: Database, make_cases: MakeCases, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queue_model, "ROW_CACHE", 120)
    ids = make_cases(300, category="spam")
    model = QueueModel(db, page_size=50)
    _fetch_all(model)
    assert model.rowCount() == 300
    assert len(model._cache) <= 120  # the rest are packed keys only
    assert [model.index(r, 0).data(CaseIdRole) for r in range(300)] == ids
    first = model.case_at(0)  # evicted long ago: read back (no worker: here)
    assert first is not None and first.id == ids[0]
    assert model.index(1, Column.CATEGORY).data() == "spam"
    assert len(model._cache) <= 120
    assert model.remove_case(ids[0]) and model.row_for_case(ids[1]) == 0
    assert model.reinsert_case(first) == 0 and model.rowCount() == 300


def test_with_a_worker_uncached_rows_show_a_placeholder_until_read(
    db: Database, make_cases: MakeCases, monkeypatch: pytest.MonkeyPatch, qtbot: Any
) -> None:
    monkeypatch.setattr(queue_model, "ROW_CACHE", 150)  # more than a block, less than the queue
    ids = make_cases(400, category="spam")
    model = QueueModel(db, page_size=50)
    jobs: list[Job] = []
    model.use_worker(lambda work, done: jobs.append((work, done)))

    def run_jobs() -> None:
        while jobs:
            work, done = jobs.pop(0)
            done(work())

    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        run_jobs()
    assert model.rowCount() == 400
    assert model.index(0, Column.CATEGORY).data() == PLACEHOLDER  # evicted: read by id on the worker
    assert model.case_at(0) is None
    assert model.index(0, 0).data(CaseIdRole) == ids[0]  # ids are always there
    ready: list[tuple[int, int]] = []
    changed: list[tuple[int, int]] = []
    model.rows_ready.connect(lambda first, last: ready.append((first, last)))
    model.dataChanged.connect(lambda tl, br, _roles=None: changed.append((tl.row(), br.row())))
    qtbot.waitUntil(lambda: bool(jobs))  # one read for the wanted block, queued by a zero timer
    assert len(jobs) == 1
    run_jobs()
    assert ready == [(0, queue_model.BLOCK - 1)] and changed[-1] == (0, queue_model.BLOCK - 1)
    assert model.index(0, Column.CATEGORY).data() == "spam"
    row = model.case_at(0)
    assert row is not None and row.id == ids[0]
    model.set_filter(QueueFilter(category="hate"))  # a new filter forgets every row
    run_jobs()
    assert model.rowCount() == 0 and not model._cache


def test_with_a_worker_given_at_construction_nothing_is_read_until_the_filter_is_set(
    db: Database, make_cases: MakeCases, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window's model: its first page is read on the worker when the window starts, not on the UI
    thread while it is built (and read twice)."""
    make_cases(30, category="spam")
    jobs: list[Job] = []
    reads: list[object] = []
    real_read = db.read
    monkeypatch.setattr(db, "read", lambda *a, **k: reads.append(1) or real_read(*a, **k))
    model = QueueModel(db, page_size=50, submit=lambda work, done: jobs.append((work, done)))
    assert reads == [] and jobs == []
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())
    model.set_filter(QueueFilter())
    assert model.loading and len(jobs) == 1 and reads == []  # queued for the worker
    work, done = jobs.pop()
    done(work())
    assert model.rowCount() == 30 and not model.loading
