"""The lane tests' windows: opened on the test's database and shut down at the end (its workers
stopped before Qt deletes the widgets, so no late read lands on a deleted panel)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from tests.support.windows import open_window
from ui.shell.main_window import MainWindow


@pytest.fixture
def window(db: Database, qtbot: QtBot) -> Iterator[Callable[[PolicyPack], MainWindow]]:
    """``window(pack)`` → a shown window with its first case on screen; every one shut down at the end."""
    opened: list[MainWindow] = []

    def make(pack: PolicyPack) -> MainWindow:
        w = open_window(db, pack, qtbot)
        opened.append(w)
        return w

    yield make
    for w in opened:
        w.shutdown()
