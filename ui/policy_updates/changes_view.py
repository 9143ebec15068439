"""What changed in the policy pack since the reviewer's last session: the sections on the left (changed,
added, removed), the chosen section's field diffs on the right as plain text, "+" lines and "-" lines
coloured through ``QTextCharFormat`` (pack text is never rendered as HTML). Esc closes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette, QShowEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QDialog, QHBoxLayout, QListWidget, QPlainTextEdit, QVBoxLayout, QWidget

from reviewer.display import visible
from reviewer.policy_updates import ADDED, REMOVED, PackChanges
from ui.shell.plain import plain_label, tooltip

KIND_MARK = {ADDED: "+ added", REMOVED: "− removed"}


def summary_line(changes: PackChanges) -> str:
    if changes.previous_missing:
        return (
            f"Policy {visible(changes.current_version)}: the text of version "
            f"{visible(changes.previous_version or '?')} is not stored, so nothing can be compared."
        )
    banner = changes.banner()
    if banner is None:
        return f"Policy {visible(changes.current_version)}: no section changed since your last session."
    return f"{visible(banner)} (previous: {visible(changes.previous_version or '?')})"


class ChangesDialog(QDialog):
    def __init__(self, changes: PackChanges, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("policyChangesDialog")
        self.setWindowTitle("Policy changes since your last session (F4)")
        self.changes = changes
        self.summary = plain_label(summary_line(changes))
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Policy changes summary")
        self.sections = QListWidget()
        self.sections.setAccessibleName("Changed sections")
        self.sections.setAccessibleDescription(
            "Sections changed, added or removed; ↑/↓ shows each one's diff"
        )
        self.diff = QPlainTextEdit()
        self.diff.setReadOnly(True)
        self.diff.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.diff.setAccessibleName("Section diff")
        self.diff.setAccessibleDescription("Lines starting + were added, lines starting - were removed")
        self.sections.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # the kind at the end stays visible
        self.sections.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for change in changes.changes:
            mark = KIND_MARK.get(change.kind, "● changed")
            line = f"{visible(change.code)}  {visible(change.title)}  ({mark})"
            self.sections.addItem(line)
            self.sections.item(self.sections.count() - 1).setToolTip(tooltip(line))
        self.sections.currentRowChanged.connect(self.show_section)
        self.hint = plain_label("↑/↓ choose a section · Esc closes")
        body = QHBoxLayout()
        body.addWidget(self.sections, 3)
        body.addWidget(self.diff, 7)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(body, 1)
        layout.addWidget(self.hint)
        self.resize(1000, 560)
        if changes.changes:
            self.sections.setCurrentRow(0)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.activateWindow()
        self.sections.setFocus()

    def _formats(self) -> dict[str, QTextCharFormat]:
        """Added / removed / heading formats from the theme: tinted by the palette's base lightness."""
        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        added, removed = QTextCharFormat(), QTextCharFormat()
        added.setBackground(QColor(24, 80, 36) if dark else QColor(214, 245, 214))
        removed.setBackground(QColor(96, 28, 28) if dark else QColor(250, 218, 218))
        heading = QTextCharFormat()
        heading.setFontWeight(QFont.Weight.Bold)
        return {"+": added, "-": removed, "h": heading, " ": QTextCharFormat()}

    def show_section(self, row: int) -> None:
        self.diff.clear()
        if not 0 <= row < len(self.changes.changes):
            return
        change = self.changes.changes[row]
        formats = self._formats()
        cursor = self.diff.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.Start)
        first = True
        for line in change.diff_lines():
            if not first:
                cursor.insertBlock()
            first = False
            kind = line[:1] if line[:2] in ("+ ", "- ") else (" " if line[:2] in ("  ", "") else "h")
            cursor.insertText(visible(line), formats[kind])  # plain text, one format per line
        self.diff.moveCursor(QTextCursor.MoveOperation.Start)

    def diff_text(self) -> str:
        return self.diff.toPlainText()
