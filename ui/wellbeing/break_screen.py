"""The break page: shown in place of the whole review area while a break runs. Calm, text only, no images.

It shows why the break started, a countdown, what to do, the support message and which key ends the break.
It keeps no clock of its own: the owner calls :meth:`BreakScreen.set_remaining` from its timer and
:meth:`BreakScreen.set_can_end` once an enforced break may end. Enter emits :attr:`BreakScreen.end_requested`
only while ending is allowed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from reviewer.display import visible
from reviewer.durations import DurationStyle, format_duration
from ui.shell.plain import plain_label

REASONS: dict[str, str] = {
    "hour_cap": "Hourly exposure limit reached",
    "day_cap": "Day's exposure limit reached — review is over for today",
    "reminder": "Break reminder",
    "voluntary": "Voluntary break",
}
WHAT_TO_DO = "Stand up, look away from the screen, breathe."
CAN_END_HINT = "Enter — end break"
WAIT_HINT = "Enter ends the break when the countdown reaches zero"

_STYLE = """
#breakScreen { background: #27323a; }
#breakScreen QLabel { color: #e4ebe8; background: transparent; }
#breakScreen QLabel#breakCountdown { color: #ffffff; }
#breakScreen QLabel#breakSupport { color: #c2d0cb; }
#breakScreen QLabel#breakKeys { color: #9fd8c2; }
"""


def reason_text(kind: str, reason: str) -> str:
    """The sentence at the top of the break screen for a scheduler ``reason`` (or ``kind``)."""
    return REASONS.get(reason) or REASONS.get(kind) or reason or "Break"


def _label(name: str, scale: float, *, bold: bool = False) -> QLabel:
    label = plain_label()
    label.setObjectName(name)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(bold)
    label.setFont(font)
    return label


class BreakScreen(QWidget):
    """Full-window break page. Call :meth:`show_break` when a break starts."""

    end_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("breakScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(_STYLE)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.kind = ""
        self.reason = ""
        self.until: datetime | None = None
        self.can_end = False
        self.remaining: int | None = None

        self.reason_label = _label("breakReason", 2.0, bold=True)
        self.countdown_label = _label("breakCountdown", 3.6, bold=True)
        self.until_label = _label("breakUntil", 1.2)
        self.todo_label = _label("breakTodo", 1.6)
        self.todo_label.setText(WHAT_TO_DO)
        self.support_label = _label("breakSupport", 1.25)
        self.keys_label = _label("breakKeys", 1.4, bold=True)

        body = QWidget()  # a column of bounded width, so long text wraps to a comfortable measure
        body.setObjectName("breakBody")
        body.setMaximumWidth(760)
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(18)
        column.addWidget(self.reason_label)
        column.addWidget(self.countdown_label)
        column.addWidget(self.until_label)
        column.addSpacing(12)
        column.addWidget(self.todo_label)
        column.addSpacing(12)
        column.addWidget(self.support_label)
        column.addSpacing(24)
        column.addWidget(self.keys_label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(body, 100)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 32, 48, 32)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(1)

    def show_break(
        self,
        kind: str,
        reason: str,
        until: datetime | None,
        support_text: str,
        *,
        now: datetime | None = None,
    ) -> None:
        """Fill the page for a break of ``kind`` (reminder, enforced, voluntary) with scheduler ``reason``.

        The countdown starts from ``until - now`` (``now`` defaults to the wall clock); reminder and
        voluntary breaks can be ended at once, enforced ones only after :meth:`set_can_end`.
        """
        self.kind, self.reason, self.until = kind, reason, until
        self.reason_label.setText(reason_text(kind, reason))
        self.support_label.setText(visible(support_text.strip(), multiline=True))  # from a settings file
        self.support_label.setVisible(bool(support_text.strip()))
        if until is None:
            self.until_label.clear()
            self.set_remaining(None)
        else:
            stamp = until.astimezone(UTC) if until.tzinfo else until
            self.until_label.setText(f"until {stamp:%H:%M} UTC")
            current = now or datetime.now(until.tzinfo)
            self.set_remaining(max(0, round((until - current).total_seconds())))
        self.set_can_end(kind in ("reminder", "voluntary"))

    def set_remaining(self, seconds: int | None) -> None:
        """Seconds left (None hides the countdown)."""
        self.remaining = None if seconds is None else max(0, int(seconds))
        if self.remaining is None:
            self.countdown_label.clear()
            self.countdown_label.hide()
            self.until_label.hide()
            return
        self.countdown_label.show()
        self.until_label.setVisible(bool(self.until_label.text()))
        if self.remaining == 0:
            self.countdown_label.setText("Break time is over")
        else:
            lead = "Review resumes in" if self.reason == "day_cap" else "Back in"
            self.countdown_label.setText(f"{lead} {format_duration(self.remaining, DurationStyle.CLOCK)}")

    def set_can_end(self, can_end: bool) -> None:
        """Whether Enter may end the break now (the key hint follows)."""
        self.can_end = can_end
        self.keys_label.setText(CAN_END_HINT if can_end else WAIT_HINT)

    def countdown_text(self) -> str:
        return self.countdown_label.text() if not self.countdown_label.isHidden() else ""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.can_end:
                self.end_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)
