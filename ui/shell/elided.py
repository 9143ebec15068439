"""A one-line plain-text label that never grows its panel: it elides with "…" and then shows the full
text in its tooltip.

Its minimum width is small and fixed, so a longer value (a handle, a flag list) never widens the panel
it sits in; the text shown is cut to the width the layout gives it, on every resize.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from ui.shell.plain import make_plain, tooltip

MIN_WIDTH = 40


class ElidedLabel(QLabel):
    """Plain text on one line, elided on the right to fit; the tooltip holds the full text when cut.

    Pass imported values through :func:`reviewer.display.visible` first (one-line form)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        make_plain(self)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._full = ""
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self._full = " ".join(text.splitlines())
        self._elide()

    def full_text(self) -> str:
        return self._full

    def minimumSizeHint(self) -> QSize:
        return QSize(MIN_WIDTH, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 4, super().sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(width, 0))
        super().setText(shown)
        self.setToolTip(tooltip(self._full) if shown != self._full else "")
