"""The zoom key (Z): the shown image's original decoded at full size in a worker, once; shown fitted or at
100 %; Escape goes back; panic hides it; its time is a reveal; a damaged original says so and nothing
breaks."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from reviewer.demo import DemoSpec, build_demo
from reviewer.media.budget import over_budget_reason
from reviewer.media.decode_guard import DecodePool
from reviewer.media.decode_worker import DecodeJob
from reviewer.media.preview import PreviewResult, PreviewSpec, render_preview_bytes
from reviewer.media.store import MediaStore
from reviewer.models import RevealEvent
from reviewer.storage.database import Database
from reviewer.vault.opening import ensure_vault
from tests.support import hostile_media as hm
from tests.support.waiting import UI_WAIT_MS
from tests.support.windows import open_window
from ui.review.preview_cache import PreparedPreview, prepare_original
from ui.review.zoom import ZOOM, ZoomView
from ui.shell.main_window import MainWindow


@pytest.fixture
def window(db: Database, pack, qtbot: QtBot) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    build_demo(db, DemoSpec(cases=30, seed=5, images=6))
    w = open_window(db, pack, qtbot)
    yield w
    w.shutdown()


def _key(qtbot: QtBot, w: MainWindow, key: Qt.Key) -> None:
    qtbot.keyClick(w.focusWidget() or w, key)


def _go_to_image(w: MainWindow, qtbot: QtBot, *, confirm: bool = False) -> str:
    """Move to a case whose shown item is an image (needing a confirming press or not); its sha256."""
    for _ in range(60):
        item = w.review.preview.current_item
        if item is not None and item.kind == "image" and w.review.preview.needs_confirmation() == confirm:
            qtbot.waitUntil(w.review.preview.canvas.has_image, timeout=UI_WAIT_MS)
            assert item.media_sha256 is not None
            return item.media_sha256
        current = w.review.selection.current
        _key(qtbot, w, Qt.Key.Key_J)
        qtbot.waitUntil(lambda before=current: w.review.selection.current not in (None, before), timeout=UI_WAIT_MS)
    raise AssertionError("no suitable image case in the demo queue")


def _open_zoom(w: MainWindow, qtbot: QtBot) -> ZoomView:
    _key(qtbot, w, Qt.Key.Key_Z)
    view = w.review.zoom.view
    assert view is not None and view.isVisible()
    qtbot.waitUntil(lambda: view.prepared is not None, timeout=UI_WAIT_MS)
    return view


def _reveals(db: Database, mode: str) -> list[int]:
    with db.read() as s:
        return list(s.execute(select(RevealEvent.duration_ms).where(RevealEvent.mode == mode)).scalars())


def _settle() -> None:
    """Run what the event loop has queued (the zoom's way back is posted to the next turn)."""
    QCoreApplication.sendPostedEvents()
    QCoreApplication.processEvents()


def test_z_is_bound_and_listed_like_every_action(window: MainWindow) -> None:
    assert window.registry.keymap.keys(ZOOM.id) == ("Z",)


def test_zoom_decodes_the_original_once_shows_it_and_escape_goes_back(
    window: MainWindow, qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = window
    sha = _go_to_image(w, qtbot)
    store = MediaStore(db.media_dir, ensure_vault(db))
    with Image.open(io.BytesIO(store.read(sha))) as original:
        size = original.size
    jobs: list[str] = []
    run = DecodePool.run

    def counted(self: DecodePool, job: DecodeJob, data: bytes) -> object:
        jobs.append(job.kind)
        return run(self, job, data)

    monkeypatch.setattr(DecodePool, "run", counted)
    _key(qtbot, w, Qt.Key.Key_V)
    assert w.review.preview.canvas.reveal_mode == "toggle"
    view = _open_zoom(w, qtbot)
    assert w.review.zoom.decodes == 1 and w.review.preview.canvas.reveal_mode == "zoom"
    assert jobs == ["image"]  # the original, in a decode worker
    assert view.prepared is not None and view.prepared.ok
    assert (view.picture.image.width(), view.picture.image.height()) == size  # the original's own size
    qtbot.keyClick(view, Qt.Key.Key_1)  # 100 %: the picture is the original's size, scrollable
    assert view.actual and view.picture.size() == view.picture.image.size()
    qtbot.keyClick(view, Qt.Key.Key_F)
    assert not view.actual
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert w.review.zoom.view is None and not view.isVisible()
    qtbot.waitUntil(lambda: w.review.preview.canvas.reveal_mode == "toggle", timeout=UI_WAIT_MS)
    again = _open_zoom(w, qtbot)  # the same case: the original kept, not decoded again
    assert w.review.zoom.decodes == 1 and jobs == ["image"]
    assert again.picture.image.size() == view.picture.image.size()
    qtbot.keyClick(again, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: w.review.preview.canvas.reveal_mode == "toggle", timeout=UI_WAIT_MS)
    _key(qtbot, w, Qt.Key.Key_V)
    # Exposure: each zoom is a reveal of its own (between the V reveals around it).
    qtbot.waitUntil(lambda: len(_reveals(db, "zoom")) == 2 and len(_reveals(db, "toggle")) == 3, timeout=UI_WAIT_MS)
    assert all(ms >= 0 for ms in _reveals(db, "zoom"))


def test_z_on_a_blurred_image_asks_the_same_confirmation_as_v(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    _go_to_image(w, qtbot, confirm=True)
    _key(qtbot, w, Qt.Key.Key_Z)  # the first press only arms, as V's does
    assert w.review.zoom.view is None and w.review.zoom.decodes == 0
    assert w.review.preview.canvas.reveal_mode is None and "confirm" in w.review.preview.warning.text()
    view = _open_zoom(w, qtbot)
    assert w.review.preview.canvas.reveal_mode == "zoom" and w.review.zoom.decodes == 1
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    _settle()
    assert w.review.preview.canvas.reveal_mode is None  # opened from blurred: back to blurred


def test_panic_hides_the_zoom_and_restores_blurred(window: MainWindow, qtbot: QtBot, db: Database) -> None:
    w = window
    _go_to_image(w, qtbot)
    _key(qtbot, w, Qt.Key.Key_V)
    view = _open_zoom(w, qtbot)
    qtbot.keyClick(view, Qt.Key.Key_F12)  # the panic key, pressed in the zoom view
    assert not view.isVisible() and w.review.zoom.view is None
    assert w.review.preview.hidden and w.review.preview.canvas.reveal_mode is None
    _settle()
    assert w.review.preview.canvas.reveal_mode is None  # no way back into a reveal behind the panic
    qtbot.waitUntil(lambda: len(_reveals(db, "zoom")) == 1, timeout=UI_WAIT_MS)
    _key(qtbot, w, Qt.Key.Key_F12)
    assert not w.review.preview.hidden and w.review.preview.canvas.reveal_mode is None


def test_moving_on_closes_the_zoom(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    _go_to_image(w, qtbot)
    _key(qtbot, w, Qt.Key.Key_V)
    view = _open_zoom(w, qtbot)
    case = w.review.selection.current
    w.review.selection.step(1)  # what J does (the view, being modal, holds the keys meanwhile)
    qtbot.waitUntil(lambda: w.review.selection.current not in (None, case), timeout=UI_WAIT_MS)
    assert not view.isVisible() and w.review.zoom.view is None
    _settle()
    assert w.review.preview.canvas.reveal_mode is None


def test_a_damaged_original_says_so_and_nothing_breaks(window: MainWindow, qtbot: QtBot, db: Database) -> None:
    w = window
    sha = _go_to_image(w, qtbot)
    path = MediaStore(db.media_dir, ensure_vault(db)).path_for(sha)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # the sealed original no longer authenticates
    path.write_bytes(bytes(data))
    _key(qtbot, w, Qt.Key.Key_V)
    view = _open_zoom(w, qtbot)
    assert view.prepared is not None and not view.prepared.ok
    assert "cannot be opened" in view.status.text() and "integrity" in view.status.text()
    assert view.picture.image.isNull()
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: w.review.preview.canvas.reveal_mode == "toggle", timeout=UI_WAIT_MS)
    assert w.review.preview.canvas.has_image()  # the case still shows from its stored preview
    case = w.review.selection.current
    _key(qtbot, w, Qt.Key.Key_J)
    qtbot.waitUntil(lambda: w.review.selection.current not in (None, case), timeout=UI_WAIT_MS)


class BudgetPool:
    """Stands in for ``DecodePool.preview``: refuses boxes over ``fits`` as the worker refuses a decode
    over the budget (from the header, before any pixel), and renders the rest in process."""

    def __init__(self, fits: int) -> None:
        self.fits, self.boxes = fits, []

    def preview(self, data: bytes, spec: PreviewSpec, timeout_s: float) -> PreviewResult:
        self.boxes.append(spec.max_width)
        if spec.max_width > self.fits:
            reason = "Cannot display: " + over_budget_reason((4000, 3000), 150 << 20, 96 << 20)
            return PreviewResult(False, None, None, reason, (4000, 3000), "JPEG", 1, 0.0, over_budget=True)
        return render_preview_bytes(data, spec)


def test_an_original_over_the_decode_budget_at_full_size_is_decoded_at_the_largest_scale_that_fits(
    tmp_path: Path,
) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(hm.encode(hm.photo_like(1200, 900), "JPEG"))
    pool = BudgetPool(fits=1000)
    got = prepare_original("sha", path, PreviewSpec(), pool)  # type: ignore[arg-type]
    assert pool.boxes == [8192, 2000, 1000]  # full size, then 1/2, 1/4 of the declared 4000 × 3000
    assert got.ok and got.sharp is not None and (got.sharp.width(), got.sharp.height()) == (1000, 750)
    assert got.source_size == (1200, 900)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff" + bytes(200))
    pool = BudgetPool(fits=10_000)
    failed = prepare_original("sha", broken, PreviewSpec(), pool)  # type: ignore[arg-type]
    assert not failed.ok and failed.reason and pool.boxes == [8192]  # not over budget: not tried again


def test_the_view_says_when_the_original_was_decoded_smaller_than_it_is(qtbot: QtBot) -> None:
    view = ZoomView()
    qtbot.addWidget(view)
    image = QImage(200, 150, QImage.Format.Format_Grayscale8)
    image.fill(128)
    view.show_original(PreparedPreview(True, image, image, None, 1, image.sizeInBytes(), source_size=(800, 600)))
    assert view.status.text().startswith("Original 800×600, decoded at 200×150 (the decode memory budget)")
    view.show_original(PreparedPreview(True, image, image, None, 1, image.sizeInBytes(), source_size=(200, 150)))
    assert view.status.text().startswith("Original 200×150, fitted")
