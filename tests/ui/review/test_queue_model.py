"""The lazy queue model: Qt's model contract, keyset paging, filters, remove/reinsert and the SLA column."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush

from reviewer.clock import ManualClock, utcnow
from reviewer.models import Case
from reviewer.queue import QueueFilter
from reviewer.storage.database import Database
from ui.review.queue_model import OVERDUE, CaseIdRole, Column, QueueModel

MakeCases = Callable[..., list[uuid.UUID]]


@pytest.fixture
def cases(make_cases: MakeCases) -> dict[str, list[uuid.UUID]]:
    """450 P2 partner/violence cases, 30 P1 media/hate, 20 P3 partner/spam; each list in queue order."""
    return {
        "p2": make_cases(450),
        "p1": make_cases(30, channel="media", category="hate", priority=1),
        "p3": make_cases(20, category="spam", priority=3),
    }


def _all_rows(model: QueueModel) -> list[uuid.UUID]:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    return [model.index(r, 0).data(CaseIdRole) for r in range(model.rowCount())]


def test_model_contract(db: Database, cases: dict[str, list[uuid.UUID]], qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = QueueModel(db, page_size=100)
    qtmodeltester.check(model)
    model.fetchMore(QModelIndex())
    model.remove_case(cases["p2"][3])
    qtmodeltester.check(model)


def test_pages_arrive_in_queue_order_with_exact_insert_ranges(
    db: Database, cases: dict[str, list[uuid.UUID]]
) -> None:
    model = QueueModel(db, page_size=100)
    assert model.rowCount() == 100
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    fetches = 0
    while model.canFetchMore(QModelIndex()):
        before = model.rowCount()
        model.fetchMore(QModelIndex())
        fetches += 1
        if model.rowCount() > before:
            assert inserted[-1] == (before, model.rowCount() - 1)  # last row is start + n - 1
    assert fetches == 4  # one row is read ahead, so no trailing empty fetch
    assert inserted == [(100, 199), (200, 299), (300, 399), (400, 499)]
    assert not model.canFetchMore(QModelIndex())
    ids = [model.case_at(r).id for r in range(model.rowCount())]  # type: ignore[union-attr]
    assert ids == cases["p1"] + cases["p2"] + cases["p3"]
    keys = [model.case_at(r).key for r in range(model.rowCount())]  # type: ignore[union-attr]
    assert keys == sorted(keys)
    assert model.case_at(500) is None and model.case_at(-1) is None
    assert model.last_fetch_ms > 0


def test_ordering_priority_then_deadline_then_risk(db: Database, make_cases: MakeCases) -> None:
    late_p1 = make_cases(1, priority=1, start=100)[0]  # deadline now + 110 min
    early_p2 = make_cases(1, priority=2)[0]  # now + 10 min
    tied = make_cases(2, priority=1, start=50)  # now + 60, now + 61 min
    with db.write() as s:  # same deadline as tied[0]: the riskier one (rank 0) goes first
        risky = s.get(Case, tied[1])
        assert risky is not None
        risky.sla_deadline, risky.risk_rank = s.get(Case, tied[0]).sla_deadline, 0  # type: ignore[union-attr]
    model = QueueModel(db)
    assert _all_rows(model) == [tied[1], tied[0], late_p1, early_p2]


def test_filters(db: Database, cases: dict[str, list[uuid.UUID]]) -> None:
    model = QueueModel(db, page_size=100)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.set_filter(QueueFilter(channel="media"))
    assert resets and model.rowCount() == 30
    assert _all_rows(model) == cases["p1"]
    model.set_filter(QueueFilter(category="spam"))
    assert _all_rows(model) == cases["p3"]
    model.set_filter(QueueFilter(statuses=("decided",)))
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())
    with db.write() as s:
        s.get(Case, cases["p2"][7]).status = "decided"  # type: ignore[union-attr]
        s.get(Case, cases["p3"][0]).report_text = "Mentions a UNIQUE phrase"  # type: ignore[union-attr]
    model.set_filter(QueueFilter(statuses=("decided",)))
    assert _all_rows(model) == [cases["p2"][7]]
    model.set_filter(QueueFilter(text="unique phrase"))
    assert _all_rows(model) == [cases["p3"][0]]
    model.set_filter(QueueFilter(statuses=("open", "decided"), channel="partner"))
    assert _all_rows(model) == cases["p2"] + cases["p3"]
    assert model.filter == QueueFilter(statuses=("open", "decided"), channel="partner")


def test_remove_and_reinsert(db: Database, cases: dict[str, list[uuid.UUID]]) -> None:
    model = QueueModel(db, page_size=100)
    target = cases["p2"][5]  # row 35 behind the 30 P1 cases
    assert model.row_for_case(target) == 35
    row = model.case_at(35)
    assert row is not None
    removed: list[tuple[int, int]] = []
    model.rowsRemoved.connect(lambda _p, first, last: removed.append((first, last)))
    assert model.remove_case(target)
    assert removed == [(35, 35)] and model.rowCount() == 99
    assert model.row_for_case(target) is None
    assert model.row_for_case(cases["p2"][6]) == 35
    assert not model.remove_case(target)

    assert model.reinsert_case(replace(row, status="decided")) is None  # outside the filter
    assert model.rowCount() == 99
    assert model.reinsert_case(row) == 35
    assert model.row_for_case(target) == 35 and model.rowCount() == 100
    assert model.reinsert_case(row) == 35  # already shown: no duplicate
    assert model.rowCount() == 100

    # Sorting after the fetched range while pages remain: the next fetchMore brings it, not reinsert.
    last = cases["p3"][-1]
    model.set_filter(QueueFilter())
    with db.read() as s:
        from reviewer.queue import fetch_case

        tail = fetch_case(s, last, model.filter)
    assert tail is not None
    assert model.reinsert_case(tail) is None
    assert _all_rows(model).count(last) == 1
    assert model.remove_case(last)
    assert model.reinsert_case(tail) == model.rowCount() - 1  # at the end once everything is fetched
    model.set_filter(QueueFilter(channel="media"))
    assert model.reinsert_case(tail) is None  # partner case, media filter
    model.set_filter(QueueFilter(category="hate"))
    assert model.reinsert_case(tail) is None  # spam case, hate filter


def test_sla_column_counts_down_and_turns_red(db: Database, make_cases: MakeCases) -> None:
    start = utcnow()
    make_cases(3)  # deadlines start + 10, 11, 12 minutes (give or take the write)
    clock = ManualClock(start)
    model = QueueModel(db, clock=clock)
    sla = model.index(0, Column.SLA)
    assert sla.data() in ("9m", "10m")
    assert sla.data(Qt.ItemDataRole.ForegroundRole) is None
    assert "UTC" in sla.data(Qt.ItemDataRole.ToolTipRole)
    changed: list[tuple[int, int, int, int, list[int]]] = []
    model.dataChanged.connect(
        lambda tl, br, roles: changed.append((tl.row(), tl.column(), br.row(), br.column(), list(roles)))
    )
    clock.advance(11 * 60)
    model.refresh_sla()
    assert changed and changed[-1][:4] == (0, Column.SLA, 2, Column.SLA)
    assert Qt.ItemDataRole.DisplayRole in changed[-1][4]
    assert sla.data().startswith("-")
    brush = sla.data(Qt.ItemDataRole.ForegroundRole)
    assert isinstance(brush, QBrush) and brush.color() == OVERDUE
    assert "overdue" in sla.data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(2, Column.SLA).data(Qt.ItemDataRole.ForegroundRole) is None


def test_columns_and_headers(db: Database, make_cases: MakeCases) -> None:
    ids = make_cases(1, channel="media", category="hate", priority=1)
    model = QueueModel(db)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["SLA", "P", "Channel", "Category", "Account", "Risk flags", "Status", "Tier", "Response"]
    texts = [model.index(0, c).data() for c in range(model.columnCount())]
    assert texts[1:4] == ["P1", "media", "hate"]
    assert texts[4].startswith("@acct")
    assert texts[6:] == ["open", "T1", "—"]  # (no response_due_at: no response expected)
    assert model.index(0, 0).data(CaseIdRole) == ids[0]
    empty = QueueModel(db, QueueFilter(statuses=("skipped",)))
    empty.refresh_sla()  # nothing to repaint, no error
    assert empty.rowCount() == 0
