"""The note box of policy gaps: flagging a case (the section considered, pre-filled, and a required note)
or closing a gap (a required closing note). Ctrl+Enter saves, Esc cancels (nothing is written)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLineEdit, QWidget

from ui.shell.required_text import RequiredTextBox

#: ``save(section, note)``: section is "" when the box asks none.
Save = Callable[[str, str], None]
HINT = "A note is required. Ctrl+Enter saves · Esc cancels (nothing is written)."


class GapNoteBox(RequiredTextBox):
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
        field = QLineEdit(section or "")
        field.setPlaceholderText("Section considered (optional), e.g. VIO-2")
        field.setAccessibleName("Section considered")
        field.setAccessibleDescription("The policy code the case was considered under; may be empty")
        asks = section is not None
        super().__init__(
            title,
            heading,
            lambda note: save(field.text().strip() if asks else "", note),
            word="note",
            placeholder=placeholder,
            description="Required: Ctrl+Enter saves, Esc cancels",
            hint=HINT,
            object_name="gapNoteBox",
            height=260,
            above=field,
            parent=parent,
        )
        self.section = field
        field.setVisible(asks)
