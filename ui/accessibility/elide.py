"""One-line labels that may shrink below their text: the text is painted elided ("…") and the full text
goes to the tooltip, so at a large font nothing is cut without a mark and a way to read it all.

Used for the status bar's labels (``Frame.add_status``), which would otherwise make the window's minimum
width the sum of their texts (over 1300 px at 200 % font). ``label.text()`` stays the full text: only the
painting changes, so whoever owns the label keeps setting and reading it as before. A tooltip the owner
set itself is left alone.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QSizePolicy

from ui.shell.plain import tooltip

#: Dynamic property holding the text as painted ("" when the whole text shows).
ELIDED = "elidedText"
_OWN_TOOLTIP = "elideSetTooltip"
MIN_CHARS = 6  # the narrowest a shrinking label gets: about this many average characters


class _Elider(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QLabel) and event.type() == QEvent.Type.Paint:
            _paint(watched)
            return True
        return False


def _paint(label: QLabel) -> None:
    rect = label.contentsRect().adjusted(label.margin(), 0, -label.margin(), 0)
    shown = label.fontMetrics().elidedText(label.text(), Qt.TextElideMode.ElideRight, rect.width())
    elided = shown != label.text()
    label.setProperty(ELIDED, shown if elided else "")
    owns = bool(label.property(_OWN_TOOLTIP))
    if elided and (owns or not label.toolTip()):
        label.setToolTip(tooltip(label.text()))
        label.setProperty(_OWN_TOOLTIP, True)
    elif not elided and owns:
        label.setToolTip("")
        label.setProperty(_OWN_TOOLTIP, False)
    painter = QPainter(label)
    label.style().drawItemText(
        painter,
        rect,
        int(label.alignment()),
        label.palette(),
        label.isEnabled(),
        shown,
        label.foregroundRole(),
    )
    painter.end()


def elide_when_short(label: QLabel) -> QLabel:
    """Let one-line ``label`` shrink to a few characters, painting its text elided with a tooltip."""
    label.setMinimumWidth(label.fontMetrics().averageCharWidth() * MIN_CHARS)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, label.sizePolicy().verticalPolicy())
    label.setWordWrap(False)
    label.installEventFilter(_Elider(label))  # owned by the label: lives and dies with it
    label.setProperty(ELIDED, "")
    return label


def elided_text(label: QLabel) -> str:
    """What ``label`` shows when :func:`elide_when_short` elided it ('' when its whole text shows)."""
    return str(label.property(ELIDED) or "")
