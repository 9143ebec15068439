"""Take cases offline…: how many cases, for how long. Keyboard only: Enter takes them, Esc cancels.

The numbers are checked by the core (``reviewer.sync.checkout``); the dialog only offers sane ranges.
"""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.shell.dialog_buttons import ok_cancel
from ui.shell.plain import plain_label

DEFAULT_CASES = 20
DEFAULT_HOURS = 8.0
MAX_CASES = 2000
MAX_HOURS = 72.0


class TakeOfflineDialog(QDialog):
    """Alt+N number of cases, Alt+H hours; Enter takes them, Esc cancels (F12 too, then panic)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("takeOfflineDialog")
        self.setWindowTitle("Take cases offline")
        intro = plain_label(
            "Lease cases of your queues to this workstation, so you can review them without the server."
        )
        intro.setWordWrap(True)
        self.cases = QSpinBox()
        self.cases.setRange(1, MAX_CASES)
        self.cases.setValue(DEFAULT_CASES)
        self.cases.setAccessibleName("Number of cases")
        self.cases.setAccessibleDescription("How many cases to take offline, in queue order (Alt+N)")
        self.hours = QDoubleSpinBox()
        self.hours.setRange(0.5, MAX_HOURS)
        self.hours.setSingleStep(0.5)
        self.hours.setDecimals(1)
        self.hours.setValue(DEFAULT_HOURS)
        self.hours.setAccessibleName("Hours")
        self.hours.setAccessibleDescription("How long the cases stay yours (Alt+H)")
        form = QFormLayout()
        for text, field in (("&Number of cases", self.cases), ("&Hours", self.hours)):
            label = plain_label(text)
            label.setBuddy(field)
            form.addRow(label, field)
        self.buttons = ok_cancel(
            "Take offline (Enter)",
            "Take offline",
            "Lease the cases to this workstation (Enter)",
            "Close without taking any case (Esc)",
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.activateWindow()
        self.cases.setFocus()
        self.cases.selectAll()

    def request(self) -> tuple[int, float]:
        """(cases, hours) as entered."""
        return self.cases.value(), self.hours.value()
