"""The review window as the UI tests open it: on a database, shown, with a first case on screen."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from reviewer.clock import Clock
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from reviewer.wellbeing.settings import WellbeingSettings
from tests.support.waiting import UI_WAIT_MS
from ui.shell.context import start_context
from ui.shell.main_window import MainWindow


def open_window(
    db: Database,
    pack: PolicyPack,
    qtbot: QtBot,
    *,
    wellbeing: WellbeingSettings | None = None,
    clock: Clock | None = None,
    first_case: bool = True,
) -> MainWindow:
    """A shown, active ``MainWindow`` (closed by qtbot); with ``first_case`` it waits until a case is on
    screen."""
    w = MainWindow(start_context(db, pack, backup=False), wellbeing=wellbeing, clock=clock)
    qtbot.addWidget(w)
    with qtbot.waitExposed(w):
        w.show()
    w.activateWindow()
    if first_case:
        qtbot.waitUntil(lambda: w.review.selection.current is not None, timeout=UI_WAIT_MS)
    return w
