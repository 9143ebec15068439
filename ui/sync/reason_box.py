"""The reason a lead gives when settling a conflict: required; Ctrl+Enter confirms, Esc cancels."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from ui.shell.required_text import RequiredTextBox


class ReasonBox(RequiredTextBox):
    """Window-modal, opened with ``open()``; ``done(reason)`` runs once a non-empty reason is confirmed."""

    def __init__(
        self, title: str, heading: str, done: Callable[[str], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(
            title,
            heading,
            done,
            word="reason",
            placeholder="Why (required; kept in the audit log)",
            description="Why the conflict is settled so: Ctrl+Enter confirms, Esc cancels",
            hint="A reason is required. Ctrl+Enter confirms · Esc cancels (nothing is written).",
            object_name="conflictReasonBox",
            height=240,
            parent=parent,
        )
