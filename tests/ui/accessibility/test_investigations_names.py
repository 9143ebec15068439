"""The Investigations window, its picker and its title box: every control named and described, no label
cut (the window with an investigation loaded, at its default size)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from reviewer.identity import ensure_reviewer
from reviewer.investigations import add_case, add_note, create_investigation, list_investigations
from tests.support.accessible import unnamed_controls
from tests.support.labels import clipped_labels
from tests.support.waiting import UI_WAIT_MS
from ui.investigations.picker import InvestigationPicker
from ui.investigations.title_box import TitleBox
from ui.shell.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_investigations_window_is_named(open_window: Callable[..., MainWindow], qtbot: QtBot) -> None:
    window = open_window()
    db = window.ctx.db
    me = ensure_reviewer(db, "tester")
    inv_id = create_investigation(db, me, "Named")
    case = window.review.selection.current
    assert case is not None
    add_case(db, me, inv_id, case.id)
    add_note(db, me, inv_id, "a note")
    qtbot.keyClick(window, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: window.investigations.dialog is not None, timeout=UI_WAIT_MS)
    dialog = window.investigations.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.view is not None, timeout=UI_WAIT_MS)
    for tab in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(tab)
        assert unnamed_controls(dialog) == [], dialog.tabs.tabText(tab)
        QApplication.processEvents()  # lay the tab out
        assert clipped_labels(dialog) == [], dialog.tabs.tabText(tab)

    picker = InvestigationPicker("case X", list_investigations(db), None, lambda _i: None, window)
    box = TitleBox(lambda _t: None, window)
    for other in (picker, box):
        qtbot.addWidget(other)
        assert unnamed_controls(other) == [], other.windowTitle()
