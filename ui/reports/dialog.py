"""Export report…: which investigation, PDF or HTML, clear images or not, where to write it.

Keyboard only: Alt+I investigation, Alt+F format, Alt+O output file, Alt+L "Include clear images" (which
asks a confirmation, No by default), Ctrl+Enter (or Enter) exports, Esc closes (F12 too, then panic).
Investigation titles are reviewer-typed text: shown through ``visible`` as plain text. The dialog only
collects the request; the feature does the work off the UI thread and reports progress here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from reviewer.display import visible
from reviewer.investigations import InvestigationSummary
from ui.shell.plain import message_box, plain_label

FORMATS = (("PDF", "pdf"), ("HTML", "html"))
CONFIRM_CLEAR = (
    "The report will include CLEAR (unblurred) images of the evidence, and anyone who opens the file "
    "will see them. The export is recorded in the audit log as including clear images."
)


@dataclass(frozen=True)
class ExportRequest:
    inv_id: uuid.UUID
    title: str
    fmt: str
    path: Path
    clear_images: bool


def slug(title: str) -> str:
    """A file-name-safe form of a title ("report" when nothing is left)."""
    kept = "".join(c if c.isascii() and c.isalnum() else "-" for c in title.lower())
    return "-".join(p for p in kept.split("-") if p)[:60] or "report"


class ExportDialog(QDialog):
    export_requested = Signal(object)  # ExportRequest

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportExportDialog")
        self.setWindowTitle("Export investigation report (Ctrl+Shift+P)")
        self.folder = folder
        self.rows: list[InvestigationSummary] = []
        self._path_edited = False
        intro = plain_label(
            "A PDF or HTML report of the investigation: findings, timeline, decisions and evidence "
            "thumbnails (blurred), with page numbers and an integrity footer."
        )
        intro.setWordWrap(True)
        self.investigation = QComboBox()
        self.investigation.setAccessibleName("Investigation")
        self.investigation.setAccessibleDescription("The investigation to report on (Alt+I)")
        self.format = QComboBox()
        for text, _fmt in FORMATS:
            self.format.addItem(text)
        self.format.setAccessibleName("Format")
        self.format.setAccessibleDescription("PDF or HTML (Alt+F)")
        self.output = QLineEdit()
        self.output.setAccessibleName("Output file")
        self.output.setAccessibleDescription("Where the report is written; its folder must exist (Alt+O)")
        self.clear = QCheckBox("Include clear images (Alt+L)")
        self.clear.setAccessibleName("Include clear images")
        self.clear.setAccessibleDescription(
            "Put unblurred evidence thumbnails in the report; asks a confirmation and is audited (Alt+L)"
        )
        form = QFormLayout()
        for text, key, field in (
            ("Investigation", "Alt+I", self.investigation),
            ("Format", "Alt+F", self.format),
            ("Output file", "Alt+O", self.output),
        ):
            label = plain_label(f"{text} ({key})")
            label.setBuddy(field)
            form.addRow(label, field)
            QShortcut(QKeySequence(key), self).activated.connect(field.setFocus)
        QShortcut(QKeySequence("Alt+L"), self).activated.connect(self.clear.click)
        form.addRow(plain_label(""), self.clear)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Export progress")
        self.progress.setAccessibleDescription("How far the export has gone")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.message = plain_label("Loading investigations…")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Close
        )
        self.export_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.export_button.setText("Export (Ctrl+Enter)")
        self.export_button.setDefault(True)
        self.export_button.setAccessibleName("Export")
        self.export_button.setAccessibleDescription("Write the report now (Ctrl+Enter)")
        self.export_button.setEnabled(False)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName("Close")
        close.setAccessibleDescription("Close the dialog (Esc)")
        close.setAutoDefault(False)
        self.buttons.accepted.connect(self._export)
        self.buttons.rejected.connect(self.reject)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self).activated.connect(self._export)
        self.clear.toggled.connect(self._clear_toggled)
        self.investigation.currentIndexChanged.connect(lambda _i: self._suggest_path())
        self.format.currentIndexChanged.connect(lambda _i: self._suggest_path())
        self.output.textEdited.connect(self._edited)
        self.requested: ExportRequest | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(640, 300)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.activateWindow()
        self.investigation.setFocus()

    # -- filled by the feature ---------------------------------------------------------------------
    def set_investigations(self, rows: list[InvestigationSummary], current: uuid.UUID | None) -> None:
        self.rows = list(rows)
        self.investigation.clear()
        for row in rows:
            self.investigation.addItem(f"{visible(row.title)} · {row.status} · {row.members} member{'' if row.members == 1 else 's'}")
        ids = [r.id for r in rows]
        if current in ids:
            self.investigation.setCurrentIndex(ids.index(current))
        self.export_button.setEnabled(bool(rows))
        self.set_message("" if rows else "No investigation yet: open one with F6 first.")
        self._suggest_path()

    def set_message(self, text: str) -> None:
        self.message.setText(visible(text, multiline=True))

    def set_progress(self, stage: str, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(done)
        self.set_message(f"{stage}… {done:,}/{total:,}" if total else f"{stage}…")

    def set_busy(self, busy: bool) -> None:
        for widget in (self.investigation, self.format, self.output, self.clear, self.export_button):
            widget.setEnabled(not busy and (widget is not self.export_button or bool(self.rows)))
        if not busy:
            self.progress.setRange(0, 1)

    # -- reviewer input ----------------------------------------------------------------------------
    def fmt(self) -> str:
        return FORMATS[max(0, self.format.currentIndex())][1]

    def _edited(self, _text: str) -> None:
        self._path_edited = True

    def _suggest_path(self) -> None:
        """A file named for the investigation in the reports folder, until the reviewer types one."""
        row = self.selected()
        if row is None:
            return
        if self._path_edited and self.output.text().strip():
            current = Path(self.output.text().strip())
            self.output.setText(str(current.with_suffix(f".{self.fmt()}")))
            return
        self.output.setText(str(self.folder / f"{slug(row.title)}.{self.fmt()}"))

    def selected(self) -> InvestigationSummary | None:
        index = self.investigation.currentIndex()
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def _clear_toggled(self, on: bool) -> None:
        if not on:
            return
        box = message_box(
            QMessageBox.Icon.Warning,
            "Include clear images?",
            CONFIRM_CLEAR,
            self,
            buttons=QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)
        if box.exec() != QMessageBox.StandardButton.Yes:
            self.clear.setChecked(False)

    def request(self) -> ExportRequest | None:
        row = self.selected()
        text = self.output.text().strip()
        if row is None or not text:
            return None
        return ExportRequest(row.id, row.title, self.fmt(), Path(text).expanduser(), self.clear.isChecked())

    def _export(self) -> None:
        if not self.export_button.isEnabled():
            return
        request = self.request()
        if request is None:
            self.set_message("Choose an investigation and name the output file.")
            return
        self.requested = request
        self.export_requested.emit(request)
