"""The reason a lead gives when settling a conflict: required; Ctrl+Enter confirms, Esc cancels.

Built like the review's rationale box (``ui/review/rationale_box.py``): a multi-line field that keeps
Enter for new lines, so confirming is a deliberate chord.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget

from ui.shell.keyed import KeyedDialog, is_ctrl_enter
from ui.shell.plain import plain_label, set_rich


class ReasonBox(KeyedDialog):
    """Window-modal, opened with ``open()``; ``done(reason)`` runs once a non-empty reason is confirmed."""

    def __init__(
        self, title: str, heading: str, done: Callable[[str], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conflictReasonBox")
        self.setWindowTitle(title)
        self._done = done
        self.heading = plain_label(heading)
        self.heading.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText("Why (required; kept in the audit log)")
        self.text.setAccessibleName("Reason")
        self.text.setAccessibleDescription("Why the conflict is settled so: Ctrl+Enter confirms, Esc cancels")
        self.text.installEventFilter(self)
        self.hint = plain_label(
            "A reason is required. Ctrl+Enter confirms · Esc cancels (nothing is written)."
        )
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.hint)
        self.resize(520, 240)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.activateWindow()
        self.text.setFocus()

    def commit(self) -> bool:
        reason = self.text.toPlainText().strip()
        if not reason:
            set_rich(self.hint, "<b>Write the reason first</b> — it is required. Esc cancels.")
            self.text.setFocus()
            return False
        self.accept()
        self._done(reason)
        return True

    def handled(self, event: QKeyEvent) -> bool:
        if is_ctrl_enter(event):
            self.commit()
            return True
        return False


