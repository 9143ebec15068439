"""The keymap editor: press a key to assign it, clashes refused inline (or swapped), reset, export and
import (all or nothing), and every change applied to the running window at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from reviewer.demo import DemoSpec, build_demo
from reviewer.storage.database import Database
from tests.support.waiting import UI_WAIT_MS
from tests.support.windows import open_window
from ui.commands import CommandPalette, load_user_overrides
from ui.commands.keymap_editor import KeymapEditor
from ui.shell.main_window import MainWindow
from ui.wellbeing.settings_dialog import SettingsDialog


@pytest.fixture
def window(db: Database, pack, qtbot: QtBot) -> Iterator[MainWindow]:
    build_demo(db, DemoSpec(cases=4, seed=3, images=2))
    w = open_window(db, pack, qtbot)
    yield w
    w.shutdown()


@pytest.fixture
def editor(window: MainWindow, qtbot: QtBot) -> KeymapEditor:
    e = KeymapEditor(window.registry, window.settings, window)
    qtbot.addWidget(e)
    return e


def test_a_captured_key_is_assigned_saved_and_works_at_once(
    window: MainWindow, editor: KeymapEditor, qtbot: QtBot
) -> None:
    w = window
    editor.select("view.greyscale")
    editor.start_capture()
    qtbot.keyClick(editor.capture, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.registry.keymap.keys("view.greyscale") == ("Ctrl+G",), timeout=UI_WAIT_MS)
    assert editor.keys_shown("view.greyscale") == "Ctrl+G"
    assert load_user_overrides(w.settings) == {"view.greyscale": ["Ctrl+G"]}
    greyscale = bool(w.prefs.wellbeing.get("display.greyscale"))
    with qtbot.waitSignal(w.registry.triggered, timeout=UI_WAIT_MS) as fired:
        qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert fired.args == ["view.greyscale"]
    assert bool(w.prefs.wellbeing.get("display.greyscale")) is not greyscale
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_G)  # the old key is free now: nothing fires
    assert bool(w.prefs.wellbeing.get("display.greyscale")) is not greyscale


def test_a_clash_is_shown_and_refused_then_swapped_explicitly(window: MainWindow, editor: KeymapEditor) -> None:
    w = window
    assert not editor.assign("view.greyscale", "K")
    assert "K is already the key of “Keep (no violation)”" in editor.message.text() and editor.swap_button.isEnabled()
    assert w.registry.keymap.keys("view.greyscale") == ("G",) and w.registry.keymap.action_for("K") == "decision.keep"
    assert load_user_overrides(w.settings) == {}
    editor.swap()
    assert w.registry.keymap.keys("view.greyscale") == ("K",)
    assert w.registry.keymap.keys("decision.keep") == ("G",)
    assert not w.registry.keymap.conflicts and not editor.swap_button.isEnabled()


def test_reset_one_and_reset_all(window: MainWindow, editor: KeymapEditor) -> None:
    w = window
    assert editor.assign("view.greyscale", "Ctrl+G") and editor.assign("queue.next", "Ctrl+J")
    editor.reset("view.greyscale")
    assert w.registry.keymap.keys("view.greyscale") == ("G",)
    assert load_user_overrides(w.settings) == {"queue.next": ["Ctrl+J"]}
    editor.reset_all()
    assert w.registry.keymap.keys("queue.next") == ("J",) and load_user_overrides(w.settings) == {}
    assert editor.keys_shown("queue.next") == "J"


def test_export_and_import_round_trip(window: MainWindow, editor: KeymapEditor, tmp_path: Path) -> None:
    w = window
    editor.assign("view.greyscale", "Ctrl+G")
    editor.unbind("queue.next")
    path = tmp_path / "mine.toml"
    editor.export_to(path)
    assert '[bindings]' in path.read_text() and '"view.greyscale" = ["Ctrl+G"]' in path.read_text()
    editor.reset_all()
    assert w.registry.keymap.keys("queue.next") == ("J",)
    assert editor.import_from(path)
    assert w.registry.keymap.keys("view.greyscale") == ("Ctrl+G",) and w.registry.keymap.keys("queue.next") == ()
    assert load_user_overrides(w.settings) == {"view.greyscale": ["Ctrl+G"], "queue.next": []}


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ('[bindings]\n"view.greyscale" = ["Ctrl+G"]\n"no.such.action" = ["Ctrl+H"]\n', "unknown action"),
        ('[bindings]\n"view.greyscale" = ["Ctrl+G"]\n"queue.next" = ["Ctrl+G"]\n', "Ctrl+G is bound to"),
        ('[bindings]\n"view.greyscale" = ["Ctrl+G"]\n"queue.next" = ["NoSuchKey+"]\n', "invalid key"),
        ('[bindings]\n"view.greyscale" = 3\n', "not a list of strings"),
        ('"view.greyscale" = ["Ctrl+G"]\n', "no [bindings] table"),
        ("[bindings\n", "not a TOML file"),
    ],
)
def test_a_bad_import_file_is_refused_whole(
    window: MainWindow, editor: KeymapEditor, tmp_path: Path, content: str, why: str
) -> None:
    w = window
    editor.assign("queue.next", "Ctrl+J")
    before = w.registry.keymap.bindings.copy()
    path = tmp_path / "bad.toml"
    path.write_text(content)
    assert not editor.import_from(path)
    assert editor.message.text().startswith("Not imported") and why in editor.message.text()
    assert w.registry.keymap.bindings == before
    assert load_user_overrides(w.settings) == {"queue.next": ["Ctrl+J"]}


def test_the_editor_is_reachable_from_settings_and_the_palette(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    opened: list[bool] = []
    dialog = SettingsDialog(w.prefs.wellbeing, w, open_keymap=lambda: opened.append(True))
    qtbot.addWidget(dialog)
    assert dialog.keymap_button.isVisibleTo(dialog)
    qtbot.mouseClick(dialog.keymap_button, Qt.MouseButton.LeftButton)
    assert opened == [True]
    assert not SettingsDialog(w.prefs.wellbeing, w).keymap_button.isVisibleTo(dialog)
    palette = CommandPalette(w.registry, w)
    qtbot.addWidget(palette)
    qtbot.keyClicks(palette.filter_edit, "keyboard shortcuts")
    assert "app.keymap" in palette.visible_ids()
