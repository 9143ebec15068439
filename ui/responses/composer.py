"""The response composer (Ctrl+R): the requester as plain text, a template picked by channel and decision
(↑↓), the subject and body filled from it and editable; Ctrl+S saves a draft, Ctrl+Enter finalises, Esc
closes and keeps the draft (an unsaved edit is saved as a draft on the way out). The panic key (F12)
rejects it like every prompt: nothing is written then.

The dialog holds values and calls back; the feature (``actions.py``) does the database work on the
workers. Requester values were imported (hostile): shown through ``plain_label`` after ``visible``.
Subject and body are edited as plain text (``QPlainTextEdit``), never rendered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.display import visible
from reviewer.responses.compose import ComposeContext, fill
from reviewer.responses.store import ResponseRecord
from reviewer.responses.templates import ChannelTemplates, ResponseTemplate
from ui.shell.keyed import KeyedDialog
from ui.shell.plain import plain_label

HINT = "↑↓ template · Ctrl+S save draft · Ctrl+Enter finalise · Esc close (keeps the draft)"


@dataclass(frozen=True)
class Draft:
    """What the composer asks to save: the template, subject and body, and the draft it edits."""

    template_id: str
    subject: str
    body: str
    response_id: object | None  # uuid.UUID of the draft being edited, or None for a new one


def requester_lines(ctx: ComposeContext) -> str:
    """The requester as plain lines (every value made visible)."""
    if ctx.requester_locked:
        return "Requester: cannot be read here (its key is not available)"
    r = ctx.requester
    if r is None:
        return "Requester: none given"
    parts = [f"Requester: {visible(r.name)}"]
    if r.organisation:
        parts.append(f"Organisation: {visible(r.organisation)}")
    if r.contact:
        parts.append(f"Contact: {visible(r.contact)}")
    if r.reference:
        parts.append(f"Reference: {visible(r.reference)}")
    return "\n".join(parts)


def decision_line(ctx: ComposeContext) -> str:
    d = ctx.decision
    if d is None:
        return f"Case {visible(ctx.external_id)} ({visible(ctx.channel)}, {ctx.status}): not decided yet"
    policy = visible(d.policy_code) if d.policy_code else "no policy"
    when = d.created_at.strftime("%Y-%m-%d %H:%M UTC")
    return f"Case {visible(ctx.external_id)} ({visible(ctx.channel)}): {d.action} · {policy} · {when} · {visible(d.reviewer)}"


class ResponseComposer(KeyedDialog):
    """One case's response; ``save(draft)`` / ``finalise(draft)`` are the feature's callbacks."""

    def __init__(
        self,
        ctx: ComposeContext,
        templates: ChannelTemplates,
        values: dict[str, str],
        *,
        save: Callable[[Draft], None],
        finalise: Callable[[Draft], None],
        existing: ResponseRecord | None = None,
        final: ResponseRecord | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("responseComposer")
        self.setWindowTitle(f"Compose response (Ctrl+R) — case {visible(ctx.external_id)}")
        self.ctx, self.values = ctx, values
        self._save, self._finalise = save, finalise
        self.response_id = existing.id if existing is not None else None
        self.final = final
        self.dirty = False
        self._filling = False
        action = ctx.decision.action if ctx.decision else None
        self.templates: list[ResponseTemplate] = templates.for_action(action)

        self.case_line = plain_label(decision_line(ctx))
        self.case_line.setWordWrap(True)
        self.case_line.setAccessibleName("Case and decision")
        self.case_line.setAccessibleDescription("The case this response answers and its standing decision")
        self.requester = plain_label(requester_lines(ctx))
        self.requester.setWordWrap(True)
        self.requester.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.requester.setAccessibleName("Requester")
        self.requester.setAccessibleDescription("Who escalated the case (imported; shown as plain text)")
        self.template_list = QListWidget()
        for t in self.templates:
            fits = "" if not t.fits(action) else "  ✓ fits the decision"
            item = QListWidgetItem(f"{t.title}{fits}")
            item.setData(Qt.ItemDataRole.UserRole, t.id)
            self.template_list.addItem(item)
        self.template_list.setAccessibleName("Template")
        self.template_list.setAccessibleDescription(
            "Templates of this channel, those fitting the decision first (↑↓)"
        )
        self.template_list.setMaximumHeight(110)
        self.subject = QLineEdit()
        self.subject.setAccessibleName("Subject")
        self.subject.setAccessibleDescription("The response's subject line (editable)")
        self.body = QPlainTextEdit()
        self.body.setTabChangesFocus(True)
        self.body.setAccessibleName("Body")
        self.body.setAccessibleDescription("The response's text (plain text, editable)")
        self.message = plain_label(self._state_text(existing))
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Response state")
        self.message.setAccessibleDescription("Whether the response is saved, final, or refused and why")
        self.hint = plain_label(HINT)
        self.hint.setWordWrap(True)
        self.save_button = QPushButton("Save draft (Ctrl+S)")
        self.save_button.setAccessibleName("Save draft")
        self.save_button.setAccessibleDescription("Store the response as a draft (Ctrl+S)")
        self.final_button = QPushButton("Finalise (Ctrl+Enter)")
        self.final_button.setAccessibleName("Finalise")
        self.final_button.setAccessibleDescription("Make this the case's final response (Ctrl+Enter)")
        self.close_button = QPushButton("Close (Esc)")
        self.close_button.setAccessibleName("Close")
        self.close_button.setAccessibleDescription("Close the composer; an edit is kept as a draft (Esc)")
        for button in (self.save_button, self.final_button, self.close_button):
            button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.final_button.clicked.connect(self.finalise)
        self.close_button.clicked.connect(self.close_keeping_draft)
        QShortcut(QKeySequence("Ctrl+S"), self).activated.connect(self.save)
        self.body.installEventFilter(self)
        self.subject.installEventFilter(self)
        self.template_list.installEventFilter(self)

        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.final_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.case_line)
        layout.addWidget(self.requester)
        layout.addWidget(self.template_list)
        layout.addWidget(self.subject)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        self.resize(720, 560)

        self.template_list.currentRowChanged.connect(self._template_changed)
        self.subject.textEdited.connect(self._edited)
        self.body.textChanged.connect(self._edited)
        if existing is not None:
            ids = [t.id for t in self.templates]
            self._filling = True
            if existing.template_id in ids:
                self.template_list.setCurrentRow(ids.index(existing.template_id))
            self.subject.setText(existing.subject)
            self.body.setPlainText(existing.body)
            self._filling = False
        elif self.templates:
            self.template_list.setCurrentRow(0)

    def _state_text(self, existing: ResponseRecord | None) -> str:
        parts = []
        if existing is not None:
            parts.append(f"Editing the draft saved {existing.updated_at:%Y-%m-%d %H:%M} UTC.")
        if self.final is not None:
            parts.append(
                f"A final response was given {self.final.finalised_at:%Y-%m-%d %H:%M} UTC; "
                "finalising this one supersedes it."
            )
        return " ".join(parts) or "New response (not saved yet)."

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.activateWindow()
        self.template_list.setFocus()

    def current_template(self) -> ResponseTemplate | None:
        row = self.template_list.currentRow()
        return self.templates[row] if 0 <= row < len(self.templates) else None

    def _template_changed(self, _row: int) -> None:
        template = self.current_template()
        if template is None or self._filling:
            return
        subject, body = fill(template, self.values)
        self._filling = True
        self.subject.setText(subject)
        self.body.setPlainText(body)
        self._filling = False
        self.dirty = True

    def _edited(self, *_args: object) -> None:
        if not self._filling:
            self.dirty = True

    def draft(self) -> Draft | None:
        template = self.current_template()
        if template is None:
            return None
        return Draft(template.id, self.subject.text(), self.body.toPlainText(), self.response_id)

    def save(self) -> None:
        draft = self.draft()
        if draft is not None:
            self.set_message("Saving the draft…")
            self._save(draft)

    def finalise(self) -> None:
        draft = self.draft()
        if draft is not None:
            self.set_message("Finalising…")
            self._finalise(draft)

    def saved(self, record: ResponseRecord) -> None:
        """The feature stored ``record``: later saves edit it."""
        self.response_id = record.id
        self.dirty = False
        if record.status == "final":
            self.set_message(
                f"Final response stored {record.finalised_at:%Y-%m-%d %H:%M} UTC. Nothing was sent."
            )
            self.final_button.setEnabled(False)
            self.save_button.setEnabled(False)
        else:
            self.set_message(f"Draft saved {record.updated_at:%H:%M:%S} UTC.")

    def set_message(self, text: str) -> None:
        self.message.setText(visible(text))

    def close_keeping_draft(self) -> None:
        """Esc in the composer, or Close: an unsaved edit is saved as a draft, then the composer closes.
        (``reject`` alone, as the panic key and the main window's Escape call it, writes nothing.)"""
        if self.dirty and self.save_button.isEnabled():
            self.save()
        self.reject()

    def handled(self, event: QKeyEvent) -> bool:
        key, mods = event.key(), event.modifiers()
        if key == Qt.Key.Key_Escape and mods == Qt.KeyboardModifier.NoModifier:
            self.close_keeping_draft()
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods & Qt.KeyboardModifier.ControlModifier:
            self.finalise()
            return True
        return False


