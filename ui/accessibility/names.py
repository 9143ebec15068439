"""Accessible names for the controls of dialogs Qt builds itself (``QInputDialog``, ``QMessageBox``).

Widgets the app builds get ``setAccessibleName`` / ``setAccessibleDescription`` where they are made; a
dialog Qt builds has controls nobody made by hand, so they are named here after it is built: each push
button by its text (without the ``&`` of its mnemonic and any "(key)" hint), other controls from a table
of class name → (name, description).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject
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


class _NameOnShow(QObject):
    def __init__(self, dialog: QWidget, controls: dict[str, tuple[str, str]]) -> None:
        super().__init__(dialog)
        self._controls = controls

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget):
            name_controls(watched, self._controls)
        return False


def name_on_show(dialog: QWidget, controls: dict[str, tuple[str, str]] | None = None) -> None:
    """Name ``dialog``'s controls (as :func:`name_controls`) each time it is shown, so buttons a caller
    adds after building it (``QMessageBox.addButton``) are named too."""
    dialog.installEventFilter(_NameOnShow(dialog, controls or {}))
