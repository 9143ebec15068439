"""Every control of the main window and its dialogs has an accessible name and description."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from reviewer.clock import utcnow
from reviewer.conflicts import StandingDecision
from tests.support.accessible import unnamed_controls
from tests.support.modal import when_modal
from tests.support.waiting import UI_WAIT_MS
from ui.commands.cheatsheet import CheatSheet
from ui.commands.palette import CommandPalette
from ui.review.override import OverrideDialog
from ui.review.rationale_box import RationaleBox
from ui.shell.main_window import MainWindow
from ui.shell.plain import message_box
from ui.wellbeing.settings_dialog import SettingsDialog
from ui.wellbeing.summary_dialog import SummaryDialog


@pytest.fixture
def window(open_window: Callable[..., MainWindow]) -> MainWindow:
    return open_window()


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

    def walk(dialog: RationaleBox) -> None:
        seen.append(unnamed_controls(dialog))
        dialog.reject()

    when_modal(RationaleBox, walk)
    window.registry.trigger("decision.note")
    qtbot.waitUntil(lambda: bool(seen), timeout=UI_WAIT_MS)
    assert seen == [[]]


def test_message_box_buttons_are_named_when_shown(qtbot: QtBot) -> None:
    box = message_box(QMessageBox.Icon.Warning, "Decision NOT saved", "disk full")
    qtbot.addWidget(box)
    box.addButton("&Restore the last backup (R)", QMessageBox.ButtonRole.DestructiveRole)
    with qtbot.waitExposed(box):
        box.show()
    assert unnamed_controls(box) == []
    names = sorted(b.accessibleName() for b in box.findChildren(QPushButton))
    assert names == ["OK", "Restore the last backup"]
