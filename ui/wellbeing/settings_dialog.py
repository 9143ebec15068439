"""The wellbeing preferences dialog, generated from :data:`reviewer.wellbeing.settings.SETTINGS`.

One tab per section, one row per setting: a check box, spin box or text box by the setting's kind, its help
and the organisation's limit beneath it. Spin boxes only offer the range ``WellbeingSettings.bounds`` allows,
so a value weaker than the organisation's floor cannot be typed; a check box the organisation fixes is
disabled. Every value still goes through ``WellbeingSettings.set`` on Save, and a refusal is shown in red
under its field with the dialog left open.

Keys: Tab / Shift+Tab move between fields, Ctrl+Tab / Ctrl+PageDown (Ctrl+Shift+Tab / Ctrl+PageUp) switch
tabs, Enter saves (Shift+Enter starts a new line in the text box), Escape cancels, Alt+R restores defaults.

The ``WellbeingSettings`` passed in is never changed. After ``exec() == Accepted``, :attr:`SettingsDialog.settings`
is a *new* ``WellbeingSettings`` holding the saved values; until then it is the one passed in.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reviewer.display import visible
from reviewer.wellbeing.settings import SECTIONS, SETTINGS, SettingsError, SettingSpec, WellbeingSettings
from ui.accessibility.theme import ALERT, STANDARD, set_tone
from ui.accessibility.theme_picker import ThemePicker
from ui.shell.plain import plain_label

Field = QCheckBox | QSpinBox | QDoubleSpinBox | QPlainTextEdit
NOTE_STYLE = "color: palette(placeholder-text);"


class SupportTextEdit(QPlainTextEdit):
    """Plain text where Tab leaves the box and Enter saves the dialog; Shift+Enter starts a new line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.insertPlainText("\n")
                return
            event.ignore()  # up to the dialog: its default button (Save)
            return
        super().keyPressEvent(event)


def _number(value: float, unit: str) -> str:
    return f"{value:g} {unit}".strip()


def limit_text(settings: WellbeingSettings, sp: SettingSpec) -> str:
    """The organisation's limit for one setting, as shown under its field."""
    floor = settings.floor(sp.key)
    if sp.stronger == "higher":
        return f"organisation limit: ≥ {_number(floor, sp.unit)}"
    if sp.stronger == "lower":
        return f"organisation limit: ≤ {_number(floor, sp.unit)}"
    if sp.stronger == "true":
        return "organisation limit: must stay on" if floor else "no organisation limit"
    if sp.stronger == "false":
        return "no organisation limit" if floor else "organisation limit: must stay off"
    return ""


