"""The zoom key: the shown image's original, decoded at full size on request, in a view of its own.

Cases are shown from small stored previews (``reviewer.media.derived``); the original is decoded only
here, when the reviewer asks (Z). The rules are the reveal's, not new ones:

- Z reveals as V does (``PreviewPane.begin_reveal``: the same warnings and the same confirming second
  press for the most severe items); nothing opens until that reveal happens.
- The zoom is a reveal of its own, mode ``zoom`` (``reviewer.wellbeing.exposure.REVEAL_MODES``): the
  pane ends the reveal before it (reporting its time) and reports the zoom's time when it ends, so the
  zoomed time is revealed time in the exposure ledger, with a reveal record like any other.
- The original is decoded in a decode worker process (``PreviewCache.request_original``: under the
  decode budget and the worker's address-space cap), never in this process: at full size, or at 1/2,
  1/4 or 1/8 of it when full size would exceed the budget (the view says so); the last one is kept while
  its case is shown, so Z again does not decode it again.
- Escape (or Z's view closing in any way) goes back to the case as it was before the zoom: revealed
  again (a V or spotlight reveal, which needs no second confirmation on the same case), or blurred. Whatever ends the zoom reveal — panic, a break, another item or case,
  the window closing — closes the view (``PreviewPane.reveal_finished`` with mode ``zoom``); the view is
  a modal dialog, so the panic key's rule for prompts (ui/wellbeing/panic.py) cancels it like any other.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtGui import QImage, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QDialog, QLabel, QScrollArea, QVBoxLayout, QWidget

from reviewer.display import visible
from ui.commands.spec import ActionSpec
from ui.review.media_canvas import fit_rect
from ui.review.preview_cache import PreparedPreview, PreviewCache
from ui.review.preview_pane import PreviewPane

ZOOM = ActionSpec(
    "view.zoom",
    "Zoom to the original",
    "View",
    description="Full size: F fit, 1 100 %, Esc back",
    needs_case=True,
)
ZOOM_MODE = "zoom"
#: Reveals the view goes back to when it closes (a held peek ends with its key: it is not resumed).
RESUMED = ("toggle", "spotlight")
NOT_AN_IMAGE = "Zoom opens the original of an image; this item has none."
NO_PREVIEW = "Zoom: no image is shown yet (it is loading, or cannot be displayed)."


class _Picture(QWidget):
    """The original, painted fitted to the viewport or at 100 % (only the exposed part is drawn)."""

    def __init__(self) -> None:
        super().__init__()
        self.image = QImage()
        self.actual = False
        self._fitted: tuple[QSize, QImage] | None = None  # the fitted image, scaled once per size

    def set_image(self, image: QImage) -> None:
        self.image, self._fitted = image, None
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return self.image.size() if self.actual and not self.image.isNull() else QSize(1, 1)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.image.isNull():
            return
        p = QPainter(self)
        if self.actual:
            area = event.rect().intersected(QRect(0, 0, self.image.width(), self.image.height()))
            p.drawImage(area.topLeft(), self.image, area)
            return
        target = fit_rect(self.image.size(), self.rect())
        if target.isEmpty():
            return
        if self._fitted is None or self._fitted[0] != target.size():
            scaled = self.image.scaled(
                target.size(), Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
            self._fitted = (target.size(), scaled)
        p.drawImage(target.topLeft(), self._fitted[1])


class ZoomView(QDialog):
    """The original of one image: fit (F) or 100 % (1), Z switches, Escape goes back."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("zoomView")
        self.setWindowTitle("Original (zoom)")
        self.setModal(True)
        self.status = QLabel()
        self.status.setObjectName("zoomStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.picture = _Picture()
        self.picture.setAccessibleName("Original image")
        self.area = QScrollArea()
        self.area.setWidget(self.picture)
        self.area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.area.setAccessibleName("Original image, scrollable")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.status)
        layout.addWidget(self.area, 1)
        self.prepared: PreparedPreview | None = None
        self.set_actual(False)
        self.show_message("Decoding the original at full size…")
        if parent is not None:
            self.resize(parent.window().size())

    @property
    def actual(self) -> bool:
        return self.picture.actual

    def show_message(self, text: str) -> None:
        self.status.setText(text)
        self.picture.set_image(QImage())

    def show_original(self, prepared: PreparedPreview) -> None:
        """The decoded original, or its refusal (``prepared.reason``) in plain words."""
        self.prepared = prepared
        image = prepared.sharp if prepared.ok else None
        if image is None or image.isNull():
            reason = visible(prepared.reason, multiline=True) or "Cannot display this item"
            self.show_message(f"The original cannot be opened. {reason}  (Esc goes back)")
            return
        self.picture.set_image(image)
        self._describe()

    def set_actual(self, actual: bool) -> None:
        """100 % (scroll to see the rest) or fitted to the view."""
        self.picture.actual = actual
        self.area.setWidgetResizable(not actual)
        if actual:
            self.picture.adjustSize()
        self.picture.updateGeometry()
        self.picture.update()
        if not self.picture.image.isNull():
            self._describe()

    def _describe(self) -> None:
        size = self.picture.image.size()
        scale = "100 %" if self.actual else "fitted"
        shown = f"{size.width()}×{size.height()}"
        source = self.prepared.source_size if self.prepared is not None else None
        if source is not None and max(source) > max(size.width(), size.height()):
            # EXIF rotation may swap the sides: compare the longest edges only.
            what = f"Original {source[0]}×{source[1]}, decoded at {shown} (the decode memory budget)"
        else:
            what = f"Original {shown}"
        self.status.setText(f"{what}, {scale}.   F fit · 1 100 % · Z switch · Esc back")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_F:
            self.set_actual(False)
        elif key == Qt.Key.Key_1:
            self.set_actual(True)
        elif key == Qt.Key.Key_Z:
            self.set_actual(not self.actual)
        else:
            super().keyPressEvent(event)  # Escape rejects (the panic module's rule for dialogs)


