"""The statement of reasons of one decision: every field as plain text with the rules it breaks, and the
fields a reviewer enters by hand (``reviewer.dsa.derive.AMENDABLE``). Ctrl+Enter saves the amendment,
Esc closes without writing. Every value is shown through ``visible``; nothing is markup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import QFormLayout, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from reviewer.display import visible
from reviewer.dsa.derive import AMENDABLE, Statement
from reviewer.dsa.rules import FIELDS, LIST_FIELDS
from ui.shell.keyed import KeyedDialog, is_ctrl_enter
from ui.shell.plain import plain_label

HINT = "Ctrl+Enter saves the fields you entered (a blank one is derived again) · Esc closes, nothing written"
#: Fields that take a paragraph rather than a line.
LONG_FIELDS = frozenset({"decision_facts", "illegal_content_explanation", "incompatible_content_explanation"})


def statement_text(statement: Statement) -> str:
    """Every field of the statement (those the API keeps), then its problems: plain text."""
    body = statement.body()
    lines = [
        f"Decision {statement.decision_id} — {statement.action} on case {visible(statement.case_external_id)}",
        "",
    ]
    for name in FIELDS:
        if name in body:
            value = body[name]
            shown = ", ".join(value) if name in LIST_FIELDS else str(value)
            lines.append(f"{name}: {visible(shown, multiline=False)}")
    lines.append("")
    if statement.problems:
        lines.append(f"Cannot be exported yet — {len(statement.problems)} problem(s):")
        lines += [f"  • {visible(str(p), multiline=False)}" for p in statement.problems]
    else:
        lines.append("Valid: ready for export.")
    return "\n".join(lines)


class StatementDialog(KeyedDialog):
    """Opened with ``open()``; ``save(fields)`` runs on Ctrl+Enter with the entered fields."""

    def __init__(
        self,
        statement: Statement,
        amended: dict[str, Any],
        save: Callable[[dict[str, Any]], None],
        *,
        title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dsaStatementDialog")
        self.setWindowTitle(title)
        self.statement, self._save = statement, save
        self.view = QPlainTextEdit(statement_text(statement))
        self.view.setReadOnly(True)
        self.view.setAccessibleName("Statement of reasons")
        self.view.setAccessibleDescription("Every field of the statement and the rules it breaks")
        self.fields: dict[str, QLineEdit | QPlainTextEdit] = {}
        form = QFormLayout()
        for name in AMENDABLE:
            value = amended.get(name)
            text = " ".join(value) if isinstance(value, list) else str(value or "")
            field: QLineEdit | QPlainTextEdit
            if name in LONG_FIELDS:
                field = QPlainTextEdit(text)
                field.setTabChangesFocus(True)
                field.setFixedHeight(54)
            else:
                field = QLineEdit(text)
            field.setPlaceholderText(self._placeholder(name))
            field.setAccessibleName(name.replace("_", " ").capitalize())
            field.setAccessibleDescription(f"Entered by hand: {name} (blank: derived)")
            field.installEventFilter(self)
            self.fields[name] = field
            form.addRow(plain_label(name), field)
        self.hint = plain_label(HINT)
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 2)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        self.resize(820, 820)

    def _placeholder(self, name: str) -> str:
        derived = self.statement.fields.get(name)
        if isinstance(derived, list):
            derived = " ".join(derived)
        if name == "territorial_scope":
            return "Country codes, e.g. DE AT (blank: the pack's scope)"
        if "date" in name:
            return "YYYY-MM-DD" + (f" (derived: {derived})" if derived else "")
        return visible(str(derived), multiline=False)[:80] if derived else "(not set)"

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.activateWindow()
        first = next((f for n, f in self.fields.items() if n in missing_names(self.statement)), None)
        (first or self.fields["decision_facts"]).setFocus()

    def entered(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, field in self.fields.items():
            text = field.toPlainText() if isinstance(field, QPlainTextEdit) else field.text()
            if text.strip():
                out[name] = text.strip()
        return out

    def set_message(self, text: str) -> None:
        self.hint.setText(visible(text))

    def handled(self, event: QKeyEvent) -> bool:
        if is_ctrl_enter(event):
            self._save(self.entered())
            return True
        return False


def missing_names(statement: Statement) -> set[str]:
    return {p.field for p in statement.problems if p.missing}