class SettingsDialog(QDialog):
    """Edit wellbeing settings within the organisation's limits; see the module docstring for the keys."""

    def __init__(
        self,
        settings: WellbeingSettings,
        parent: QWidget | None = None,
        open_keymap: Callable[[], None] | None = None,
        theme: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Wellbeing and display settings")
        self.setObjectName("settingsDialog")
        self.settings = settings
        self._original = settings
        self.fields: dict[str, Field] = {}
        self.errors: dict[str, QLabel] = {}
        self._tab_of: dict[str, int] = {}

        self.problems = plain_label()  # the problems name values read from the settings file
        self.problems.setObjectName("settingsProblems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("background: #fff4ce; color: #4a3b00; padding: 6px;")
        self.problems.setText("\n".join(visible(p) for p in settings.problems))
        self.problems.setVisible(bool(settings.problems))

        self.tabs = QTabWidget()
        for section in SECTIONS:
            specs = [sp for sp in SETTINGS if sp.section == section]
            if specs:
                self._tab_of.update({sp.key: self.tabs.count() for sp in specs})
                self.tabs.addTab(self._section_page(specs), section)
        self.theme = theme  # after Save: the theme chosen on the Appearance tab
        self.theme_picker = ThemePicker(theme)
        self.tabs.addTab(self.theme_picker, "Appearance")

        self.restore_button = QPushButton("Restore defaults (Alt+R)")
        self.cancel_button = QPushButton("Cancel (Esc)")
        self.save_button = QPushButton("Save (Enter)")
        self.save_button.setDefault(True)
        self.restore_button.setAccessibleName("Restore defaults")
        self.restore_button.setAccessibleDescription("Put the organisation's defaults in every field (Alt+R)")
        self.cancel_button.setAccessibleName("Cancel")
        self.cancel_button.setAccessibleDescription("Close without saving (Esc)")
        self.save_button.setAccessibleName("Save")
        self.save_button.setAccessibleDescription("Save the settings and close (Enter)")
        self.tabs.setAccessibleName("Settings sections")
        self.restore_button.clicked.connect(self.restore_defaults)
        self.cancel_button.clicked.connect(self.reject)
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_button)
        self.keymap_button = QPushButton("Keyboard shortcuts… (Alt+K)")  # the keymap editor
        self.keymap_button.setAccessibleName("Keyboard shortcuts")
        self.keymap_button.setAccessibleDescription("Open the keymap editor: assign, reset, export, import (Alt+K)")
        self.keymap_button.setVisible(open_keymap is not None)
        if open_keymap is not None:
            self.keymap_button.clicked.connect(open_keymap)
            self._shortcut("Alt+K", open_keymap)
        buttons.addWidget(self.keymap_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.problems)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)

        self._shortcut("Alt+R", self.restore_defaults)
        self._shortcut(["Ctrl+Tab", "Ctrl+PgDown"], lambda: self._switch_tab(1))
        self._shortcut(["Ctrl+Shift+Tab", "Ctrl+Shift+Backtab", "Ctrl+PgUp"], lambda: self._switch_tab(-1))
        self.resize(640, 560)
        self._focus_first_field()

    # -- building --------------------------------------------------------------------------------
    def _shortcut(self, keys: str | list[str], slot: Any) -> None:
        shortcut = QShortcut(self)
        shortcut.setKeys([QKeySequence(k) for k in ([keys] if isinstance(keys, str) else keys)])
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    def _section_page(self, specs: list[SettingSpec]) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setVerticalSpacing(14)
        for sp in specs:
            field = self._field(sp)
            field.setObjectName(f"field:{sp.key}")
            field.setToolTip(sp.help)
            field.setAccessibleName(sp.title)
            field.setAccessibleDescription(self._note(sp))
            self.fields[sp.key] = field
            column = QVBoxLayout()
            column.setSpacing(2)
            row = QHBoxLayout()
            row.addWidget(field, 1 if isinstance(field, QPlainTextEdit) else 0)
            if not isinstance(field, QPlainTextEdit):
                row.addStretch(1)
            column.addLayout(row)
            note = plain_label(self._note(sp))
            note.setObjectName(f"note:{sp.key}")
            note.setWordWrap(True)
            note.setStyleSheet(NOTE_STYLE)
            column.addWidget(note)
            error = plain_label()
            error.setObjectName(f"error:{sp.key}")
            error.setWordWrap(True)
            set_tone(error, ALERT)  # its colour comes from the theme (readable in high contrast too)
            error.hide()
            self.errors[sp.key] = error
            column.addWidget(error)
            title = plain_label("" if isinstance(field, QCheckBox) else sp.title)
            title.setToolTip(sp.help)
            title.setBuddy(field)
            form.addRow(title, column)
        return page

    def _note(self, sp: SettingSpec) -> str:
        limit = limit_text(self.settings, sp)
        return f"{sp.help} ({limit})" if limit and sp.help else sp.help or limit

    def _field(self, sp: SettingSpec) -> Field:
        value = self.settings.get(sp.key)
        if sp.kind is bool:
            box = QCheckBox(sp.title)
            box.setChecked(bool(value))
            floor = self.settings.floor(sp.key)
            fixed = (sp.stronger == "true" and floor) or (sp.stronger == "false" and not floor)
            box.setEnabled(not fixed)
            return box
        if sp.kind is str:
            text = SupportTextEdit()
            text.setPlainText(str(value))
            text.setMinimumHeight(140)
            return text
        low, high = self.settings.bounds(sp.key)
        spin: QSpinBox | QDoubleSpinBox
        if sp.kind is int:
            spin = QSpinBox()
            spin.setRange(
                int(low if low is not None else -(2**31)), int(high if high is not None else 2**31 - 1)
            )
        else:
            spin = QDoubleSpinBox()
            spin.setDecimals(2 if (high or 0) <= 1 else 1)
            spin.setRange(float(low if low is not None else -1e9), float(high if high is not None else 1e9))
            spin.setSingleStep(0.05 if spin.maximum() <= 1 else 1.0)
        spin.setValue(value)
        if sp.unit:
            spin.setSuffix(f" {sp.unit}")
        spin.setMinimumWidth(120)
        spin.setKeyboardTracking(False)
        spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
        spin.installEventFilter(self)
        return spin

    def _focus_first_field(self) -> None:
        page = self.tabs.currentWidget()
        for key, field in self.fields.items():
            if self._tab_of[key] == self.tabs.currentIndex() and field.isEnabled() and page is not None:
                field.setFocus(Qt.FocusReason.TabFocusReason)
                return
        if page is not None:  # a page without settings fields (Appearance)
            page.setFocus(Qt.FocusReason.TabFocusReason)

    def _switch_tab(self, step: int) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())
        self._focus_first_field()

    # -- values ----------------------------------------------------------------------------------
    def value(self, key: str) -> Any:
        """What the field for ``key`` currently holds."""
        field = self.fields[key]
        if isinstance(field, QCheckBox):
            return field.isChecked()
        if isinstance(field, QPlainTextEdit):
            return field.toPlainText()
        if isinstance(field, QSpinBox):
            return int(field.value())
        return float(field.value())

    def set_value(self, key: str, value: Any) -> None:
        """Put ``value`` in the field (a spin box clamps it to the allowed range)."""
        field = self.fields[key]
        if isinstance(field, QCheckBox):
            field.setChecked(bool(value))
        elif isinstance(field, QPlainTextEdit):
            field.setPlainText(str(value))
        else:
            field.setValue(value)

    def restore_defaults(self) -> None:
        """Fill every field with the organisation's default; nothing is saved until Save."""
        for sp in SETTINGS:
            self.set_value(sp.key, self._original.default(sp.key))
        self.theme_picker.select(STANDARD)
        self._clear_errors()

    # -- errors ----------------------------------------------------------------------------------
    def error_text(self, key: str) -> str:
        """The refusal shown under ``key``'s field ('' if none)."""
        label = self.errors[key]
        return label.text() if not label.isHidden() else ""

    def _clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.hide()

    def _show_errors(self, errors: dict[str, str]) -> None:
        for key, message in errors.items():
            self.errors[key].setText(visible(message))
            self.errors[key].show()
        first = next(sp.key for sp in SETTINGS if sp.key in errors)
        self.tabs.setCurrentIndex(self._tab_of[first])
        self.fields[first].setFocus(Qt.FocusReason.OtherFocusReason)

    def _typed_error(self, key: str) -> str | None:
        """Why the text typed in ``key``'s spin box is unusable (None if it is fine)."""
        spin = self.fields[key]
        if not isinstance(spin, QSpinBox | QDoubleSpinBox) or spin.hasAcceptableInput():
            return None
        sp = next(s for s in SETTINGS if s.key == key)
        number, ok = spin.locale().toDouble(spin.cleanText())
        if not ok:
            return f"{sp.title}: type a number."
        trial = copy.deepcopy(self._original)
        try:
            trial.set(key, int(number) if sp.kind is int else float(number))
        except SettingsError as exc:
            return str(exc)
        return f"{sp.title} must be between {spin.minimum():g} and {spin.maximum():g}."

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            key = next((k for k, f in self.fields.items() if f is watched), None)
            message = self._typed_error(key) if key else None
            if key and message:  # refuse before the spin box quietly puts the old value back
                self._clear_errors()
                self._show_errors({key: message})
                return True
        return super().eventFilter(watched, event)

    def _explain(self, sp: SettingSpec, exc: SettingsError) -> str:
        if sp.kind is bool and sp.protective:  # the core words a bool floor as 0/1
            state = "on" if self._original.floor(sp.key) else "off"
            return f"{sp.title} must stay {state}: your organisation requires it."
        return str(exc)

    # -- saving ----------------------------------------------------------------------------------
    def save(self) -> None:
        """Apply every field through ``WellbeingSettings.set`` on a copy; accept only if all are allowed."""
        self._clear_errors()
        errors = {key: msg for key in self.fields if (msg := self._typed_error(key))}
        candidate = copy.deepcopy(self._original)
        candidate.problems = []
        for sp in SETTINGS:
            if sp.key in errors:
                continue
            try:
                candidate.set(sp.key, self.value(sp.key))
            except SettingsError as exc:
                errors[sp.key] = self._explain(sp, exc)
        if errors:
            self._show_errors(errors)
            return
        self.settings = candidate
        self.theme = self.theme_picker.chosen()
        self.accept()
