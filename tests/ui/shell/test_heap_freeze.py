"""After the first case is on screen the start-up objects are frozen out of the cyclic collector (no full
collection walks them during a case switch), and the window's shutdown gives them back."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from reviewer.demo import DemoSpec, build_demo
from reviewer.storage.database import Database
from tests.support.waiting import UI_WAIT_MS
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
