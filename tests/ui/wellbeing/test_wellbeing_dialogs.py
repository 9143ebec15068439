"""Wellbeing widgets: settings persistence, the preferences dialog, the break screen and the session summary."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QCheckBox, QDialog, QDoubleSpinBox, QPlainTextEdit, QSpinBox
from pytestqt.qtbot import QtBot

from reviewer.session_figures import SessionFigures
from reviewer.wellbeing.exposure import ExposureTotals
from reviewer.wellbeing.settings import SETTINGS, OrgPolicy, WellbeingSettings
from reviewer.wellbeing.summary import SessionSummary
from tests.support.waiting import UI_WAIT_MS
from ui.shell.prefs import load_wellbeing_settings, preview_spec_from, save_wellbeing_settings
from ui.wellbeing.break_screen import CAN_END_HINT, WAIT_HINT, BreakScreen
from ui.wellbeing.settings_dialog import SettingsDialog, limit_text
from ui.wellbeing.summary_dialog import SummaryDialog

NOW = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


def _fresh_qsettings() -> QSettings:
    return QSettings()  # the conftest points QSettings at a per-test INI file


@pytest.fixture
def open_dialog(qtbot: QtBot) -> Iterator:  # type: ignore[type-arg]
    def make(settings: WellbeingSettings) -> SettingsDialog:
        dialog = SettingsDialog(settings)
        qtbot.addWidget(dialog)
        with qtbot.waitExposed(dialog):
            dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        return dialog

    yield make


def _focus(dialog: SettingsDialog):  # type: ignore[no-untyped-def]
    return dialog.focusWidget() or dialog


# -- persistence -----------------------------------------------------------------------------------


def test_settings_round_trip_through_qsettings_restores_types() -> None:
    settings = WellbeingSettings(OrgPolicy())
    settings.set("display.blur_px", 22.5)
    settings.set("display.greyscale", False)
    settings.set("display.spotlight_radius", 120)
    settings.set("sound.alerts", True)
    settings.set("support.text", "Call the EAP, 24/7, on the number on your badge.")
    save_wellbeing_settings(_fresh_qsettings(), settings)

    stored = _fresh_qsettings()  # a new object reads the INI file back: every value is a string there
    assert stored.value("wellbeing/display.greyscale") in ("false", False)
    loaded = load_wellbeing_settings(stored, OrgPolicy())
    assert loaded.problems == []
    assert loaded.personal() == settings.personal()
    for key, value in settings.personal().items():
        assert type(loaded.get(key)) is type(value), key
    assert loaded.get("display.greyscale") is False
    assert loaded.get("sound.alerts") is True

    settings.reset("display.spotlight_radius")
    settings.set("display.blur_px", settings.default("display.blur_px"))
    save_wellbeing_settings(_fresh_qsettings(), settings)
    stored = _fresh_qsettings()
    assert not stored.contains("wellbeing/display.spotlight_radius")
    assert not stored.contains("wellbeing/display.blur_px")
    assert stored.contains("wellbeing/display.greyscale")


def test_load_drops_unreadable_and_too_weak_values_with_a_problem() -> None:
    q = _fresh_qsettings()
    q.setValue("wellbeing/display.spotlight_radius", "wide")
    q.setValue("wellbeing/display.blur_px", "9.5")
    q.setValue("wellbeing/something.from_the_future", "1")
    q.sync()
    org = OrgPolicy(floors={"display.blur_px": 12.0})
    loaded = load_wellbeing_settings(_fresh_qsettings(), org)
    assert loaded.get("display.spotlight_radius") == 90
    assert loaded.get("display.blur_px") == 14.0
    assert len(loaded.problems) == 2


def test_load_uses_the_shipped_org_policy_by_default() -> None:
    loaded = load_wellbeing_settings(_fresh_qsettings())
    assert loaded.floor("exposure.warn_fraction") == 0.9
    assert loaded.personal() == {}


def test_preview_spec_follows_settings() -> None:
    settings = WellbeingSettings()
    settings.set("display.blur_px", 30.0)
    settings.set("display.greyscale", False)
    spec = preview_spec_from(settings)
    assert (spec.blur_px, spec.greyscale) == (30.0, False)


# -- settings dialog -------------------------------------------------------------------------------


def test_dialog_has_one_field_per_setting_of_the_right_kind(open_dialog) -> None:  # type: ignore[no-untyped-def]
    settings = WellbeingSettings()
    dialog = open_dialog(settings)
    assert set(dialog.fields) == {sp.key for sp in SETTINGS}
    widget_for = {bool: QCheckBox, int: QSpinBox, float: QDoubleSpinBox, str: QPlainTextEdit}
    for sp in SETTINGS:
        field = dialog.fields[sp.key]
        assert isinstance(field, widget_for[sp.kind]), sp.key
        assert field.toolTip() == sp.help
        assert dialog.value(sp.key) == settings.get(sp.key)
        if isinstance(field, QSpinBox | QDoubleSpinBox):
            low, high = settings.bounds(sp.key)
            assert (field.minimum(), field.maximum()) == (low, high), sp.key
    assert dialog.tabs.count() == 6  # five sections of settings, and Appearance (the theme)
    note = dialog.findChild(type(dialog.errors["display.blur_px"]), "note:display.blur_px")
    assert "organisation limit: ≥ 8 px" in note.text()
    assert limit_text(settings, SETTINGS[2]) == "organisation limit: ≤ 160 px"
    assert "Enter" in dialog.save_button.text() and "Esc" in dialog.cancel_button.text()
    assert "Alt+R" in dialog.restore_button.text()


def test_tab_to_a_spin_box_type_and_enter_saves(open_dialog, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    original = WellbeingSettings()
    dialog = open_dialog(original)
    assert dialog.focusWidget() is dialog.fields["display.blur_px"]
    qtbot.keyClick(_focus(dialog), Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.fields["display.greyscale"]
    qtbot.keyClick(_focus(dialog), Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.fields["display.spotlight_radius"]
    qtbot.keyClicks(_focus(dialog), "120")
    qtbot.keyClick(_focus(dialog), Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.settings is not original
    assert dialog.settings.get("display.spotlight_radius") == 120
    assert dialog.settings.personal() == {"display.spotlight_radius": 120}
    assert original.personal() == {}  # the object passed in is untouched


def test_ctrl_tab_switches_sections_and_escape_cancels(open_dialog, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(WellbeingSettings())
    qtbot.keyClick(_focus(dialog), Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Breaks"
    assert dialog.focusWidget() is dialog.fields["breaks.reminder_minutes"]
    qtbot.keyClick(_focus(dialog), Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Exposure"
    qtbot.keyClick(_focus(dialog), Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Breaks"
    qtbot.keyClicks(_focus(dialog), "30")
    qtbot.keyClick(_focus(dialog), Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.settings.personal() == {}


def test_support_text_enter_saves_and_shift_enter_adds_a_line(open_dialog, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(WellbeingSettings())
    box = dialog.fields["support.text"]
    dialog.tabs.setCurrentIndex(4)
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "Ring Sam")
    qtbot.keyClick(box, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(box, "ext 4040")
    assert dialog.isVisible()
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.settings.get("support.text") == "Ring Sam\next 4040"


def test_floor_fixed_checkbox_is_disabled_and_forcing_it_is_refused_inline(open_dialog) -> None:  # type: ignore[no-untyped-def]
    settings = WellbeingSettings(OrgPolicy(floors={"display.greyscale": True}))
    dialog = open_dialog(settings)
    box = dialog.fields["display.greyscale"]
    assert box.isChecked() and not box.isEnabled()
    assert (
        "must stay on"
        in dialog.findChild(type(dialog.errors["display.greyscale"]), "note:display.greyscale").text()
    )

    box.setChecked(False)  # only a program can do this; Save still refuses it
    dialog.tabs.setCurrentIndex(1)
    dialog.save()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert "must stay on" in dialog.error_text("display.greyscale")
    assert dialog.errors["display.greyscale"].isVisible()
    assert dialog.tabs.currentIndex() == 0  # brought to the field
    assert dialog.settings is settings and settings.get("display.greyscale") is True


def test_spin_box_cannot_go_past_the_floor(open_dialog) -> None:  # type: ignore[no-untyped-def]
    settings = WellbeingSettings(
        OrgPolicy(floors={"exposure.cap_hour_seconds": 300}, defaults={"exposure.cap_hour_seconds": 300})
    )
    dialog = open_dialog(settings)
    dialog.set_value("exposure.cap_hour_seconds", 3000)
    assert dialog.value("exposure.cap_hour_seconds") == 300  # clamped at the organisation's floor
    dialog.set_value("display.blur_px", 2.0)
    assert dialog.value("display.blur_px") == 8.0
    dialog.save()
    assert dialog.settings.personal() == {"display.blur_px": 8.0}


def test_typing_below_the_floor_is_refused_inline_and_nothing_saved(open_dialog, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    settings = WellbeingSettings(
        OrgPolicy(floors={"display.blur_px": 20.0}, defaults={"display.blur_px": 24.0})
    )
    dialog = open_dialog(settings)
    spin = dialog.fields["display.blur_px"]
    assert dialog.focusWidget() is spin
    spin.selectAll()
    qtbot.keyClicks(spin, "12")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert "organisation's limit is 20 px" in dialog.error_text("display.blur_px")
    assert settings.get("display.blur_px") == 24.0 and dialog.settings is settings

    spin.selectAll()
    qtbot.keyClicks(spin, "30")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.settings.get("display.blur_px") == 30.0


def test_restore_defaults_with_alt_r(open_dialog, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    settings = WellbeingSettings()
    settings.set("display.blur_px", 30.0)
    settings.set("breaks.reminder_minutes", 30)
    settings.set("support.text", "Ask Sam.")
    dialog = open_dialog(settings)
    qtbot.keyClick(_focus(dialog), Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    for sp in SETTINGS:
        assert dialog.value(sp.key) == settings.default(sp.key), sp.key
    assert settings.personal() != {}  # nothing saved yet
    qtbot.keyClick(_focus(dialog), Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.settings.personal() == {}


def test_dialog_shows_load_problems() -> None:
    settings = WellbeingSettings(
        OrgPolicy(floors={"display.blur_px": 20.0}, defaults={"display.blur_px": 20.0}),
        {"display.blur_px": 10.0},
    )
    dialog = SettingsDialog(settings)
    assert not dialog.problems.isHidden()
    assert "20 px" in dialog.problems.text()


# -- break screen ----------------------------------------------------------------------------------


def test_break_screen_enforced_waits_for_the_countdown(qtbot: QtBot) -> None:
    screen = BreakScreen()
    qtbot.addWidget(screen)
    screen.show_break("enforced", "hour_cap", NOW + timedelta(minutes=9, seconds=42), "Ask Sam.", now=NOW)
    assert screen.reason_label.text() == "Hourly exposure limit reached"
    assert screen.countdown_text() == "Back in 9:42"
    assert "Stand up, look away from the screen, breathe" in screen.todo_label.text()
    assert screen.support_label.text() == "Ask Sam."
    assert screen.keys_label.text() == WAIT_HINT
    with qtbot.assertNotEmitted(screen.end_requested):
        qtbot.keyClick(screen, Qt.Key.Key_Return)
    screen.set_remaining(61)
    assert screen.countdown_text() == "Back in 1:01"
    screen.set_remaining(0)
    screen.set_can_end(True)
    assert screen.keys_label.text() == CAN_END_HINT == "Enter — end break"
    with qtbot.waitSignal(screen.end_requested, timeout=UI_WAIT_MS):
        qtbot.keyClick(screen, Qt.Key.Key_Enter)


@pytest.mark.parametrize(
    ("kind", "reason", "text"),
    [
        ("reminder", "reminder", "Break reminder"),
        ("voluntary", "voluntary", "Voluntary break"),
        ("enforced", "day_cap", "Day's exposure limit reached — review is over for today"),
    ],
)
def test_break_screen_reasons(qtbot: QtBot, kind: str, reason: str, text: str) -> None:
    screen = BreakScreen()
    qtbot.addWidget(screen)
    screen.show_break(kind, reason, None, "")
    assert screen.reason_label.text() == text
    assert screen.countdown_text() == ""
    assert screen.support_label.isHidden()
    assert screen.can_end is (kind != "enforced")


def test_break_screen_voluntary_ends_on_enter(qtbot: QtBot) -> None:
    screen = BreakScreen()
    qtbot.addWidget(screen)
    screen.show_break("voluntary", "voluntary", NOW + timedelta(minutes=10), "", now=NOW)
    assert screen.countdown_text() == "Back in 10:00"
    assert screen.keys_label.text() == CAN_END_HINT
    with qtbot.waitSignal(screen.end_requested, timeout=UI_WAIT_MS):
        qtbot.keyClick(screen, Qt.Key.Key_Return)


# -- session summary -------------------------------------------------------------------------------


def _summary() -> SessionSummary:
    return SessionSummary(
        figures=SessionFigures(
            decided=42, skipped=4, undone=3, actions={"remove": 24, "keep": 18, "skip": 4}, median_handle_s=38.0, mean_handle_s=52.4, timed=40, bulk=6
        ),
        exposure=ExposureTotals(seconds=1134.0, weighted=2460.4, reveals=83),
        breaks=3,
        breaks_by_kind={"reminder": 1, "enforced": 2},
        break_time=timedelta(minutes=34, seconds=20),
        duration=timedelta(hours=3, minutes=47),
    )


def test_summary_dialog_shows_the_numbers(qtbot: QtBot) -> None:
    dialog = SummaryDialog(_summary(), "Ask the wellbeing team for the EAP number.")
    qtbot.addWidget(dialog)
    assert dialog.value_text("Session length") == "3 h 47 min"
    assert dialog.value_text("Cases decided") == "42"
    assert dialog.value_text("Escalated, skipped") == "0 escalated, 4 skipped (not decided)"
    assert dialog.value_text("Undone") == "3"
    by_action = dialog.value_text("By action")
    assert (
        "Remove: 24" in by_action
        and "Keep (no violation): 18" in by_action
        and "Skip for now: 4" in by_action
    )
    assert dialog.value_text("Handle time") == "median 38 s, mean 52 s (6 applied in bulk not counted)"
    assert "18 min 54 s on screen over 83 reveals" in dialog.value_text("Exposure")
    assert "2460 severity-weighted seconds" in dialog.value_text("Exposure")
    assert dialog.value_text("Breaks taken") == "3 breaks (enforced 2, reminder 1)\n34 min 20 s in all"
    assert "Ask the wellbeing team for the EAP number." in dialog.support_label.text()
    assert dialog.support_label.textFormat() == Qt.TextFormat.RichText


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape])
def test_summary_dialog_closes_on_enter_or_escape(qtbot: QtBot, key: Qt.Key) -> None:
    dialog = SummaryDialog(_summary(), "Support.")
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    qtbot.keyClick(dialog.focusWidget() or dialog, key)
    assert not dialog.isVisible()
