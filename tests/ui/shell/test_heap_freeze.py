"""After the first case is on screen the start-up objects are frozen out of the cyclic collector (no full
collection walks them during a case switch), and the window's shutdown gives them back."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from reviewer.demo import DemoSpec, build_demo
from reviewer.storage.database import Database
from tests.support.waiting import UI_WAIT_MS
from ui.shell import heap
from ui.shell.context import start_context
from ui.shell.main_window import MainWindow

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_start_up_objects_are_frozen_after_the_first_case_and_thawed_at_shutdown(
    db: Database, pack, qtbot: QtBot
) -> None:
    build_demo(db, DemoSpec(cases=3, seed=2, images=1), now=NOW)
    gc.unfreeze()
    w = MainWindow(start_context(db, pack, backup=False))
    qtbot.addWidget(w)
    assert gc.get_freeze_count() == 0  # nothing is frozen while the window is built
    with qtbot.waitExposed(w):
        w.show()
    qtbot.waitUntil(lambda: w.frozen_objects > 0, timeout=UI_WAIT_MS)
    assert w.review.selection.current is not None  # frozen after the first case, not before
    assert w.frozen_objects > 10_000  # the window's own objects among them
    assert gc.get_freeze_count() > 10_000  # (some are freed by their counts since: that is allowed)
    w.shutdown()
    assert gc.get_freeze_count() == 0


def test_a_start_with_the_collector_paused_freezes_without_collecting_and_turns_it_back_on(
    db: Database, pack, qtbot: QtBot, monkeypatch
) -> None:
    """The launcher pauses the collector before the app's imports; the first case on screen ends the
    pause (the freeze), with no collection on the UI thread then."""
    build_demo(db, DemoSpec(cases=3, seed=2, images=1), now=NOW)
    gc.unfreeze()
    collections: list[int] = []
    monkeypatch.setattr(heap, "_paused", False)  # restored at teardown
    monkeypatch.setattr(gc, "collect", lambda generation=2: collections.append(generation) or 0)
    heap.pause_collection()
    try:
        assert not gc.isenabled()
        w = MainWindow(start_context(db, pack, backup=False))
        qtbot.addWidget(w)
        with qtbot.waitExposed(w):
            w.show()
        assert not gc.isenabled() or w.frozen_objects > 0  # paused until the first case
        qtbot.waitUntil(lambda: w.frozen_objects > 0, timeout=UI_WAIT_MS)
        assert gc.isenabled()
        assert w.review.selection.current is not None
        assert collections == []  # everything was young: no collection walked it on the UI thread
        w.shutdown()
        assert gc.get_freeze_count() == 0
    finally:
        gc.enable()


def test_the_launcher_pauses_the_collector_before_the_app_is_imported(monkeypatch) -> None:
    import ui.shell.app as app_module
    from ui.shell import launcher

    seen: list[bool] = []
    monkeypatch.setattr(heap, "_paused", False)  # restored at teardown
    monkeypatch.setattr(app_module, "run_app", lambda url: seen.append(gc.isenabled()) or 0)
    try:
        assert launcher.open_app("sqlite:///unused.sqlite3") == 0
        assert seen == [False]
    finally:
        gc.enable()
