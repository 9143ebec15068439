"""Opening the review window in a test: shown, active, and its first case on screen."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from tests.support.waiting import UI_WAIT_MS
from ui.shell.context import start_context
from ui.shell.main_window import MainWindow


def open_window(db: Database, pack: PolicyPack, qtbot: QtBot) -> MainWindow:
    """A main window on ``db``, exposed and active, once its first case is on screen."""
    w = MainWindow(start_context(db, pack, backup=False))
    qtbot.addWidget(w)
    with qtbot.waitExposed(w):
        w.show()
    w.activateWindow()
    qtbot.waitUntil(lambda: w.review.selection.current is not None, timeout=UI_WAIT_MS)
    return w
