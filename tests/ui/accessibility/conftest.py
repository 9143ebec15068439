"""The accessibility tests' window: the real MainWindow on a small demo database, at a chosen size."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from reviewer.demo import DemoSpec, build_demo
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from tests.support.waiting import UI_WAIT_MS
from ui.shell.context import start_context
from ui.shell.main_window import MainWindow


@pytest.fixture
def open_window(db: Database, pack: PolicyPack, qtbot: QtBot) -> Iterator[Callable[..., MainWindow]]:
    """Factory: ``open_window(width=None, height=None)`` → a shown window with its first case on screen."""
    build_demo(db, DemoSpec(cases=6, seed=3, images=3))
    opened: list[MainWindow] = []

    def make(width: int | None = None, height: int | None = None) -> MainWindow:
        w = MainWindow(start_context(db, pack, backup=False))
        qtbot.addWidget(w)
        if width and height:
            w.resize(width, height)
        with qtbot.waitExposed(w):
            w.show()
        w.activateWindow()
        qtbot.waitUntil(lambda: w.review.selection.current is not None, timeout=UI_WAIT_MS)
        opened.append(w)
        return w

    yield make
    for w in opened:
        w.shutdown()
