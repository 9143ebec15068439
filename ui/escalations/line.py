"""The escalation line of the case on screen: which tier, who escalated it and why, who holds it now,
and the tier SLA — one elided line on the case panel, the full text in its tooltip.

The text is the core's (``reviewer.escalations.escalation_line``: every handle, note and tier name made
visible), shown as plain text. It is read on the db-read worker when a case is shown and re-told every
``TICK_MS`` from the same reading, so the countdown moves without a query.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QWidget

from reviewer.escalations import Escalation, escalation_line
from ui.shell.elided import ElidedLabel

TICK_MS = 30_000


class EscalationLine(ElidedLabel):
    """Hidden while the case on screen has no standing escalation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName("escalationLine")
        self.setAccessibleName("Escalation")
        self.setAccessibleDescription("Tier, who escalated the case and why, who holds it, and the tier SLA")
        self.escalation: Escalation | None = None
        self.hide()

    def show_escalation(self, esc: Escalation | None, now: datetime) -> None:
        self.escalation = esc
        self.setVisible(esc is not None)
        self.tick(now)

    def tick(self, now: datetime) -> None:
        """Tell the same escalation again at ``now`` (time ago, lease, SLA left)."""
        if self.escalation is None:
            self.set_full_text("")
            return
        esc = self.escalation.as_of(now)
        self.set_full_text(("OVERDUE · " if esc.overdue else "") + escalation_line(esc))
