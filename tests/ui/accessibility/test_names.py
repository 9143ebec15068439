"""Every control of the main window and its dialogs has an accessible name and description."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QPushButton
from pytestqt.qtbot import QtBot

from reviewer.clock import utcnow
from reviewer.conflicts import StandingDecision
from reviewer.demo import DemoSpec, build_demo
from reviewer.storage.database import Database
from tests.support.accessible import unnamed_controls
from tests.support.waiting import UI_WAIT_MS
from ui.commands.cheatsheet import CheatSheet
from ui.commands.palette import CommandPalette
from ui.review.override import OverrideDialog
from ui.shell.context import start_context
from ui.shell.main_window import MainWindow
from ui.wellbeing.settings_dialog import SettingsDialog
from ui.wellbeing.summary_dialog import SummaryDialog


@pytest.fixture
def window(db: Database, pack, qtbot: QtBot) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    build_demo(db, DemoSpec(cases=6, seed=3, images=3))
    w = MainWindow(start_context(db, pack, backup=False))
    qtbot.addWidget(w)
    with qtbot.waitExposed(w):
        w.show()
    w.activateWindow()
    qtbot.waitUntil(lambda: w.review.selection.current is not None, timeout=UI_WAIT_MS)
    yield w
    w.shutdown()


def test_the_walker_catches_a_control_without_a_name(qtbot: QtBot) -> None:
    button = QPushButton("Go")
    qtbot.addWidget(button)
    assert unnamed_controls(button) == ["no name: QPushButton#? 'Go'"]
    button.setAccessibleName("Go")
    assert unnamed_controls(button) == ["no description: QPushButton#? 'Go'"]
    button.setAccessibleDescription("Start")
    assert unnamed_controls(button) == []


def test_main_window_controls_are_named(window: MainWindow) -> None:
    assert unnamed_controls(window) == []
    canvas = window.review.preview.canvas
    count = len(window.review.selection.current.items)  # type: ignore[union-attr]
    assert canvas.accessibleName().startswith("Blurred preview of item 1 of ")
    assert canvas.accessibleName().endswith(f"of {count}, {window.review.preview.current_item.kind}")  # type: ignore[union-attr]


def test_dialog_controls_are_named(window: MainWindow, qtbot: QtBot, pack) -> None:  # type: ignore[no-untyped-def]
    standing = StandingDecision(uuid.uuid4(), "alice", utcnow(), "keep", "NV-0")
    dialogs = [
        SettingsDialog(window.prefs.wellbeing, window, theme=window.prefs.theme),
        SummaryDialog(window.wellbeing.session_summary(), "Call the team", window),
        OverrideDialog(standing, pack, "violence", window),
        CommandPalette(window.registry, window),
        CheatSheet(window.registry, window),
    ]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        assert unnamed_controls(dialog) == [], dialog.windowTitle()


def test_note_prompt_controls_are_named(window: MainWindow, qtbot: QtBot) -> None:
    seen: list[list[str]] = []

    def walk() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog):
            QTimer.singleShot(20, walk)
            return
        seen.append(unnamed_controls(dialog))
        dialog.reject()

    QTimer.singleShot(0, walk)
    window.registry.trigger("decision.note")
    qtbot.waitUntil(lambda: bool(seen), timeout=UI_WAIT_MS)
    assert seen == [[]]
