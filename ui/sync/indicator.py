"""The status-bar sync indicator: "online", "offline since 12:04", "… · 37 decisions waiting", progress.

Its text is the core's (``SyncStatus.label``); while a sync reports progress it says how far it got
("syncing 120/2,000 cases"). Hidden while this working copy is not connected to a team server. The
frame makes it elide with a tooltip, so it never widens the status bar.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QWidget

from reviewer.display import visible
from ui.shell.plain import make_plain

if TYPE_CHECKING:  # the sync engine is imported when the first sync runs, not at start
    from reviewer.sync.engine import SyncStatus


def progress_text(what: str, done: int, total: int) -> str:
    """Progress as shown: "syncing cases 120/2,000" (``what`` is the core's name for what moves)."""
    what = visible(what) or "items"
    if total > 0:
        return f"syncing {what} {done:,}/{total:,}"
    return f"syncing {what}…"


class SyncIndicator(QLabel):
    """Plain text; shows the last status read, or the running sync's progress."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        make_plain(self)
        self.setObjectName("syncIndicator")
        self.setAccessibleName("Team sync")
        self.setAccessibleDescription(
            "Whether this workstation reaches the team server, and what waits to sync"
        )
        self.status: SyncStatus | None = None
        self.progress: str = ""
        self.setVisible(False)

    def show_status(self, status: SyncStatus, now: datetime) -> None:
        self.status = status
        self._render(now)

    def show_progress(self, what: str, done: int, total: int, now: datetime) -> None:
        self.progress = progress_text(what, done, total)
        self._render(now)

    def end_progress(self, now: datetime) -> None:
        self.progress = ""
        self._render(now)

    def _render(self, now: datetime) -> None:
        status = self.status
        if status is None or not status.connected:
            self.setVisible(False)
            self.setText("")
            return
        label = visible(status.label(now))
        self.setText(f"{label} · {self.progress}" if self.progress else label)
        error = visible(status.last_error)
        self.setAccessibleDescription(f"Team sync: {label}" + (f"; last problem: {error}" if error else ""))
        self.setVisible(True)
