"""The OK / Cancel row of the small dialogs, with the keys in their texts and accessible names."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox


def ok_cancel(
    ok_text: str,
    ok_name: str,
    ok_description: str,
    cancel_description: str,
    *,
    cancel_text: str | None = None,
) -> QDialogButtonBox:
    """OK (``ok_text``, e.g. "Add (Enter)") and Cancel (its text left to Qt unless ``cancel_text``); the
    caller connects ``accepted`` and ``rejected``."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setAccessibleName(ok_name)
    ok.setAccessibleDescription(ok_description)
    cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
    if cancel_text is not None:
        cancel.setText(cancel_text)
    cancel.setAccessibleName("Cancel")
    cancel.setAccessibleDescription(cancel_description)
    return buttons
