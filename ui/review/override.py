"""A lead overriding a decided case: the dialog (action, policy, required reason) and the write.

Who may override, which actions an override may take and which policies allow them are the core's rules
(``reviewer.overrides``, ``PolicyPack.sections_allowing``); the write names the decision the lead was
looking at, so a case that changed meanwhile is refused with who changed it, never raced.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from reviewer.actions import ACTION_KINDS
from reviewer.conflicts import StandingDecision
from reviewer.decisions import DecisionResult
from reviewer.display import visible
from reviewer.leases import ClaimResult, case_outlook
from reviewer.overrides import OVERRIDE_ACTIONS, may_override, override_decision
from reviewer.policy import PolicyPack
from ui.review.decision_flow import DecisionFlow
from ui.review.selection import Selection
from ui.shell.context import AppContext
from ui.shell.dialog_buttons import ok_cancel
from ui.shell.plain import plain_label


class OverrideDialog(QDialog):
    """Alt+A action, Alt+P policy, Alt+R reason (required); Enter overrides, Esc cancels."""

    def __init__(
        self, standing: StandingDecision, pack: PolicyPack, category: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Override decision (lead)")
        self.setObjectName("overrideDialog")
        self.pack, self.category = pack, category
        current = plain_label(f"Standing decision: {visible(standing.describe())}.")
        current.setWordWrap(True)
        self.action = QComboBox()
        for action in OVERRIDE_ACTIONS:
            self.action.addItem(ACTION_KINDS[action].label, action)
        self.policy = QComboBox()
        self.reason = QLineEdit()
        self.action.setAccessibleName("Action")
        self.action.setAccessibleDescription("The decision that replaces the standing one (Alt+A)")
        self.policy.setAccessibleName("Policy")
        self.policy.setAccessibleDescription("The policy the new decision cites (Alt+P)")
        self.reason.setAccessibleName("Reason")
        self.reason.setAccessibleDescription("Why the earlier decision is replaced; required (Alt+R)")
        self.reason.setPlaceholderText("Why the earlier decision is replaced (kept in the audit log)")
        form = QFormLayout()
        for text, field in (("&Action", self.action), ("&Policy", self.policy), ("&Reason", self.reason)):
            label = plain_label(text)
            label.setBuddy(field)
            form.addRow(label, field)
        self.buttons = ok_cancel(
            "Override (Enter)",
            "Override",
            "Replace the standing decision (Enter)",
            "Close without changing anything (Esc)",
        )
        layout = QVBoxLayout(self)
        layout.addWidget(current)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.action.currentIndexChanged.connect(self._refill_policies)
        self.reason.textChanged.connect(self._update_ok)
        self.policy.currentIndexChanged.connect(self._update_ok)
        self._refill_policies()
        self.reason.setFocus()

    def _refill_policies(self) -> None:
        action = self.chosen_action()
        self.policy.clear()
        if ACTION_KINDS[action].needs_policy:
            for section in self.pack.sections_allowing(action, self.category):
                self.policy.addItem(visible(f"{section.code}  {section.title}"), section.code)
        else:
            default = self.pack.default_policy_for(action)
            self.policy.addItem(visible(default) or "no policy needed", default)
        self._update_ok()

    def _update_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        needs = ACTION_KINDS[self.chosen_action()].needs_policy
        ok.setEnabled(bool(self.reason.text().strip()) and (not needs or self.chosen_policy() is not None))

    def chosen_action(self) -> str:
        return str(self.action.currentData())

    def chosen_policy(self) -> str | None:
        code = self.policy.currentData()
        return str(code) if code else None

    def chosen_reason(self) -> str:
        return self.reason.text().strip()


class Overrides(QObject):
    status = Signal(str)

    def __init__(self, ctx: AppContext, selection: Selection, flow: DecisionFlow, window: QWidget) -> None:
        super().__init__(flow)
        self.ctx, self.selection, self.flow, self._window = ctx, selection, flow, window

    def start(self) -> None:
        """The lead's override key: look up what stands on the shown case, then ask what replaces it."""
        view = self.selection.current
        if view is None:
            return
        if not may_override(self.ctx.reviewer):
            self.status.emit(
                f"Only a lead can override a decision; {self.ctx.reviewer.handle} is a reviewer. "
                "Escalate (E) instead, with a note."
            )
            return
        db, case_id, session_id = self.ctx.db, view.id, self.ctx.session_id

        def looked_up(outlook: ClaimResult) -> None:
            if not self.selection.is_current(case_id):
                return
            if outlook.standing is None:
                self.status.emit("Nothing to override: no decision stands on this case.")
                return
            self.ask(outlook.standing, view.category, case_id)

        self.ctx.tasks.run_read(lambda: case_outlook(db, case_id, session_id), looked_up)

    def ask(self, standing: StandingDecision, category: str, case_id: uuid.UUID) -> None:
        dialog = OverrideDialog(standing, self.ctx.pack, category, self._window)
        self.dialog = dialog
        if not dialog.exec():
            self.status.emit("Override cancelled; nothing was written.")
            return
        ctx = self.ctx
        action, code, reason = dialog.chosen_action(), dialog.chosen_policy(), dialog.chosen_reason()

        def write() -> DecisionResult:
            return override_decision(
                ctx.db,
                case_id=case_id,
                lead=ctx.reviewer,
                replaces=standing.decision_id,
                action=action,
                reason=reason,
                policy_code=code,
                pack=ctx.pack,
                session_id=ctx.session_id,
            )

        def done(result: DecisionResult) -> None:
            under = f" under {result.policy_code}" if result.policy_code else ""
            self.status.emit(f"Overridden: {ACTION_KINDS[result.action].label}{under}; the reason is recorded.")
            self.selection.reload(result.case_id)

        ctx.tasks.run_db(write, done, self.flow.report_failure)
