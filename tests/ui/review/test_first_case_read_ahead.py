"""A new filter's first case is read on the read worker right after its first page, in the same job
(issue 17, cold start): the window's first case loads while the UI thread paints the window, instead of
after the page has reached the UI thread. A read ahead that fails is read again the usual way."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from pytestqt.qtbot import QtBot

from reviewer.demo import DemoSpec, build_demo
from reviewer.policy import PolicyPack
from reviewer.queue import QueueFilter
from reviewer.storage.database import Database
from tests.support.waiting import UI_WAIT_MS
from tests.support.windows import open_window
from ui.review.selection import Selection

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _record_usual_loads(monkeypatch: pytest.MonkeyPatch) -> list[uuid.UUID]:
    loads: list[uuid.UUID] = []
    usual = Selection._load

    def load(self: Selection, case_id: uuid.UUID, *, show: bool) -> None:
        loads.append(case_id)
        usual(self, case_id, show=show)

    monkeypatch.setattr(Selection, "_load", load)
    return loads


def test_the_first_case_comes_with_the_first_page(
    db: Database, pack: PolicyPack, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_demo(db, DemoSpec(cases=12, seed=3, images=2), now=NOW)
    loads = _record_usual_loads(monkeypatch)
    w = open_window(db, pack, qtbot)
    first = w.review.model.case_at(0)
    assert first is not None
    assert w.review.selection.current is not None and w.review.selection.current.id == first.id
    assert first.id not in loads  # not asked for from the UI thread: it came with the page

    # A new filter: its first case comes the same way.
    loads.clear()
    w.review.apply_filter(QueueFilter(statuses=("open",), category=first.category))
    qtbot.waitUntil(
        lambda: w.review.selection.current is not None and w.review.selection.current.category == first.category,
        timeout=UI_WAIT_MS,
    )
    assert w.review.selection.current.id not in loads


def test_a_failed_read_ahead_is_read_again_the_usual_way(
    db: Database, pack: PolicyPack, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_demo(db, DemoSpec(cases=6, seed=4, images=1), now=NOW)
    loads = _record_usual_loads(monkeypatch)
    usual = Selection.read_view
    failed: list[uuid.UUID] = []

    def read_view(self: Selection, case_id: uuid.UUID) -> object:
        if not failed:
            failed.append(case_id)
            raise OSError("disk went away for a moment")
        return usual(self, case_id)

    monkeypatch.setattr(Selection, "read_view", read_view)
    w = open_window(db, pack, qtbot)
    assert w.review.selection.current is not None
    assert failed == [w.review.selection.current.id]
    assert failed[0] in loads  # read again from the UI thread's request, and shown
