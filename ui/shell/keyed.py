"""Dialogs whose own keys (Ctrl+Enter to commit, Alt+digit, Esc keeping a draft) reach them before a text
field types them: a subclass overrides :meth:`KeyedDialog.handled` and installs the dialog as the event
filter of its fields."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog


def is_ctrl_enter(event: QKeyEvent) -> bool:
    """Ctrl+Return or Ctrl+Enter (the keypad's)."""
    return event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and bool(
        event.modifiers() & Qt.KeyboardModifier.ControlModifier
    )


class KeyedDialog(QDialog):
    def handled(self, event: QKeyEvent) -> bool:
        """Act on ``event`` if it is one of the dialog's keys; True when it did (the key goes no further)."""
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and self.handled(event):
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.handled(event):
            super().keyPressEvent(event)  # Esc rejects
