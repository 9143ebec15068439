"""The label walker: which labels on screen cut their text without saying so.

A label passes when its whole text fits the room the layout gave it (one line, or wrapped lines), or when
it is elided with "…" and carries a tooltip (which holds the full text: ``ui.shell.elided.ElidedLabel``).
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QWidget

from ui.accessibility.elide import ELIDED, elided_text


def fits(label: QLabel) -> bool:
    """Whether ``label`` shows its whole text in the room it has."""
    room = label.contentsRect()
    text = label.text()
    if label.textFormat() == Qt.TextFormat.RichText:
        doc = QTextDocument()
        doc.setDefaultFont(label.font())
        doc.setDocumentMargin(0)
        doc.setHtml(text)
        if label.wordWrap():
            doc.setTextWidth(room.width())
            return doc.size().height() <= room.height() + 1
        return doc.idealWidth() <= room.width() + 1 and doc.size().height() <= room.height() + 1
    metrics = label.fontMetrics()
    flags = int(Qt.TextFlag.TextWordWrap) if label.wordWrap() else 0
    bounds = metrics.boundingRect(
        QRect(0, 0, room.width() if label.wordWrap() else 100_000, 100_000), flags, text
    )
    return bounds.width() <= room.width() + 1 and bounds.height() <= room.height() + 1


def clipped_labels(window: QWidget) -> list[str]:
    """Every visible label whose text is cut without an elide mark and a tooltip with the full text."""
    bad = []
    for label in window.findChildren(QLabel):
        if not label.isVisible() or not label.text() or not label.pixmap().isNull():
            continue
        if fits(label) or ("…" in label.text() and label.toolTip()):
            continue
        if label.property(ELIDED) is not None:  # ui.accessibility.elide paints it elided, tooltip set then
            label.grab()
            if elided_text(label).endswith("…") and label.toolTip():
                continue
        bad.append(
            f"{label.objectName() or type(label.parent()).__name__}: {label.text()[:80]!r} in {label.contentsRect()}"
        )
    return bad
