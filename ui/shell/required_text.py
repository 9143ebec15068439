"""A small window-modal box asking for one required text (a reason, a note): a multi-line field that keeps
Enter for new lines, so confirming is a deliberate chord. Ctrl+Enter confirms once the text is not blank,
Esc cancels and writes nothing. Built like the review's rationale box (``ui/review/rationale_box.py``)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget

from ui.shell.keyed import KeyedDialog, is_ctrl_enter
from ui.shell.plain import plain_label, set_rich


class RequiredTextBox(KeyedDialog):
    """Opened with ``open()``; ``done(text)`` runs once a non-blank text is confirmed. ``above``: a field
    shown between the heading and the text (its keys reach the box too)."""

    def __init__(
        self,
        title: str,
        heading: str,
        done: Callable[[str], None],
        *,
        word: str,
        placeholder: str,
        description: str,
        hint: str,
        object_name: str,
        height: int,
        above: QWidget | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self._done, self._word = done, word
        self.heading = plain_label(heading)
        self.heading.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText(placeholder)
        self.text.setAccessibleName(word.capitalize())
        self.text.setAccessibleDescription(description)
        self.hint = plain_label(hint)
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        for field in (above, self.text):
            if field is not None:
                field.installEventFilter(self)
                layout.addWidget(field, 1 if field is self.text else 0)
        layout.addWidget(self.hint)
        self.resize(520, height)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.activateWindow()
        self.text.setFocus()

    def commit(self) -> bool:
        text = self.text.toPlainText().strip()
        if not text:
            set_rich(self.hint, f"<b>Write the {self._word} first</b> — it is required. Esc cancels.")
            self.text.setFocus()
            return False
        self.accept()
        self._done(text)
        return True

    def handled(self, event: QKeyEvent) -> bool:
        if is_ctrl_enter(event):
            self.commit()
            return True
        return False
