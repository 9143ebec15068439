"""The Conflicts view: decisions the server kept but did not apply, beside the decision that stood.

Lead-facing: K keeps the standing decision, T takes the pushed one; each asks a required reason
(Ctrl+Enter confirms) and the feature runs the settlement on the database worker, then reloads the list.
A reviewer who is not a lead sees the same table read-only, with a line saying only a lead settles
(who may settle is the core's rule, ``reviewer.overrides.may_override``). Conflict data was pulled from
the server, so every value is shown as plain text with hidden characters made visible.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.display import visible
from reviewer.sync.conflicts import ConflictRow, DecisionSide
from ui.shell.plain import plain_label
from ui.shell.row_table import fill_rows, reselect, row_table
from ui.sync.reason_box import ReasonBox

KEEP, TAKE = "keep", "take"
#: ``settle(conflict, choice, reason)``: the lead confirmed a reason for KEEP or TAKE.
Settle = Callable[[ConflictRow, str, str], None]
COLUMNS = ("Case", "Pushed decision (kept, not applied)", "Standing decision", "Listed")
READ_ONLY = "Only a lead settles a conflict; you can read them here."
LEAD_HINT = "K keeps the standing decision · T takes the pushed one · each asks a reason · Esc closes"


def when(at: datetime | None) -> str:
    return at.astimezone().strftime("%d %b %H:%M") if at is not None else "—"


def side_text(side: DecisionSide | None) -> str:
    """One side of a conflict: "alice · keep · VIO-1 · 02 Dec 12:04" (every part made visible)."""
    if side is None:
        return "none"
    parts = (side.handle, side.action, side.policy_code or "no policy", when(side.created_at))
    return " · ".join(visible(p) for p in parts)


class ConflictsDialog(QDialog):
    """A table of open conflicts; K / T (leads only) ask a reason and call ``settle``."""

    def __init__(self, *, lead: bool, settle: Settle, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictsDialog")
        self.setWindowTitle("Sync conflicts")
        self.lead, self._settle = lead, settle
        self.rows: list[ConflictRow] = []
        self.reason_box: ReasonBox | None = None
        self.role_line = plain_label(LEAD_HINT if lead else READ_ONLY)
        self.role_line.setWordWrap(True)
        self.message = plain_label("Loading…")
        self.message.setWordWrap(True)
        self.table = row_table(
            COLUMNS,
            "Open conflicts",
            "One row per conflict: the case, the pushed decision, the standing one (K keep, T take)",
        )
        self.keep_button = QPushButton("Keep standing (K)")
        self.keep_button.setAccessibleName("Keep standing decision")
        self.keep_button.setAccessibleDescription("The standing decision stays; asks a reason (K)")
        self.take_button = QPushButton("Take pushed (T)")
        self.take_button.setAccessibleName("Take pushed decision")
        self.take_button.setAccessibleDescription(
            "The pushed decision replaces the standing one; asks a reason (T)"
        )
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName("Close")
        close.setAccessibleDescription("Close the conflicts view (Esc)")
        close.setAutoDefault(False)
        for button in (self.keep_button, self.take_button):
            button.setAutoDefault(False)
            button.setEnabled(lead)
            self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.keep_button.clicked.connect(lambda: self.ask(KEEP))
        self.take_button.clicked.connect(lambda: self.ask(TAKE))
        self.buttons.rejected.connect(self.reject)
        for key, choice in (("K", KEEP), ("T", TAKE)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda c=choice: self.ask(c))
        layout = QVBoxLayout(self)
        layout.addWidget(self.role_line)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(980, 420)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.activateWindow()
        self.table.setFocus()

    def set_rows(self, rows: list[ConflictRow]) -> None:
        keep = self.selected()
        self.rows = list(rows)
        fill_rows(
            self.table,
            [
                (
                    visible(row.external_id),
                    side_text(row.pushed),
                    side_text(row.standing),
                    when(row.created_at),
                )
                for row in rows
            ],
        )
        reselect(self.table, [row.id for row in rows], keep.id if keep is not None else None)
        self.message.setText(
            f"{len(rows):,} open conflict{'s' if len(rows) != 1 else ''}" if rows else "No open conflict."
        )

    def set_message(self, text: str) -> None:
        self.message.setText(visible(text))

    def selected(self) -> ConflictRow | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def ask(self, choice: str) -> None:
        """K / T: ask the reason for settling the selected conflict (leads only)."""
        if not self.lead:
            self.set_message(READ_ONLY)
            return
        conflict = self.selected()
        if conflict is None:
            self.set_message("No conflict selected.")
            return
        if choice == TAKE and conflict.standing is None:
            self.set_message("This case has no standing decision to replace.")
            return
        case = visible(conflict.external_id)
        if choice == KEEP:
            title, heading = "Keep the standing decision", f"Keep {side_text(conflict.standing)} on {case}"
        else:
            title, heading = (
                "Take the pushed decision",
                f"Replace with {side_text(conflict.pushed)} on {case}",
            )
        if self.reason_box is not None:
            self.reason_box.deleteLater()
        self.reason_box = ReasonBox(
            title, heading, lambda reason: self._settle(conflict, choice, reason), self
        )
        self.reason_box.setWindowModality(Qt.WindowModality.WindowModal)
        self.reason_box.open()
