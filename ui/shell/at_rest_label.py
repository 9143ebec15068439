"""A permanent status-bar label saying how this database is kept at rest (keyring, file key, or not)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from reviewer.vault.status import AtRest, at_rest
from ui.shell.frame import Frame


class AtRestLabel(QLabel):
    def __init__(self, window: Frame) -> None:
        super().__init__("checking encryption…", window)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setObjectName("atRestLabel")
        self.window_ = window

    def refresh(self) -> None:
        """Work the state out off the UI thread. An older database is sealed there first, in short
        transactions of its own, on the I/O worker so the queue and decisions never wait for it (until it
        ends, a value not yet sealed reads as the plain text it still is)."""
        db = self.window_.ctx.db
        self.window_.ctx.tasks.run_io(lambda: at_rest(db), self.show_state, self._failed)

    def show_state(self, state: AtRest) -> None:
        self.setText(state.label)
        self.setToolTip(state.detail)
        if not state.encrypted:
            self.window_.flash(f"Data at rest: {state.detail}", 30000)

    def _failed(self, exc: BaseException) -> None:
        self.setText("encryption state unknown")
        self.setToolTip(str(exc))


def install(window: Frame) -> AtRestLabel:
    label = AtRestLabel(window)
    label.setAccessibleName("Data at rest")
    label.setAccessibleDescription("Whether the database and media on this computer are encrypted")
    window.add_status(label)
    return label  # refreshed by the window once the first case is on screen (its key read goes first)
