"""The findings editor: the structured head as fields, the narrative in Markdown with a live preview.

The preview follows the text after a pause (:data:`PREVIEW_DEBOUNCE_MS`, one single-shot timer restarted
by each change), never at every keystroke. ``dirty`` says the text differs from what was last loaded or
saved, so a reload of the investigation (after a note, a member) never replaces unsaved work, and a save
refused as stale keeps the text in the editor.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFormLayout, QPlainTextEdit, QSplitter, QVBoxLayout, QWidget

from reviewer.investigations import Findings
from ui.investigations.preview import MarkdownPreview
from ui.shell.plain import plain_label

PREVIEW_DEBOUNCE_MS = 150

#: Head fields: (attribute, label with its mnemonic, accessible description).
HEAD_FIELDS = (
    ("summary", "S&ummary", "What happened, in two or three sentences"),
    ("risk_assessment", "&Risk assessment", "How much harm, to whom, how likely it continues"),
    ("recommended_actions", "Recommended &actions", "What the team should do next"),
    ("policy_gaps", "&Policy gaps", "Where the policy did not cover what was found"),
)


def _field(name: str, description: str, lines: int) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setAccessibleName(name)
    edit.setAccessibleDescription(description)
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 14)
    return edit


class FindingsEditor(QWidget):
    """Head fields above a Markdown editor beside its preview; ``findings()`` is what to save."""

    #: The preview was rendered again (tests wait for it).
    previewed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.head: dict[str, QPlainTextEdit] = {}
        form = QFormLayout()
        for name, label_text, description in HEAD_FIELDS:
            edit = _field(label_text.replace("&", ""), description, 2)
            label = plain_label(label_text)
            label.setBuddy(edit)
            form.addRow(label, edit)
            self.head[name] = edit
        self.markdown = QPlainTextEdit()
        self.markdown.setTabChangesFocus(True)
        self.markdown.setPlaceholderText(
            "# Findings\n\nThe narrative, in Markdown (images and HTML are not shown)"
        )
        self.markdown.setAccessibleName("Findings narrative")
        self.markdown.setAccessibleDescription(
            "The findings in Markdown; the preview beside it follows as you type"
        )
        self.preview = MarkdownPreview()
        self.preview.setAccessibleName("Findings preview")
        self.preview.setAccessibleDescription("The narrative as it reads; images and links are never loaded")
        split = QSplitter()
        split.addWidget(self.markdown)
        split.addWidget(self.preview)
        split.setChildrenCollapsible(False)
        narrative = plain_label("&Narrative (Markdown)")
        narrative.setBuddy(self.markdown)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(narrative)
        layout.addWidget(split, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DEBOUNCE_MS)
        self._timer.timeout.connect(self.render_preview)
        self.markdown.textChanged.connect(self._timer.start)
        self._loaded = Findings()

    def render_preview(self) -> None:
        self._timer.stop()
        self.preview.show_markdown(self.markdown.toPlainText())
        self.previewed.emit()

    def findings(self) -> Findings:
        head = {name: edit.toPlainText() for name, edit in self.head.items()}
        return Findings(**head, findings_md=self.markdown.toPlainText())

    @property
    def dirty(self) -> bool:
        return self.findings() != self._loaded

    def load(self, findings: Findings) -> None:
        """Show ``findings`` (as read or saved); the editor is clean afterwards."""
        for name, edit in self.head.items():
            edit.setPlainText(getattr(findings, name))
        self.markdown.setPlainText(findings.findings_md)
        self._loaded = findings
        self.render_preview()

    def mark_saved(self, findings: Findings) -> None:
        self._loaded = findings

    def set_editable(self, editable: bool) -> None:
        for edit in (*self.head.values(), self.markdown):
            edit.setReadOnly(not editable)
