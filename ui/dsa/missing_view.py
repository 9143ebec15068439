"""The decisions that cannot yet produce a valid statement of reasons, with the fields they miss. Enter
opens the statement (to amend it), E exports every valid statement (API batches and CSV into the exports
folder), Esc closes. Case ids are shown as plain visible text."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QVBoxLayout, QWidget

from reviewer.display import visible
from reviewer.dsa.export import MissingEntry
from ui.shell.plain import plain_label
from ui.shell.row_table import fill_rows, reselect, row_table

COLUMNS = ("Case", "Action", "Missing fields", "Other problems")
HINT = "Enter opens the statement to fill it in · E exports the valid statements · Esc closes"


class MissingDialog(QDialog):
    def __init__(
        self,
        *,
        open_entry: Callable[[MissingEntry], None],
        export: Callable[[], None],
        title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dsaMissingDialog")
        self.setWindowTitle(title)
        self._open, self._export = open_entry, export
        self.rows: list[MissingEntry] = []
        self.hint = plain_label(HINT)
        self.message = plain_label("Loading…")
        self.message.setWordWrap(True)
        self.table = row_table(
            COLUMNS,
            "Decisions missing statement fields",
            "One row per decision that cannot yet produce a valid statement of reasons",
        )
        self.table.cellActivated.connect(lambda _r, _c: self.open_selected())
        self.export_button = QPushButton("Export (E)")
        self.export_button.setAccessibleName("Export statements of reasons")
        self.export_button.setAccessibleDescription("Write every valid statement to the exports folder (E)")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        done = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        done.setAccessibleName("Close the list")
        done.setAccessibleDescription("Close the list of decisions missing fields (Esc)")
        for button in (self.export_button, done):
            button.setAutoDefault(False)
        self.buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.clicked.connect(self._export)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence("E"), self).activated.connect(self._export)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(900, 420)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.activateWindow()
        self.table.setFocus()

    def set_rows(self, rows: list[MissingEntry]) -> None:
        keep = self.selected()
        self.rows = list(rows)
        fill_rows(
            self.table,
            [
                (
                    visible(e.case_external_id),
                    e.action,
                    ", ".join(e.missing) or "—",
                    visible("; ".join(e.invalid)) or "—",
                )
                for e in rows
            ],
            whole_in_tooltip=3,
        )
        reselect(self.table, [e.decision_id for e in rows], keep.decision_id if keep is not None else None)
        self.message.setText(
            f"{len(rows):,} decision(s) cannot yet produce a valid statement"
            if rows
            else "Every statement is valid."
        )

    def set_message(self, text: str) -> None:
        self.message.setText(visible(text))

    def selected(self) -> MissingEntry | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def open_selected(self) -> None:
        entry = self.selected()
        if entry is not None:
            self._open(entry)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter reaches here after the table's ``activated`` (which opens the statement): never a button."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return
        super().keyPressEvent(event)
