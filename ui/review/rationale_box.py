"""The rationale box: why a decision was taken, written before it is committed.

A multi-line field; Ctrl+Enter commits, Esc cancels (nothing is written). It opens only when it is
needed — the cited section requires a rationale (``PolicyPack.needs_rationale``, the core's rule), an
escalation (which also asks for its target tier, named after the pack's tiers, and whose rationale is the
hand-off note the core requires: ``reviewer.tiers.check_handoff_note``) or a note (N) — so an obvious
keep stays one key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPlainTextEdit, QVBoxLayout, QWidget

from reviewer.actions import ACTION_KINDS
from reviewer.conflicts import DecisionError
from reviewer.display import visible
from reviewer.tiers import DEFAULT_TIERS, Tier, check_handoff_note
from ui.shell.keyed import KeyedDialog, is_ctrl_enter
from ui.shell.plain import plain_label, set_rich

#: ``done(rationale, to_tier)``: the reviewer committed the box.
Done = Callable[[str, "int | None"], None]


class RationaleBox(KeyedDialog):
    """Window-modal, opened with ``open()``: the review window stays painted and F12 still reaches it."""

    def __init__(
        self,
        *,
        action: str,
        code: str | None,
        case_label: str,
        required: bool,
        tier: int,
        done: Done,
        parent: QWidget | None = None,
        tiers: Sequence[Tier] = DEFAULT_TIERS,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("rationaleBox")
        self.action, self.required, self._done = action, required, done
        title = {"note": "Note", "escalate": "Escalate"}.get(action) or ACTION_KINDS[action].label
        self.setWindowTitle(f"{title}: rationale")
        self.heading = plain_label()
        set_rich(
            self.heading,
            "<b>{title}</b>{under} on {case}",
            title=title,
            under=f" under {code}" if code else "",
            case=case_label,
        )
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText(self._placeholder())
        self.text.setAccessibleName("Rationale")
        self.text.setAccessibleDescription("Why this decision: Ctrl+Enter commits, Esc cancels")
        self.text.installEventFilter(self)
        self.tier: QComboBox | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        if action == "escalate":
            self.tier = QComboBox()
            targets = [t for t in tiers if t.level > tier]  # the pack's tiers above the case's
            keys = " / ".join(f"Alt+{t.level}" for t in targets)
            self.tier.setAccessibleName("Target tier")
            self.tier.setAccessibleDescription(f"The tier the case is escalated to ({keys})")
            for target in targets:
                self.tier.addItem(f"{visible(target.name)}  (Alt+{target.level})", target.level)
            row = QHBoxLayout()
            label = plain_label(f"To tier ({keys}):")
            label.setBuddy(self.tier)
            row.addWidget(label)
            row.addWidget(self.tier, 1)
            layout.addLayout(row)
        layout.addWidget(self.text, 1)
        self.hint = plain_label(self._hint())
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.resize(520, 260)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.activateWindow()
        self.text.setFocus()  # keyboard first: type the rationale at once

    def _placeholder(self) -> str:
        if self.action == "escalate":
            return "Hand-off note: why the next tier must see this case (required)"
        if self.action == "note":
            return "A note for the case history"
        return "Why this decision (required by the policy)" if self.required else "Why this decision"

    def _hint(self) -> str:
        need = "A rationale is required. " if self.required else ""
        return f"{need}Ctrl+Enter commits · Esc cancels (nothing is written)."

    def set_tier(self, target: int) -> bool:
        """Choose the escalation's target tier; False if it is not offered."""
        if self.tier is None:
            return False
        index = self.tier.findData(target)
        if index >= 0:
            self.tier.setCurrentIndex(index)
        return index >= 0

    def target_tier(self) -> int | None:
        return None if self.tier is None else int(self.tier.currentData())

    def commit(self) -> bool:
        """Commit if the box holds what is required; otherwise say what is missing and stay open."""
        rationale = self.text.toPlainText().strip()
        try:
            check_handoff_note(self.action, rationale)  # the core's rule, asked before the write
        except DecisionError as exc:
            set_rich(self.hint, "<b>{why}</b> — Esc cancels.", why=str(exc).capitalize())
            self.text.setFocus()
            return False
        if self.required and not rationale:
            set_rich(self.hint, "<b>Write the rationale first</b> — it is required. Esc cancels.")
            self.text.setFocus()
            return False
        self.accept()
        self._done(rationale, self.target_tier())
        return True

    def handled(self, event: QKeyEvent) -> bool:
        key, mods = event.key(), event.modifiers()
        if is_ctrl_enter(event):
            self.commit()
            return True
        if mods & Qt.KeyboardModifier.AltModifier and Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
            self.set_tier(key - Qt.Key.Key_0)
            return True
        return False


