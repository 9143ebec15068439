"""Acting on a modal dialog that runs its own event loop: poll for it, then hand it to a function."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

D = TypeVar("D", bound=QWidget)
POLL_MS = 20  # how often to look for the dialog; the caller's waitUntil bounds the whole wait


def when_modal(kind: type[D], act: Callable[[D], None]) -> None:
    """Once a modal dialog of type ``kind`` is open, call ``act`` with it (start this before opening it)."""

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind):
            act(dialog)
        else:
            QTimer.singleShot(POLL_MS, look)

    QTimer.singleShot(0, look)
