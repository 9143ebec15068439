"""The responses list (F8): case, channel, status, due/overdue, finalised at; E exports them to a file
chosen in a dialog. Case ids and channels were imported: shown as plain text with hidden characters
made visible."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.display import visible
from reviewer.responses.listing import ResponseListRow
from ui.shell.plain import plain_label
from ui.shell.row_table import fill_rows, row_table

COLUMNS = ("Case", "Channel", "Status", "Response due", "Finalised at", "Exported")
HINT = "E exports the final responses to a .jsonl or .csv file · Esc closes"


def when(at: datetime | None) -> str:
    return at.astimezone().strftime("%Y-%m-%d %H:%M") if at is not None else "—"


def due_text(row: ResponseListRow) -> str:
    if not row.case_state:
        return "—"
    return f"{row.case_state} ({when(row.due_at)})"


def choose_export_path(parent: QWidget) -> Path | None:
    """Ask where to export (a dialog); None when cancelled. Tests replace this function."""
    name, _filter = QFileDialog.getSaveFileName(
        parent, "Export responses", "responses.jsonl", "JSON Lines (*.jsonl);;CSV (*.csv)"
    )
    return Path(name) if name else None


class ResponsesDialog(QDialog):
    """A table of responses; E asks a file and calls ``export(path)``."""

    def __init__(self, *, export: Callable[[Path], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("responsesDialog")
        self.setWindowTitle("Responses (F8)")
        self._export = export
        self.rows: list[ResponseListRow] = []
        self.message = plain_label("Loading…")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Responses state")
        self.message.setAccessibleDescription("How many responses are listed, or what the export did")
        self.hint = plain_label(HINT)
        self.table = row_table(
            COLUMNS,
            "Responses",
            "One row per response: case, channel, status, when the response is due, when it was finalised",
        )
        self.export_button = QPushButton("Export… (E)")
        self.export_button.setAccessibleName("Export responses")
        self.export_button.setAccessibleDescription("Write the final responses to a file you choose (E)")
        self.close_button = QPushButton("Close (Esc)")
        self.close_button.setAccessibleName("Close")
        self.close_button.setAccessibleDescription("Close the responses list (Esc)")
        for button in (self.export_button, self.close_button):
            button.setAutoDefault(False)
        self.export_button.clicked.connect(self.ask_export)
        self.close_button.clicked.connect(self.reject)
        QShortcut(QKeySequence("E"), self).activated.connect(self.ask_export)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        self.resize(860, 420)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.activateWindow()
        self.table.setFocus()

    def set_rows(self, rows: list[ResponseListRow]) -> None:
        self.rows = list(rows)
        fill_rows(
            self.table,
            [
                (
                    visible(row.external_id),
                    visible(row.channel),
                    row.status,
                    due_text(row),
                    when(row.finalised_at),
                    when(row.exported_at),
                )
                for row in rows
            ],
        )
        if rows:
            self.table.selectRow(0)
        self.set_message(
            f"{len(rows):,} response{'s' if len(rows) != 1 else ''}" if rows else "No responses yet."
        )

    def set_message(self, text: str) -> None:
        self.message.setText(visible(text))

    def ask_export(self) -> None:
        path = choose_export_path(self)
        if path is not None:
            self.set_message(f"Exporting to {path}…")
            self._export(path)
