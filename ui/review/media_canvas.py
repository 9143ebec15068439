"""The media canvas: paints the blurred preview, and the sharp one only while a reveal is active.

Reveal modes: ``hold`` (while a key is held), ``toggle``, and ``spotlight`` (sharp only inside a circle
around the pointer). Panic paints nothing of the content at all.
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QEvent, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPainterPath, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.review.preview_cache import PreparedPreview

AHEAD = 8  # scaled previews kept for the next cases (the selection prefetches 6)
#: Reveal modes that paint the whole sharp image (``zoom``: the original is open over the window).
SHARP_MODES = ("hold", "toggle", "zoom")


def fit_rect(image: QSize, box: QRect) -> QRect:
    if image.isEmpty() or box.isEmpty():
        return QRect()
    scale = min(box.width() / image.width(), box.height() / image.height())
    w, h = max(1, int(image.width() * scale)), max(1, int(image.height() * scale))
    return QRect(box.x() + (box.width() - w) // 2, box.y() + (box.height() - h) // 2, w, h)


class MediaCanvas(QWidget):
    painted = Signal()  # a paint finished (the selection starts its prefetch after the new case's paint)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._prepared: PreparedPreview | None = None
        self._message = ""
        self._reveal: str | None = None
        self._spotlight_radius = 90
        self._pointer: QPointF | None = None
        self._hidden = False
        self._scaled_cache: dict[tuple[int, int, int], QImage] = {}
        # Blurred previews of the next cases, scaled to this canvas before they are shown (issue 17).
        self._ahead: OrderedDict[tuple[int, int, int], QImage] = OrderedDict()
        self._strip: tuple[QImage, ...] = ()
        self._strip_index = 0

    # -- state -------------------------------------------------------------------------------
    def set_preview(self, prepared: PreparedPreview | None, message: str = "") -> None:
        self._prepared, self._message = prepared, message
        self._scaled_cache.clear()
        self.update()

    def prepare_ahead(self, prepared: PreparedPreview) -> bool:
        """Scale the blurred image of a case not shown yet to this canvas's size now, between cases, so
        its paint only draws it. Returns whether it was prepared (a storyboard or a failure is not)."""
        blurred = prepared.blurred
        if not prepared.ok or prepared.storyboard or blurred is None or blurred.isNull():
            return False
        size = fit_rect(blurred.size(), self.rect().adjusted(8, 8, -8, -8)).size()
        key = (blurred.cacheKey(), size.width(), size.height())
        if size.isEmpty() or key in self._ahead or size == blurred.size():
            return False
        self._ahead[key] = blurred.scaled(
            size, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation
        )
        while len(self._ahead) > AHEAD:
            self._ahead.popitem(last=False)
        return True

    def _scaled(self, image: QImage, size: QSize, smooth: bool = True) -> QImage:
        """The image at display size, scaled once and reused until the preview or size changes.

        Blurred images hold no fine detail to alias, so they take the fast scaler; sharp ones the smooth.
        """
        if image.size() == size:
            return image
        key = (image.cacheKey(), size.width(), size.height())
        scaled = self._scaled_cache.get(key)
        if scaled is None and not smooth:
            scaled = self._ahead.pop(key, None)
            if scaled is not None:
                self._scaled_cache[key] = scaled
        if scaled is None:
            if len(self._scaled_cache) > 6:
                self._scaled_cache.clear()
            mode = (
                Qt.TransformationMode.SmoothTransformation
                if smooth
                else Qt.TransformationMode.FastTransformation
            )
            scaled = image.scaled(size, Qt.AspectRatioMode.IgnoreAspectRatio, mode)
            self._scaled_cache[key] = scaled
        return scaled

    def set_strip(self, thumbs: tuple[QImage, ...], index: int = 0) -> None:
        """A storyboard's frames, always blurred, shown as a strip under the current frame."""
        self._strip, self._strip_index = thumbs, index
        self.update()

    def _strip_height(self) -> int:
        return max(48, self.height() // 6) if self._strip else 0

    def set_reveal(self, mode: str | None) -> None:
        self._reveal = mode
        self.update()

    def set_hidden(self, hidden: bool) -> None:
        self._hidden = hidden
        self.update()

    def set_spotlight_radius(self, radius: int) -> None:
        self._spotlight_radius = max(10, radius)
        self.update()

    @property
    def reveal_mode(self) -> str | None:
        return self._reveal

    def has_image(self) -> bool:
        return self._prepared is not None and self._prepared.ok

    def image_rect(self) -> QRect:
        if not self.has_image():
            return QRect()
        assert self._prepared is not None and self._prepared.blurred is not None
        box = self.rect().adjusted(8, 8, -8, -8 - self._strip_height())
        return fit_rect(self._prepared.blurred.size(), box)

    # -- events ------------------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._pointer = event.position()
        if self._reveal == "spotlight":
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._pointer = None
        if self._reveal == "spotlight":
            self.update()
        super().leaveEvent(event)

    def spotlight_center(self) -> QPointF:
        if self._pointer is not None and self.image_rect().contains(self._pointer.toPoint()):
            return self._pointer
        return QPointF(self.image_rect().center())

    def paintEvent(self, event: QPaintEvent) -> None:
        self._paint(event)
        self.painted.emit()

    def _paint(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().window().color().darker(115))
        if self._hidden:
            p.fillRect(self.rect(), QColor(24, 24, 28))
            p.setPen(QColor(200, 200, 200))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Content hidden")
            return
        if not self.has_image():
            p.setPen(self.palette().windowText().color())
            p.drawText(
                self.rect().adjusted(20, 20, -20, -20),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self._message or "No media in this item",
            )
            return
        assert self._prepared is not None  # has_image(): an ok preview, which has both images
        blurred = self._prepared.blurred
        assert blurred is not None
        target = self.image_rect()
        # ``sharp`` only when a reveal paints it: a stored preview's clear image may not be made yet.
        if self._reveal in SHARP_MODES:
            p.drawImage(target.topLeft(), self._scaled(self._sharp(), target.size()))
        else:
            p.drawImage(target.topLeft(), self._scaled(blurred, target.size(), smooth=False))
            if self._reveal == "spotlight":
                sharp = self._sharp()
                path = QPainterPath()
                path.addEllipse(self.spotlight_center(), self._spotlight_radius, self._spotlight_radius)
                p.setClipPath(path)
                p.drawImage(target.topLeft(), self._scaled(sharp, target.size()))
                p.setClipping(False)
                p.setPen(QColor(255, 200, 0))
                p.drawEllipse(self.spotlight_center(), self._spotlight_radius, self._spotlight_radius)
        if self._reveal:
            p.setPen(QColor(255, 200, 0))
            p.drawRect(target.adjusted(0, 0, -1, -1))
        self._paint_strip(p)

    def _sharp(self) -> QImage:
        sharp = self._prepared.sharp if self._prepared is not None else None
        return sharp if sharp is not None else QImage()

    def _paint_strip(self, p: QPainter) -> None:
        if not self._strip:
            return
        h = self._strip_height()
        slot_w = max(1, (self.width() - 16) // len(self._strip))
        for i, thumb in enumerate(self._strip):
            slot = QRect(8 + i * slot_w, self.height() - h - 4, slot_w - 6, h)
            p.drawImage(fit_rect(thumb.size(), slot), thumb)  # thumbnails are never revealed
            if i == self._strip_index:
                p.setPen(QColor(255, 200, 0))
                p.drawRect(slot.adjusted(0, 0, -1, -1))
