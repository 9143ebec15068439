"""The pick state machine: a decision key and a policy pick meet in either order.

"3 then R" and "R then 3" both remove under the third listed section. A key for an action that needs a
policy, with none picked (or a picked one that does not allow it), asks for one in the policy panel,
which then lists only the sections that allow the action; Escape cancels the ask. An action that needs
no policy cites the picked one only if it allows the action (an escalation cites a section that lists
escalation, or none). Which policies an action may cite, and the default for keep, are rules of the
policy pack (``reviewer.policy``); this module only holds the state between the two key presses.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from reviewer.actions import ACTION_KINDS
from reviewer.policy import PolicyPack
from ui.review.policy_panel import PolicyPanel

Commit = Callable[[str, "str | None"], None]


class PickFlow(QObject):
    status = Signal(str)

    def __init__(
        self,
        pack: PolicyPack,
        panel: PolicyPanel,
        commit: Commit,
        focus_back: QWidget,
        parent: QObject | None,
    ) -> None:
        super().__init__(parent)
        self.pack, self.panel, self._commit, self._focus_back = pack, panel, commit, focus_back
        self.picked_code: str | None = None
        self.pending_action: str | None = None
        panel.section_chosen.connect(self.choose_section)
        panel.pick_cancelled.connect(self.cancel)

    def reset(self) -> None:
        """A new case is on screen: nothing picked, nothing pending."""
        self.picked_code = None
        self.cancel()

    def act(self, action: str) -> None:
        """A decision key: commit now, or ask for the policy the action needs."""
        kind = ACTION_KINDS[action]
        code = self.picked_code
        if code is not None and not self.pack.allows(code, action):
            fallback = self.pack.default_policy_for(action)
            instead = (
                f"citing {fallback}"
                if fallback
                else "choose one that does"
                if kind.needs_policy
                else ("citing no policy")
            )
            self.status.emit(f"{code} does not allow “{kind.label}”: {instead}.")
            code = fallback
        elif code is None:
            code = self.pack.default_policy_for(action)
        if kind.needs_policy and code is None:
            if not self.pack.sections_allowing(action):
                self.status.emit(f"No policy in this pack allows “{kind.label}”; nothing was decided.")
                return
            self.pending_action = action
            self.panel.ask_for_pick(kind.label, action)
            self.status.emit(f"{kind.label}: choose a policy (1–9 or ↑/↓ Enter), Esc cancels.")
            return
        self._commit(action, code)

    def pick_number(self, number: int) -> None:
        code = self.panel.quick_pick(number)
        if code is None:
            self.status.emit(f"No policy numbered {number} in the list.")
            return
        self.choose_section(code)

    def choose_section(self, code: str) -> None:
        if self.pending_action is not None:
            action, self.pending_action = self.pending_action, None
            self.panel.end_pick()
            self._focus_back.setFocus()
            self._commit(action, code)
        else:
            self.picked_code = code
            self.panel.select(code)
            self.status.emit(f"Policy {code} selected — now press a decision key.")

    def cancel(self) -> bool:
        """Cancel an asked-for pick; True when there was one (Escape then means cancel, not panic)."""
        pending = self.pending_action is not None
        if pending:
            self.pending_action = None
            self.status.emit("Decision cancelled.")
        self.panel.end_pick()
        return pending