class Zoom:
    """Runs the zoom key for the review window (see the module docstring)."""

    def __init__(
        self, preview: PreviewPane, cache: PreviewCache, parent: QWidget, flash: Callable[[str], None]
    ) -> None:
        self.preview, self.cache, self.parent, self.flash = preview, cache, parent, flash
        self.view: ZoomView | None = None
        self.decodes = 0  # originals asked of the decode worker (tests and the bench read it)
        self._original: tuple[str, PreparedPreview] | None = None  # the last one, while its case is shown
        self._waiting: str | None = None
        self._back: str | None = None
        self._case: uuid.UUID | None = None
        cache.original_ready.connect(self._on_original)
        preview.reveal_finished.connect(self._on_reveal_finished)

    def open(self) -> None:
        """Z: reveal as V does (mode ``zoom``), then open the original (decoded once, in a worker)."""
        pane = self.preview
        item = pane.current_item
        if self.view is not None or pane.hidden or pane.case is None:
            return
        if item is None or item.kind != "image" or not item.media_sha256 or item.media_path is None:
            self.flash(NOT_AN_IMAGE)
            return
        if not pane.canvas.has_image():
            self.flash(NO_PREVIEW)
            return
        if pane.case.id != self._case:
            self._original, self._case = None, pane.case.id
        before = pane.canvas.reveal_mode
        if not pane.begin_reveal(ZOOM_MODE):
            return  # armed: the warning asks for a confirming second press (V's rule), nothing opens
        self._back = before if before in RESUMED else None
        sha, path = item.media_sha256, item.media_path
        view = ZoomView(self.parent)
        self.view = view
        view.finished.connect(lambda _result, v=view: self._on_closed(v))
        kept = self._original
        if kept is not None and kept[0] == sha:
            view.show_original(kept[1])
        elif self._waiting != sha:
            self._waiting = sha
            self.decodes += 1
            self.cache.request_original(sha, path)
        view.open()

    def close(self) -> None:
        if self.view is not None:
            self.view.reject()

    def _on_original(self, sha: str, prepared: PreparedPreview) -> None:
        if sha != self._waiting:
            return
        self._waiting = None
        item = self.preview.current_item
        if item is None or item.media_sha256 != sha:
            return  # the case moved on while the worker decoded: nothing kept
        self._original = (sha, prepared)
        if self.view is not None:
            self.view.show_original(prepared)

    def _on_reveal_finished(self, _case: object, _item: object, mode: str, _ms: int) -> None:
        if mode == ZOOM_MODE:  # panic, a break, another item or case, the window closing
            self._back = None
            self.close()

    def _on_closed(self, view: ZoomView) -> None:
        if view is not self.view:
            return
        self.view = None
        view.deleteLater()
        self.parent.activateWindow()  # the window's keys again (J, V, the panic key)
        pane = self.preview
        if pane.canvas.reveal_mode != ZOOM_MODE:
            return  # the zoom reveal already ended (and with it any way back)
        back, case, item = self._back, pane.case, pane.current_item
        pane.end_reveal()  # reports the zoom's time
        if back is None:
            return

        def resume() -> None:
            # Later in this turn something may hide the content (the panic key cancels prompts first,
            # then hides): come back revealed only if the same item is still shown, unhidden, blurred.
            if not pane.hidden and pane.case is case and pane.current_item is item and pane.canvas.reveal_mode is None:
                pane.begin_reveal(back)

        QTimer.singleShot(0, resume)
