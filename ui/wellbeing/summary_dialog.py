"""End-of-session summary: the numbers from :class:`SessionSummary`, a thank-you and the support message.

Read-only; Enter or Escape closes it. The support message is a pointer (who to ask), shown in link style
but with no URL behind it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.actions import ACTION_KINDS
from reviewer.durations import DurationStyle, format_duration
from reviewer.wellbeing.summary import SessionSummary, handle_time
from ui.shell.plain import Lines, plain_label, set_rich

THANKS = "Thank you for the work you did today."


def action_label(action: str) -> str:
    kind = ACTION_KINDS.get(action)
    return kind.label if kind else action


def summary_rows(summary: SessionSummary) -> list[tuple[str, str]]:
    """(heading, value) pairs in display order, plain text. The decision figures are the status bar's."""
    figures = summary.figures
    actions = sorted(summary.actions.items(), key=lambda item: (-item[1], action_label(item[0])))
    by_action = "\n".join(f"{action_label(a)}: {n}" for a, n in actions) or "none"
    exposure = summary.exposure
    revealed = (
        f"{format_duration(exposure.seconds, DurationStyle.WORDS)} on screen over {exposure.reveals} "
        f"reveal{'s' if exposure.reveals != 1 else ''}\n{exposure.weighted:.0f} severity-weighted seconds"
    )
    breaks = f"{summary.breaks} break{'s' if summary.breaks != 1 else ''}"
    if summary.breaks:
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(summary.breaks_by_kind.items()))
        breaks += f" ({kinds})\n{format_duration(summary.break_time, DurationStyle.WORDS)} in all"
    return [
        ("Session length", format_duration(summary.duration, DurationStyle.WORDS)),
        ("Cases decided", str(figures.decided)),
        ("Escalated, skipped", f"{figures.escalated} escalated, {figures.skipped} skipped (not decided)"),
        ("Undone", str(figures.undone)),
        ("By action", by_action),
        ("Handle time", handle_time(figures)),
        ("Exposure", revealed),
        ("Breaks taken", breaks),
    ]


class SummaryDialog(QDialog):
    """The session's numbers and the support message; Enter or Escape closes."""

    def __init__(self, summary: SessionSummary, support_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Session summary")
        self.setObjectName("summaryDialog")
        self.summary = summary
        base = QFont(self.font())
        base.setPointSizeF(base.pointSizeF() * 1.2)  # read at the end of a long day: no small print
        self.setFont(base)

        heading = plain_label("Session summary")
        heading.setObjectName("summaryHeading")
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        heading.setFont(font)
        thanks = plain_label(THANKS)
        thanks.setObjectName("summaryThanks")
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.1)
        thanks.setFont(font)

        self.values: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(10)
        bold = QFont(self.font())
        bold.setBold(True)
        for title, text in summary_rows(summary):
            name = plain_label(title)
            name.setFont(bold)
            value = plain_label(text)
            value.setObjectName(f"summary:{title}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            self.values[title] = value
            form.addRow(name, value)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)

        support_heading = plain_label("Support")
        support_heading.setFont(bold)
        self.support_label = QLabel()
        self.support_label.setObjectName("summarySupport")
        self.support_label.setWordWrap(True)
        self.support_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.support_label.setMargin(10)
        self.support_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        set_rich(  # the support text comes from a settings file: escaped like imported text
            self.support_label,
            '<a href="#support" style="text-decoration: none;">{support}</a>',
            support=Lines(support_text.strip()),
        )

        self.close_button = QPushButton("Close (Enter / Esc)")
        self.close_button.setDefault(True)
        self.close_button.setAccessibleName("Close")
        self.close_button.setAccessibleDescription("Close the session summary (Enter or Esc)")
        self.support_label.setAccessibleName("Support")
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 22, 28, 18)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(thanks)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addSpacing(6)
        layout.addWidget(line)
        layout.addWidget(support_heading)
        layout.addWidget(self.support_label)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.close_button.setFocus()
        self.resize(620, 560)

    def value_text(self, title: str) -> str:
        return self.values[title].text()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape):
            self.accept()
            return
        super().keyPressEvent(event)
