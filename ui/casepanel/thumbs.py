"""A row of small thumbnails, one per item of the case, made only from the BLURRED preview.

The sharp image of a :class:`PreparedPreview` is never read here: a thumbnail is always the blurred
still (a video's first storyboard frame), scaled down. Items without media show their kind as text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QWidget

from reviewer.casefile import ItemView
from reviewer.display import visible
from ui.review.preview_cache import PreparedPreview
from ui.shell.plain import plain_label, tooltip

THUMB = 56  # px, the longer side
MAX_THUMBS = 6  # and a "+N": never wider than the narrowest left column


def blurred_still(prepared: PreparedPreview) -> QImage | None:
    """The blurred image a thumbnail is made from (never ``prepared.sharp``)."""
    if prepared.storyboard:
        return prepared.storyboard[0].blurred
    return prepared.blurred if prepared.ok else None


class ThumbStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._layout.addStretch(1)
        # The strip never sets the panel's minimum width: more items than fit are cut, not widened for.
        self._layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.setMinimumWidth(0)
        self.setFixedHeight(THUMB + 4)
        self.thumbs: dict[str, list[QLabel]] = {}  # media sha → its thumbnail labels
        self._labels: list[QLabel] = []

    def show_items(self, items: tuple[ItemView, ...]) -> None:
        for label in self._labels:
            self._layout.removeWidget(label)
            label.deleteLater()
        self._labels, self.thumbs = [], {}
        for n, item in enumerate(items[:MAX_THUMBS], start=1):
            label = plain_label(f"{n}\n{visible(item.kind)[:6]}")
            label.setFixedSize(THUMB, THUMB)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setObjectName("caseThumb")
            label.setStyleSheet("QLabel#caseThumb { border: 1px solid palette(mid); }")
            label.setToolTip(tooltip(f"Item {n}: {visible(item.kind)} (blurred)"))
            self._layout.insertWidget(self._layout.count() - 1, label)
            self._labels.append(label)
            if item.media_sha256:
                self.thumbs.setdefault(item.media_sha256, []).append(label)
        if len(items) > MAX_THUMBS:
            more = plain_label(f"+{len(items) - MAX_THUMBS}")
            self._layout.insertWidget(self._layout.count() - 1, more)
            self._labels.append(more)

    def set_prepared(self, sha: str, prepared: PreparedPreview) -> None:
        image = blurred_still(prepared)
        for label in self.thumbs.get(sha, []):
            if image is None or image.isNull():
                label.setText("⚠")
                continue
            label.setPixmap(
                QPixmap.fromImage(
                    image.scaled(
                        THUMB - 2,
                        THUMB - 2,
                        Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation,
                    )  # fmt: skip
                )
            )
