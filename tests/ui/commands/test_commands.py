"""The action registry: keymap data and overrides, shortcuts, hold keys, typing wins, palette, cheat sheet."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.support.waiting import UI_WAIT_MS
from ui.commands import (
    ActionRegistry,
    CheatSheet,
    CommandPalette,
    Keymap,
    clear_user_override,
    default_keymap_path,
    load_user_overrides,
    save_user_override,
)
from ui.commands.keymap import split_keys
from ui.shell.main_window import action_specs

ACTION_SPECS = action_specs()

# Offscreen windows warn that they cannot resize to hints; harmless, and every test shows a window.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

# Every action ships bound; an ActionSpec(optional=True) may ship without a key (palette only).
OPTIONAL = {spec.id for spec in ACTION_SPECS if spec.optional}


def _noop() -> None:
    pass


def _noop_hold(_pressed: bool) -> None:
    pass


class Window(QWidget):
    def __init__(self, keymap: Keymap) -> None:
        super().__init__()
        self.edit = QLineEdit(self)
        self.note = QPlainTextEdit(self)
        self.spin = QSpinBox(self)
        self.list = QListWidget(self)
        self.list.addItems(["case 1", "case 2"])
        layout = QVBoxLayout(self)
        for w in (self.edit, self.note, self.spin, self.list):
            layout.addWidget(w)
        self.registry = ActionRegistry(self)
        self.registry.attach(self)
        for spec in ACTION_SPECS:
            self.registry.register(spec, _noop_hold if spec.hold else _noop)
        self.registry.set_keymap(keymap)
        self.fired: list[str] = []
        self.holds: list[tuple[str, bool]] = []
        self.registry.triggered.connect(self.fired.append)
        self.registry.held.connect(lambda aid, down: self.holds.append((aid, down)))


@pytest.fixture
def window(qtbot: QtBot) -> Window:
    w = Window(Keymap.load(ACTION_SPECS))
    qtbot.addWidget(w)
    with qtbot.waitExposed(w):
        w.show()
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    w.setFocus()
    return w


# -- keymap as data ----------------------------------------------------------------------------


def test_default_keymap_has_no_conflicts_and_binds_every_action() -> None:
    keymap = Keymap.load(ACTION_SPECS)
    assert keymap.conflicts == []
    assert keymap.unknown == []
    unbound = [s.id for s in ACTION_SPECS if not keymap.keys(s.id) and s.id not in OPTIONAL]
    assert unbound == []
    assert set(keymap.bindings) == {s.id for s in ACTION_SPECS}
    assert keymap.keys("decision.undo") == ("Ctrl+Z", "U")
    assert keymap.action_for("ctrl+k") == "app.palette"
    assert keymap.action_for("Escape") == "view.panic"


def test_default_file_lists_exactly_the_registered_actions() -> None:
    import tomllib

    table = tomllib.loads(default_keymap_path().read_text())["bindings"]
    assert set(table) == {s.id for s in ACTION_SPECS}


def test_override_replaces_defaults_and_empty_list_unbinds() -> None:
    keymap = Keymap.load(ACTION_SPECS, overrides={"decision.keep": ["Shift+K"], "decision.note": []})
    assert keymap.keys("decision.keep") == ("Shift+K",)
    assert keymap.action_for("K") is None
    assert keymap.keys("decision.note") == ()
    assert keymap.conflicts == []


def test_colliding_override_is_reported_and_the_default_keeps_the_key() -> None:
    keymap = Keymap.load(ACTION_SPECS, overrides={"decision.keep": ["R", "Y"]})
    assert len(keymap.conflicts) == 1
    conflict = keymap.conflicts[0]
    assert conflict.key == "R"
    assert conflict.action_ids == ("decision.remove", "decision.keep")
    assert "decision.remove" in str(conflict) and "decision.keep" in str(conflict)
    assert keymap.action_for("R") == "decision.remove"
    assert keymap.keys("decision.keep") == ("Y",)


def test_conflict_inside_the_defaults_file_does_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "keymap.toml"
    path.write_text('[bindings]\n"decision.keep" = ["K"]\n"decision.remove" = ["k"]\n')
    keymap = Keymap.load(ACTION_SPECS, path)
    assert [(c.key, c.action_ids) for c in keymap.conflicts] == [("K", ("decision.keep", "decision.remove"))]


def test_unknown_ids_and_invalid_keys_are_reported() -> None:
    keymap = Keymap.load(ACTION_SPECS, overrides={"decision.nuke": ["Ctrl+N"], "decision.keep": ["Ctrl+Bogus", "K"]})
    assert any("decision.nuke" in u for u in keymap.unknown)
    assert any("Ctrl+Bogus" in u for u in keymap.unknown)
    assert keymap.keys("decision.keep") == ("K",)


def test_user_overrides_round_trip_through_qsettings(tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    save_user_override(settings, "decision.keep", ["Ctrl+,", "Y"])
    save_user_override(settings, "decision.note", [])
    save_user_override(settings, "app.quit", ["Ctrl+W"])
    settings.setValue("keymap/decision.skip", "Shift+S, Ctrl+,")  # hand-edited, comma-joined
    settings.sync()
    reread = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert load_user_overrides(reread) == {
        "decision.keep": ["Ctrl+,", "Y"],
        "decision.note": [],
        "app.quit": ["Ctrl+W"],
        "decision.skip": ["Shift+S", "Ctrl+,"],
    }
    clear_user_override(reread, "app.quit")
    assert "app.quit" not in load_user_overrides(reread)


def test_split_keys_keeps_the_comma_key() -> None:
    assert split_keys("K, U") == ["K", "U"]
    assert split_keys("Ctrl+,") == ["Ctrl+,"]
    assert split_keys(",") == [","]
    assert split_keys("Ctrl+,; U") == ["Ctrl+,", "U"]


# -- shortcuts in a window ---------------------------------------------------------------------


def test_pressing_k_triggers_keep(window: Window, qtbot: QtBot) -> None:
    with qtbot.waitSignal(window.registry.triggered, timeout=UI_WAIT_MS) as blocker:
        qtbot.keyClick(window, Qt.Key.Key_K)
    assert blocker.args == ["decision.keep"]
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ShiftModifier)
    assert window.fired == ["decision.keep", "decision.undo", "decision.strike"]


def test_action_text_shows_every_key(window: Window) -> None:
    assert window.registry.qaction("decision.keep").text() == "Keep (no violation)\tK"
    assert window.registry.qaction("decision.undo").text().endswith("\tCtrl+Z, U")
    assert window.registry.keys_for("decision.undo") == ["Ctrl+Z", "U"]
    assert window.registry.qaction("app.palette").shortcutContext() == Qt.ShortcutContext.WindowShortcut
    assert not window.registry.qaction("decision.keep").autoRepeat()  # holding K never decides twice


def test_typing_in_text_inputs_does_not_trigger_single_keys(window: Window, qtbot: QtBot) -> None:
    for widget in (window.edit, window.note):
        widget.setFocus()
        qtbot.waitUntil(widget.hasFocus)
        qtbot.keyClicks(widget, "kR 1")
        qtbot.keyClick(widget, Qt.Key.Key_S, Qt.KeyboardModifier.ShiftModifier)
    # QTest sends Shift+S with the text "s"; what matters is that it was typed, not decided.
    assert window.edit.text().lower() == "kr 1s"
    assert window.note.toPlainText().lower() == "kr 1s"
    window.spin.setFocus()
    window.spin.selectAll()
    qtbot.keyClick(window.spin, Qt.Key.Key_3)
    assert window.spin.value() == 3
    window.edit.setFocus()
    qtbot.keyClick(window.edit, Qt.Key.Key_Down)  # a bare QLineEdit would let Down reach queue.next
    qtbot.keyClick(window.edit, Qt.Key.Key_Up)
    assert window.fired == []
    assert window.holds == []  # Space typed a space, it did not peek


def test_read_only_text_does_not_swallow_shortcuts(window: Window, qtbot: QtBot) -> None:
    window.note.setReadOnly(True)  # e.g. the report text, focused to scroll it
    window.note.setFocus()
    qtbot.waitUntil(window.note.hasFocus)
    qtbot.keyClick(window.note, Qt.Key.Key_K)
    assert window.fired == ["decision.keep"]


def test_chords_and_panic_still_work_from_a_text_input(window: Window, qtbot: QtBot) -> None:
    window.edit.setFocus()
    qtbot.waitUntil(window.edit.hasFocus)
    qtbot.keyClick(window.edit, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.edit, Qt.Key.Key_Escape)
    qtbot.keyClick(window.edit, Qt.Key.Key_F12)
    assert window.fired == ["app.palette", "view.panic", "view.panic_global"]


def _key(etype: QEvent.Type, key: Qt.Key, repeat: bool = False) -> QKeyEvent:
    return QKeyEvent(etype, key, Qt.KeyboardModifier.NoModifier, " ", repeat)


def test_holding_space_emits_held_and_ignores_auto_repeat(window: Window, qtbot: QtBot) -> None:
    qtbot.keyPress(window, Qt.Key.Key_Space)
    assert window.holds == [("view.reveal_hold", True)]
    for _ in range(3):  # what X11 sends while the key stays down
        QApplication.sendEvent(window, _key(QEvent.Type.KeyRelease, Qt.Key.Key_Space, repeat=True))
        QApplication.sendEvent(window, _key(QEvent.Type.KeyPress, Qt.Key.Key_Space, repeat=True))
    assert window.holds == [("view.reveal_hold", True)]
    qtbot.keyRelease(window, Qt.Key.Key_Space)
    assert window.holds == [("view.reveal_hold", True), ("view.reveal_hold", False)]
    assert window.fired == []


def test_hold_works_when_a_list_that_eats_space_has_focus(window: Window, qtbot: QtBot) -> None:
    window.list.setFocus()
    qtbot.waitUntil(window.list.hasFocus)
    qtbot.keyPress(window.list, Qt.Key.Key_Space)
    qtbot.keyRelease(window.list, Qt.Key.Key_Space)
    assert window.holds == [("view.reveal_hold", True), ("view.reveal_hold", False)]


def test_hold_is_released_when_the_window_hides(window: Window, qtbot: QtBot) -> None:
    qtbot.keyPress(window, Qt.Key.Key_Space)
    window.hide()
    assert window.holds == [("view.reveal_hold", True), ("view.reveal_hold", False)]


def test_disabled_actions_do_not_fire(window: Window, qtbot: QtBot) -> None:
    registry = window.registry
    registry.set_enabled("decision.keep", False)
    registry.set_enabled("view.reveal_hold", False)
    qtbot.keyClick(window, Qt.Key.Key_K)
    registry.trigger("decision.keep")
    qtbot.keyPress(window, Qt.Key.Key_Space)
    qtbot.keyRelease(window, Qt.Key.Key_Space)
    assert window.fired == [] and window.holds == []
    registry.set_enabled("decision.keep", True)
    qtbot.keyClick(window, Qt.Key.Key_K)
    assert window.fired == ["decision.keep"]


def test_trigger_rejects_hold_actions(window: Window) -> None:
    with pytest.raises(ValueError):
        window.registry.trigger("view.reveal_hold")


def test_remapped_keymap_takes_effect(window: Window, qtbot: QtBot) -> None:
    window.registry.set_keymap(Keymap.load(ACTION_SPECS, overrides={"decision.keep": ["Y"]}))
    qtbot.keyClick(window, Qt.Key.Key_K)
    qtbot.keyClick(window, Qt.Key.Key_Y)
    assert window.fired == ["decision.keep"]
    assert window.registry.qaction("decision.keep").text() == "Keep (no violation)\tY"


# -- palette -----------------------------------------------------------------------------------


def test_palette_filters_and_enter_triggers(window: Window, qtbot: QtBot) -> None:
    palette = CommandPalette(window.registry, window)
    qtbot.addWidget(palette)
    with qtbot.waitExposed(palette):
        palette.show()
    assert len(palette.visible_ids()) == sum(not s.hold for s in ACTION_SPECS)
    qtbot.keyClicks(palette.filter_edit, "escal")
    assert palette.visible_ids()[0] == "decision.escalate"  # substring first, then scattered ("greyscale")
    assert "decision.keep" not in palette.visible_ids()
    qtbot.keyClick(palette.filter_edit, Qt.Key.Key_Return)
    assert window.fired == ["decision.escalate"]
    assert not palette.isVisible()


def test_palette_fuzzy_match_and_arrow_keys(window: Window, qtbot: QtBot) -> None:
    palette = CommandPalette(window.registry, window)
    qtbot.addWidget(palette)
    with qtbot.waitExposed(palette):
        palette.show()
    qtbot.keyClicks(palette.filter_edit, "nxt")  # scattered letters: Next case, Next item…
    ids = palette.visible_ids()
    assert "queue.next" in ids and "view.next_item" in ids
    first = palette.current_id()
    qtbot.keyClick(palette.filter_edit, Qt.Key.Key_Down)
    second = palette.current_id()
    assert second != first and second == ids[1]
    qtbot.keyClick(palette.filter_edit, Qt.Key.Key_Up)
    assert palette.current_id() == first
    qtbot.keyClick(palette.filter_edit, Qt.Key.Key_Escape)
    assert not palette.isVisible()
    assert window.fired == []


def test_palette_greys_out_and_skips_disabled_actions(window: Window, qtbot: QtBot) -> None:
    window.registry.set_enabled("decision.remove", False)
    palette = CommandPalette(window.registry, window)
    qtbot.addWidget(palette)
    with qtbot.waitExposed(palette):
        palette.show()
    qtbot.keyClicks(palette.filter_edit, "remove")
    assert palette.visible_ids() == ["decision.remove"]
    item = palette.list.item(0)
    assert not item.flags() & Qt.ItemFlag.ItemIsEnabled
    qtbot.keyClick(palette.filter_edit, Qt.Key.Key_Return)
    assert window.fired == []
    assert palette.isVisible()


# -- cheat sheet -------------------------------------------------------------------------------


def test_cheat_sheet_lists_every_action_with_its_keys(window: Window, qtbot: QtBot) -> None:
    sheet = CheatSheet(window.registry, window)
    qtbot.addWidget(sheet)
    with qtbot.waitExposed(sheet):
        sheet.show()
    rows = dict(sheet.rows())
    assert len(rows) == len(ACTION_SPECS)
    assert rows["Keep (no violation)"] == "K"
    assert rows["Undo last decision"] == "Ctrl+Z, U"
    assert rows["Peek (hold to reveal)"] == "Space (hold)"
    assert not sheet.problems.isVisible()
    qtbot.keyClick(sheet, Qt.Key.Key_Question)
    assert not sheet.isVisible()


def test_cheat_sheet_shows_overrides_and_conflicts(qtbot: QtBot) -> None:
    w = Window(Keymap.load(ACTION_SPECS, overrides={"decision.keep": ["Shift+K"], "decision.note": ["R"]}))
    qtbot.addWidget(w)
    sheet = CheatSheet(w.registry, w)
    qtbot.addWidget(sheet)
    with qtbot.waitExposed(sheet):
        sheet.show()
    rows = dict(sheet.rows())
    assert rows["Keep (no violation)"] == "Shift+K"
    assert rows["Add note"] == "unbound"
    assert sheet.problems.isVisible() and "R is bound to decision.remove" in sheet.problems.text()
    w.registry.set_keymap(Keymap.load(ACTION_SPECS, overrides={"decision.keep": ["Y"]}))
    assert dict(sheet.rows())["Keep (no violation)"] == "Y"
    qtbot.keyClick(sheet, Qt.Key.Key_Escape)
    assert not sheet.isVisible()
