"""The note box of policy gaps: flagging a case (the section considered, pre-filled, and a required note)
or closing a gap (a required closing note). Ctrl+Enter saves, Esc cancels (nothing is written)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from ui.shell.keyed import KeyedDialog, is_ctrl_enter
from ui.shell.plain import plain_label, set_rich

#: ``save(section, note)``: section is "" when the box asks none.
Save = Callable[[str, str], None]
HINT = "A note is required. Ctrl+Enter saves · Esc cancels (nothing is written)."


class GapNoteBox(KeyedDialog):
    """Window-modal, opened with ``open()``; ``save`` runs once a non-empty note is confirmed."""

    def __init__(
        self,
        title: str,
        heading: str,
        save: Save,
        *,
        section: str | None = None,
        placeholder: str = "What the pack does not cover well, or what is ambiguous",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("gapNoteBox")
        self.setWindowTitle(title)
        self._save = save
        self._asks_section = section is not None
        self.heading = plain_label(heading)
        self.heading.setWordWrap(True)
        self.section = QLineEdit(section or "")
        self.section.setPlaceholderText("Section considered (optional), e.g. VIO-2")
        self.section.setAccessibleName("Section considered")
        self.section.setAccessibleDescription("The policy code the case was considered under; may be empty")
        self.section.setVisible(section is not None)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText(placeholder)
        self.text.setAccessibleName("Note")
        self.text.setAccessibleDescription("Required: Ctrl+Enter saves, Esc cancels")
        self.hint = plain_label(HINT)
        self.hint.setWordWrap(True)
        for widget in (self.section, self.text):
            widget.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.section)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.hint)
        self.resize(520, 260)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.activateWindow()
        self.text.setFocus()

    def commit(self) -> bool:
        note = self.text.toPlainText().strip()
        if not note:
            set_rich(self.hint, "<b>Write the note first</b> — it is required. Esc cancels.")
            self.text.setFocus()
            return False
        self.accept()
        self._save(self.section.text().strip() if self._asks_section else "", note)
        return True

    def handled(self, event: QKeyEvent) -> bool:
        if is_ctrl_enter(event):
            self.commit()
            return True
        return False


