"""Accessible names for the controls of dialogs Qt builds itself (``QInputDialog``, ``QMessageBox``).

Widgets the app builds get ``setAccessibleName`` / ``setAccessibleDescription`` where they are made; a
dialog Qt builds has controls nobody made by hand, so they are named here after it is built: each push
button by its text (without the ``&`` of its mnemonic and any "(key)" hint), other controls from a table
of class name → (name, description).
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import QAbstractButton, QWidget

_HINT = re.compile(r"\s*\([^)]*\)\s*$")


def button_name(text: str) -> str:
    """A button's visible text as its accessible name: "&Save (Enter)" → "Save"."""
    return _HINT.sub("", text.replace("&&", "\0").replace("&", "").replace("\0", "&")).strip()


def name_controls(dialog: QWidget, controls: dict[str, tuple[str, str]]) -> None:
    """Name every button in ``dialog`` by its text, and each control whose class is in ``controls``."""
    for button in dialog.findChildren(QAbstractButton):
        if not button.accessibleName():
            button.setAccessibleName(button_name(button.text()))
            button.setAccessibleDescription(button.toolTip() or button_name(button.text()))
    for widget in dialog.findChildren(QWidget):
        named = controls.get(type(widget).__name__)
        if named is not None and not widget.accessibleName():
            widget.setAccessibleName(named[0])
            widget.setAccessibleDescription(named[1])
