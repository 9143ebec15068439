"""Cases are shown from their stored previews: no decode of the original unless asked (zoom); media
stored before the previews existed get theirs on first show, through the worker, once."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from reviewer.demo import DemoSpec, build_demo
from reviewer.media import derived as stored
from reviewer.media.arrival import derive_stored
from reviewer.media.decode_guard import DecodePool
from reviewer.media.decode_worker import DecodeJob
from reviewer.media.derived import Derived
from reviewer.media.preview import PreviewResult, PreviewSpec
from reviewer.media.store import MediaStore
from reviewer.models import Item
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from reviewer.vault.opening import ensure_vault
from tests.support import hostile_media as hm
from tests.support.waiting import UI_WAIT_MS
from ui.review.feature import media_reader, stored_previews
from ui.review.media_canvas import MediaCanvas
from ui.review.preview_cache import PreparedPreview, PreviewCache, from_derived, to_qimage
from ui.shell.context import start_context
from ui.shell.main_window import MainWindow
from ui.shell.tasks import TaskManager

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


class CountingPool(DecodePool):
    """A decode pool that records the kind of every job it runs."""

    def __init__(self) -> None:
        super().__init__(workers=1)
        self.kinds: list[str] = []

    def run(self, job: DecodeJob, data: bytes) -> object:  # type: ignore[override]
        self.kinds.append(job.kind)
        return super().run(job, data)


@pytest.fixture
def store(db: Database) -> MediaStore:
    vault = ensure_vault(db)
    assert vault is not None
    return MediaStore(db.media_dir, vault)


@pytest.fixture
def counted(qtbot: QtBot, db: Database) -> Iterator[tuple[PreviewCache, CountingPool]]:
    tasks = TaskManager()
    pool = CountingPool()
    cache = PreviewCache(tasks, PreviewSpec(), pool=pool, read=media_reader(db), previews=stored_previews(db))
    try:
        yield cache, pool
    finally:
        cache.shutdown()
        tasks.shutdown()


def ask(qtbot: QtBot, cache: PreviewCache, sha: str, path: Path) -> PreparedPreview:
    with qtbot.waitSignal(cache.ready, timeout=UI_WAIT_MS, check_params_cb=lambda s, _p: s == sha) as got:
        cache.request(sha, path)
    prepared = got.args[1]
    assert isinstance(prepared, PreparedPreview)
    return prepared


def stored_jpeg(store: MediaStore, width: int, height: int, seed: int = 0) -> tuple[str, Derived]:
    """A photo-like JPEG put in ``store`` with its previews made (as at arrival): its sha and them."""
    sha = store.put_bytes(hm.encode(hm.photo_like(width, height, seed=seed), "JPEG"))
    maker = DecodePool(workers=1)
    try:
        made = derive_stored(store, sha, maker)
    finally:
        maker.shutdown()
    assert made is not None and made.ok
    return sha, made


def test_a_stored_preview_is_shown_without_decoding_the_original(
    qtbot: QtBot, store: MediaStore, counted: tuple[PreviewCache, CountingPool]
) -> None:
    cache, pool = counted
    sha, _made = stored_jpeg(store, 1200, 900)
    prepared = ask(qtbot, cache, sha, store.path_for(sha))
    assert prepared.ok and prepared.blurred is not None and prepared.sharp is not None
    assert (prepared.blurred.width(), prepared.blurred.height()) == (960, 720)
    assert pool.kinds == [] and pool.pids() == []  # no worker even started
    with qtbot.waitSignal(cache.original_ready, timeout=UI_WAIT_MS) as got:
        cache.request_original(sha, store.path_for(sha))  # zoom: the original, at full size
    original = got.args[1]
    assert pool.kinds == ["image"] and original.ok and original.blurred.width() == 1200


def test_media_stored_before_get_their_previews_on_first_show_once(
    qtbot: QtBot, store: MediaStore, counted: tuple[PreviewCache, CountingPool]
) -> None:
    cache, pool = counted
    sha = store.put_bytes(hm.encode(hm.photo_like(640, 480, seed=3), "PNG"))
    assert not store.has_derived(sha)
    first = ask(qtbot, cache, sha, store.path_for(sha))
    assert first.ok and pool.kinds == ["derive"] and store.has_derived(sha)
    cache.clear()
    again = ask(qtbot, cache, sha, store.path_for(sha))
    assert again.ok and pool.kinds == ["derive"]  # shown from what the first show stored
    assert again.blurred is not None and first.blurred is not None and again.blurred == first.blurred


def test_a_refused_media_shows_its_stored_reason_without_a_decode(
    qtbot: QtBot, store: MediaStore, counted: tuple[PreviewCache, CountingPool]
) -> None:
    cache, pool = counted
    sha = store.put_bytes(hm.png_bomb(60000, 60000))
    reason = "Cannot display: image too large (kept from arrival)"
    store.put_derived(sha, stored.pack(sha, Derived(ok=False, reason=reason)))
    prepared = ask(qtbot, cache, sha, store.path_for(sha))
    assert not prepared.ok and prepared.reason == reason and pool.kinds == []


def test_a_damaged_stored_preview_is_made_again(
    qtbot: QtBot, store: MediaStore, counted: tuple[PreviewCache, CountingPool]
) -> None:
    cache, pool = counted
    sha = store.put_bytes(hm.encode(hm.photo_like(300, 200), "PNG"))
    store.derived_path(sha).write_bytes(b"RWMEDIA" + bytes(100))
    prepared = ask(qtbot, cache, sha, store.path_for(sha))
    assert prepared.ok and pool.kinds == ["derive"]
    assert stored.unpack(sha, store.read_derived(sha) or b"").ok


def test_the_window_shows_cases_from_stored_previews(
    db: Database, pack: PolicyPack, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_demo(db, DemoSpec(cases=12, seed=7, images=4), now=NOW)
    with db.read() as s:
        shas = set(s.execute(select(Item.media_sha256).where(Item.kind == "image")).scalars())
    store = MediaStore(db.media_dir, ensure_vault(db))
    assert shas and all(store.has_derived(sha) for sha in shas if sha)  # made at import
    jobs: list[str] = []
    original_run = DecodePool.run

    def run(self: DecodePool, job: DecodeJob, data: bytes) -> PreviewResult | object:
        jobs.append(job.kind)
        return original_run(self, job, data)

    monkeypatch.setattr(DecodePool, "run", run)
    w = MainWindow(start_context(db, pack, backup=False))
    qtbot.addWidget(w)
    try:
        with qtbot.waitExposed(w):
            w.show()

        def image_shown() -> bool:
            current = w.review.selection.current
            return current is not None and bool(current.media_items()) and w.review.preview.canvas.has_image()

        for _ in range(12):
            qtbot.waitUntil(lambda: w.review.selection.current is not None, timeout=UI_WAIT_MS)
            current = w.review.selection.current
            if current is not None and any(i.kind == "image" for i in current.media_items()):
                break
            w.review.queue.table.selectRow(w.review.queue.table.currentIndex().row() + 1)
        qtbot.waitUntil(image_shown, timeout=UI_WAIT_MS)
        assert "image" not in jobs and "derive" not in jobs  # no original decoded to show it
        shown = w.review.selection.current
        assert shown is not None
        sha = next(i.media_sha256 for i in shown.media_items() if i.kind == "image")
        assert sha is not None and hashlib.sha256(store.read(sha)).hexdigest() == sha
    finally:
        w.shutdown()


def test_only_the_blurred_image_is_decoded_to_paint_and_a_reveal_shows_the_clear_one_at_once(
    qtbot: QtBot, store: MediaStore
) -> None:
    _sha, made = stored_jpeg(store, 1200, 900, seed=5)
    spec = PreviewSpec()
    prepared = from_derived(made, spec)
    assert prepared.sharp_pending is not None  # the clear JPEG is not decoded to show the case
    canvas = MediaCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(980, 740)
    canvas.set_preview(prepared)
    blurred_shot = canvas.grab().toImage()
    assert prepared.sharp_pending is not None  # a blurred paint does not make it either
    canvas.set_reveal("toggle")  # V before a media thread made it: made on the spot
    revealed_shot = canvas.grab().toImage()
    assert prepared.sharp_pending is None and revealed_shot != blurred_shot
    assert prepared.sharp == to_qimage(stored.show_sharp(made, spec))
    assert prepared.nbytes == prepared.blurred.sizeInBytes() + prepared.sharp.sizeInBytes()


def test_the_cache_makes_the_clear_image_right_after_the_blurred_one_is_delivered(
    qtbot: QtBot, store: MediaStore, counted: tuple[PreviewCache, CountingPool]
) -> None:
    cache, _pool = counted
    sha, _made = stored_jpeg(store, 800, 600, seed=9)
    prepared = ask(qtbot, cache, sha, store.path_for(sha))
    qtbot.waitUntil(lambda: prepared.sharp_pending is None, timeout=UI_WAIT_MS)  # nobody asked for it
