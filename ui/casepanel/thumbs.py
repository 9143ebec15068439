"""A row of small thumbnails, one per item of the case, made only from the BLURRED preview.

The sharp image of a :class:`PreparedPreview` is never read here: a thumbnail is always the blurred
still (a video's first storyboard frame), scaled down. Items without media show their kind as text.
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QWidget

from reviewer.casefile import ItemView
from reviewer.display import visible
from ui.review.preview_cache import PreparedPreview
from ui.shell.plain import plain_label, tooltip

THUMB = 56  # px, the longer side
MAX_THUMBS = 6  # and a "+N": never wider than the narrowest left column
KEEP = 48  # thumbnails kept (made ahead for the next cases, reused when a case is shown again)


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
        self._made: OrderedDict[int, QPixmap] = OrderedDict()  # blurred image's cacheKey → thumbnail

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
        """Show the item's thumbnail; for an item of a case not shown yet, make it now (between cases)."""
        image = blurred_still(prepared)
        labels = self.thumbs.get(sha, [])
        if not labels:
            if image is not None and not image.isNull():
                self.thumbnail(image)
            return
        for label in labels:
            if image is None or image.isNull():
                label.setText("⚠")
                continue
            label.setPixmap(self.thumbnail(image))

    def thumbnail(self, image: QImage) -> QPixmap:
        """The thumbnail of a blurred image, made once (ahead, for a case not shown yet) and reused."""
        key = image.cacheKey()
        made = self._made.get(key)
        if made is not None:
            self._made.move_to_end(key)
            return made
        made = QPixmap.fromImage(
            image.scaled(
                THUMB - 2,
                THUMB - 2,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )  # fmt: skip
        )
        self._made[key] = made
        while len(self._made) > KEEP:
            self._made.popitem(last=False)
        return made
