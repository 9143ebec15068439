"""Themes: high contrast reaches WCAG AAA, is chosen in Settings or the palette and kept; focus is visible."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QStyleOptionButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.support.modal import when_modal
from tests.support.waiting import UI_WAIT_MS
from ui.accessibility.contrast import AAA_TEXT, contrast_ratio, parse_hex
from ui.accessibility.theme import (
    ALERT,
    HIGH_CONTRAST,
    STANDARD,
    THEME_PROPERTY,
    THEMES,
    apply_theme,
    set_tone,
    stylesheet,
)
from ui.shell.prefs import THEME_KEY
from ui.wellbeing.settings_dialog import SettingsDialog

ROLE = QPalette.ColorRole
#: Text role, and the background it is drawn on.
TEXT_ON = (
    (ROLE.WindowText, ROLE.Window),
    (ROLE.Text, ROLE.Base),
    (ROLE.Text, ROLE.AlternateBase),
    (ROLE.ButtonText, ROLE.Button),
    (ROLE.HighlightedText, ROLE.Highlight),
    (ROLE.ToolTipText, ROLE.ToolTipBase),
    (ROLE.PlaceholderText, ROLE.Base),
    (ROLE.BrightText, ROLE.Window),
    (ROLE.Link, ROLE.Base),
)
FOCUSABLE = ("QTableView", "QListView", "QLineEdit", "QPlainTextEdit", "QPushButton", "QComboBox")


@pytest.fixture(autouse=True)
def _standard_theme_after(qapp: QApplication) -> Iterator[None]:
    yield
    apply_theme(qapp, STANDARD)  # later tests in this process start from the standard look


def _rgb(palette: QPalette, role: QPalette.ColorRole) -> tuple[int, int, int]:
    colour = palette.color(QPalette.ColorGroup.Active, role)
    return colour.red(), colour.green(), colour.blue()


def test_contrast_ratio_follows_wcag() -> None:
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)
    assert contrast_ratio((10, 20, 30), (10, 20, 30)) == pytest.approx(1.0)
    assert contrast_ratio(parse_hex("#777777"), parse_hex("#ffffff")) == pytest.approx(4.48, abs=0.01)
    with pytest.raises(ValueError):
        parse_hex("red")


def test_high_contrast_palette_text_reaches_seven_to_one(qapp: QApplication) -> None:
    assert apply_theme(qapp, HIGH_CONTRAST) == HIGH_CONTRAST
    palette = qapp.palette()
    ratios = {(t.name, b.name): contrast_ratio(_rgb(palette, t), _rgb(palette, b)) for t, b in TEXT_ON}
    assert min(ratios.values()) >= AAA_TEXT, ratios
    # The stylesheet's own colours too: every text colour it sets against the black ground.
    colours = set(re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6})", stylesheet(HIGH_CONTRAST)))
    assert colours
    assert all(contrast_ratio(parse_hex(c), (0, 0, 0)) >= AAA_TEXT for c in colours), colours


def test_an_unknown_theme_name_falls_back_to_standard(qapp: QApplication) -> None:
    assert apply_theme(qapp, "<img src=x>") == STANDARD
    assert qapp.property(THEME_PROPERTY) == STANDARD


@pytest.mark.parametrize("theme", list(THEMES))
def test_every_theme_has_a_focus_rule_for_each_focusable_kind(theme: str) -> None:
    sheet = stylesheet(theme)
    selectors = " ".join(re.findall(r"([^{}]+)\{", sheet))
    for kind in FOCUSABLE:
        assert re.search(rf"\b{kind}:focus\b", selectors), (theme, kind)


@pytest.mark.parametrize("theme", list(THEMES))
def test_a_focused_button_shows_its_whole_label(theme: str, qtbot: QtBot, qapp: QApplication) -> None:
    """A button is sized once, before it takes focus: the focused look must leave its label the room the
    size was measured for (the standard theme padded only the focused state: "lose (Enter / Esc")."""
    apply_theme(qapp, theme)
    row = QWidget()
    qtbot.addWidget(row)
    layout = QHBoxLayout(row)
    buttons = [QPushButton(text) for text in ("Close (Enter / Esc)", "Apply (Ctrl+Enter)", "OK")]
    for button in buttons:
        layout.addWidget(button)
    with qtbot.waitExposed(row):
        row.show()
    with qtbot.waitActive(row):
        row.activateWindow()
    for button in buttons:
        button.setFocus()
        qtbot.waitUntil(button.hasFocus, timeout=UI_WAIT_MS)
        option = QStyleOptionButton()
        button.initStyleOption(option)
        assert option.state & QStyle.StateFlag.State_HasFocus
        room = button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
        assert button.fontMetrics().horizontalAdvance(button.text()) <= room.width(), (theme, button.text())


def test_palette_command_switches_theme_and_it_is_kept(open_window, qtbot: QtBot, qapp: QApplication) -> None:  # type: ignore[no-untyped-def]
    w = open_window()
    assert qapp.property(THEME_PROPERTY) == STANDARD
    w.registry.trigger("view.high_contrast")
    assert qapp.property(THEME_PROPERTY) == HIGH_CONTRAST
    assert qapp.palette().color(ROLE.Window).name() == "#000000"
    assert qapp.styleSheet() == stylesheet(HIGH_CONTRAST)
    assert QSettings().value(THEME_KEY) == HIGH_CONTRAST
    assert w.statusBar().currentMessage() == f"Theme: {THEMES[HIGH_CONTRAST]}"
    w.close()
    apply_theme(qapp, STANDARD)  # as a fresh start would be before the window reads the preference

    again = open_window()
    assert again.prefs.theme == HIGH_CONTRAST
    assert qapp.property(THEME_PROPERTY) == HIGH_CONTRAST
    again.registry.trigger("view.high_contrast")
    assert qapp.property(THEME_PROPERTY) == STANDARD
    assert QSettings().value(THEME_KEY) == STANDARD


def test_settings_appearance_tab_chooses_the_theme(open_window, qtbot: QtBot, qapp: QApplication) -> None:  # type: ignore[no-untyped-def]
    w = open_window()
    chosen: list[str] = []

    def choose(dialog: SettingsDialog) -> None:
        dialog.tabs.setCurrentWidget(dialog.theme_picker)
        combo = dialog.theme_picker.findChild(QComboBox)
        assert combo is not None and combo.accessibleName() == "Theme"
        combo.setCurrentIndex(combo.findData(HIGH_CONTRAST))
        chosen.append(dialog.theme_picker.chosen())
        dialog.save()

    when_modal(SettingsDialog, choose)
    w.registry.trigger("app.settings")
    qtbot.waitUntil(lambda: qapp.property(THEME_PROPERTY) == HIGH_CONTRAST, timeout=UI_WAIT_MS)
    assert chosen == [HIGH_CONTRAST]
    assert QSettings().value(THEME_KEY) == HIGH_CONTRAST


def _grab(widget) -> QImage:  # type: ignore[no-untyped-def]
    return widget.grab().toImage()


def _edge(widget) -> str:  # type: ignore[no-untyped-def]
    """The colour of the widget's left edge, half-way down (where the focus frame is drawn)."""
    return _grab(widget).pixelColor(0, widget.height() // 2).name()


@pytest.mark.parametrize("theme", list(THEMES))
def test_focus_frame_is_visible_when_focus_moves(open_window, qtbot: QtBot, theme: str) -> None:  # type: ignore[no-untyped-def]
    w = open_window()
    w.prefs.set_theme(theme)
    table, search = w.review.queue.table, w.review.queue.search
    table.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(table.hasFocus, timeout=UI_WAIT_MS)
    frame = QApplication.palette().color(ROLE.Highlight).name() if theme == STANDARD else "#ffff00"
    focused_table, plain_search = _grab(table), _grab(search)
    assert _edge(table) == frame
    assert _edge(search) != frame
    search.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(search.hasFocus, timeout=UI_WAIT_MS)
    assert _grab(table) != focused_table  # the frame left the table…
    assert _grab(search) != plain_search  # …and came to the search field
    assert _edge(search) == frame
    assert _edge(table) != frame


def _label_ratios(root: QWidget) -> dict[str, float]:
    ratios = {}
    for label in root.findChildren(QLabel):
        if label.isVisibleTo(root) and label.text():
            palette = label.palette()  # the stylesheet's colours are put in the palette when polished
            fg, bg = palette.color(label.foregroundRole()), palette.color(label.backgroundRole())
            ratios[f"{label.objectName()} {label.text()[:30]!r}"] = contrast_ratio(
                (fg.red(), fg.green(), fg.blue()), (bg.red(), bg.green(), bg.blue())
            )
    return ratios


def test_high_contrast_labels_alerts_included_reach_seven_to_one(open_window, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    w = open_window()
    w.prefs.set_theme(HIGH_CONTRAST)
    exposure = w.wellbeing.controller.exposure_label
    set_tone(exposure, ALERT)  # as over the warning level
    dialog = SettingsDialog(w.prefs.wellbeing, w, theme=HIGH_CONTRAST)
    qtbot.addWidget(dialog)
    key = next(iter(dialog.fields))
    dialog._show_errors({key: "Blur must stay at least 12 px: your organisation requires it."})
    dialog.show()
    qtbot.waitUntil(lambda: dialog.errors[key].isVisible(), timeout=UI_WAIT_MS)
    assert dialog.errors[key].palette().color(dialog.errors[key].foregroundRole()).name() == "#ffb4ab"
    assert exposure.palette().color(exposure.foregroundRole()).name() == "#ffb4ab"
    for root in (w, dialog):
        ratios = _label_ratios(root)
        assert ratios and min(ratios.values()) >= AAA_TEXT, {k: v for k, v in ratios.items() if v < AAA_TEXT}
