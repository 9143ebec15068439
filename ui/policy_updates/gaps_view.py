"""The policy gaps list: case, section, note, who, when, status. Enter goes to the case (if it is in the
queue), C closes the selected gap with a note (a lead: ``reviewer.policy_gaps.may_close``), E exports the
list, A shows closed gaps too, Esc closes. Notes and handles are shown as plain visible text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.display import visible
from reviewer.policy_gaps import GapRow
from ui.shell.plain import plain_label
from ui.shell.row_table import fill_rows, reselect, row_table

COLUMNS = ("Case", "Section", "Note", "Flagged by", "When", "Status")
LEAD_HINT = "Enter goes to the case · C closes a gap (asks a note) · E exports · A: closed too · Esc closes"
READER_HINT = "Enter goes to the case · E exports · A: closed too · only a lead closes a gap · Esc closes"


def when(at: datetime | None) -> str:
    return at.astimezone().strftime("%d %b %H:%M") if at is not None else "—"


def status_text(gap: GapRow) -> str:
    if gap.open:
        return "open"
    return f"closed by {visible(gap.closed_by or '?')} {when(gap.closed_at)}: {visible(gap.closing_note)}"


class GapsDialog(QDialog):
    """The table; the feature hands the callbacks (go to a case, close a gap, export, reload)."""

    def __init__(
        self,
        *,
        lead: bool,
        go_to: Callable[[GapRow], None],
        close_gap: Callable[[GapRow], None],
        export: Callable[[bool], None],
        reload: Callable[[bool], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("policyGapsDialog")
        self.setWindowTitle("Policy gaps (Ctrl+Shift+G)")
        self.lead = lead
        self._go_to, self._close, self._export, self._reload = go_to, close_gap, export, reload
        self.show_all = False
        self.rows: list[GapRow] = []
        self.hint = plain_label(LEAD_HINT if lead else READER_HINT)
        self.hint.setWordWrap(True)
        self.message = plain_label("Loading…")
        self.message.setWordWrap(True)
        self.table = row_table(
            COLUMNS, "Policy gaps", "One row per flagged gap: case, section, note, who, when, status"
        )
        self.table.cellActivated.connect(lambda _r, _c: self.go_to_selected())
        self.close_button = QPushButton("Close gap (C)")
        self.close_button.setAccessibleName("Close gap")
        self.close_button.setAccessibleDescription("Close the selected gap with a note (a lead) (C)")
        self.close_button.setEnabled(lead)
        self.export_button = QPushButton("Export (E)")
        self.export_button.setAccessibleName("Export gaps")
        self.export_button.setAccessibleDescription(
            "Write the listed gaps to a CSV file in the exports folder (E)"
        )
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        done = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        done.setAccessibleName("Close the list")
        done.setAccessibleDescription("Close the policy gaps list (Esc)")
        for button in (self.close_button, self.export_button, done):
            button.setAutoDefault(False)
        for button in (self.close_button, self.export_button):
            self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button.clicked.connect(self.close_selected)
        self.export_button.clicked.connect(lambda: self._export(self.show_all))
        self.buttons.rejected.connect(self.reject)
        for key, slot in (
            ("C", self.close_selected),
            ("E", lambda: self._export(self.show_all)),
            ("A", self.toggle_all),
        ):
            QShortcut(QKeySequence(key), self).activated.connect(slot)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(980, 420)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.activateWindow()
        self.table.setFocus()

    def set_rows(self, rows: list[GapRow]) -> None:
        keep = self.selected()
        self.rows = list(rows)
        fill_rows(
            self.table,
            [
                (
                    visible(gap.case_external_id),
                    visible(gap.policy_code or "—"),
                    visible(gap.note),
                    visible(gap.flagged_by),
                    when(gap.created_at),
                    status_text(gap),
                )
                for gap in rows
            ],
            whole_in_tooltip=2,  # the note may be long
        )
        self.table.setColumnWidth(2, min(self.table.columnWidth(2), 360))
        reselect(self.table, [gap.id for gap in rows], keep.id if keep is not None else None)
        what = "gap" if len(rows) == 1 else "gaps"
        scope = "" if self.show_all else " open"
        self.message.setText(f"{len(rows):,}{scope} {what}" if rows else f"No{scope} policy gap.")

    def set_message(self, text: str) -> None:
        self.message.setText(visible(text))

    def selected(self) -> GapRow | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def go_to_selected(self) -> None:
        gap = self.selected()
        if gap is not None:
            self._go_to(gap)

    def close_selected(self) -> None:
        if not self.lead:
            self.set_message("Only a lead closes a policy gap.")
            return
        gap = self.selected()
        if gap is None or not gap.open:
            self.set_message("Select an open gap to close.")
            return
        self._close(gap)

    def toggle_all(self) -> None:
        self.show_all = not self.show_all
        self._reload(self.show_all)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter reaches here after the table's ``activated`` (which goes to the case): never a button."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return
        super().keyPressEvent(event)
