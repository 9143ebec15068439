"""Asking the title of a new investigation: one line, Enter confirms, Esc cancels."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QLineEdit, QVBoxLayout, QWidget

from reviewer.investigations.views import TITLE_MAX
from ui.shell.dialog_buttons import ok_cancel
from ui.shell.plain import plain_label


class TitleBox(QDialog):
    """Window-modal; ``done(title)`` runs once a non-blank title is confirmed."""

    def __init__(self, done: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("investigationTitleBox")
        self.setWindowTitle("New investigation")
        self._done = done
        self.title = QLineEdit()
        self.title.setMaxLength(TITLE_MAX)
        self.title.setPlaceholderText("A short title, e.g. the accounts or the pattern")
        self.title.setAccessibleName("Investigation title")
        self.title.setAccessibleDescription("The new investigation's title: Enter starts it, Esc cancels")
        self.hint = plain_label("Enter starts the investigation · Esc cancels")
        buttons = ok_cancel(
            "Start (Enter)",
            "Start the investigation",
            "Start an investigation with this title (Enter)",
            "Start nothing (Esc)",
            cancel_text="Cancel (Esc)",
        )
        buttons.accepted.connect(self.commit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(buttons)
        self.resize(460, 120)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.activateWindow()
        self.title.setFocus()

    def commit(self) -> None:
        title = " ".join(self.title.text().split())
        if not title:
            self.hint.setText("Write a title first · Esc cancels")
            self.title.setFocus()
            return
        self.accept()
        self._done(title)
