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
    if label.buddy() is not None:  # a mnemonic label ("S&ummary") shows no "&": Qt measures it without
        flags |= int(Qt.TextFlag.TextShowMnemonic)
    bounds = metrics.boundingRect(
        QRect(0, 0, room.width() if label.wordWrap() else 100_000, 100_000), flags, text
    )
    return bounds.width() <= room.width() + 1 and bounds.height() <= room.height() + 1


def _fits_its_size_hint(label: QLabel) -> bool:
    """The layout's view: the label's own size hint (margins and indent included) within its size."""
    if label.wordWrap():
        return label.heightForWidth(label.width()) <= label.height()
    hint = label.sizeHint()
    return hint.width() <= label.width() and hint.height() <= label.height()


def _elided_with_tooltip(label: QLabel) -> bool:
    """Cut on purpose: "…" shown and the full text in the tooltip. ``ElidedLabel`` sets its text elided;
    a label under ``ui.accessibility.elide`` keeps its text and paints it elided (decided when painted)."""
    if "…" in label.text() and label.toolTip():
        return True
    if label.property(ELIDED) is not None:
        label.grab()  # paint now: the label decides there what it shows and its tooltip
        return elided_text(label).endswith("…") and bool(label.toolTip())
    return False


def clipped_labels(window: QWidget) -> list[str]:
    """Every visible label whose text is cut without an elide mark and a tooltip with the full text: one
    that fits neither by its text's measured size nor by its size hint counts as cut."""
    bad = []
    for label in window.findChildren(QLabel):
        if not label.isVisibleTo(window) or not label.text() or label.width() <= 0:
            continue
        if not label.pixmap().isNull():
            continue
        if fits(label) and _fits_its_size_hint(label):
            continue
        if _elided_with_tooltip(label):
            continue
        bad.append(
            f"{label.objectName() or type(label.parent()).__name__}: {label.text()[:80]!r} in {label.contentsRect()}"
        )
    return bad
