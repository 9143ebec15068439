"""The preview cache reads media through the store's decrypting reader and decodes them in the worker pool, never blocking."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from reviewer.media.preview import PreviewSpec
from reviewer.media.store import MediaStore
from reviewer.storage.database import Database
from reviewer.vault.opening import ensure_vault
from tests.support import hostile_media as hm
from tests.support.waiting import UI_WAIT_MS
from ui.review.feature import media_reader
from ui.review.preview_cache import PreparedPreview, PreviewCache
from ui.shell.tasks import TaskManager


@pytest.fixture
def cache(qtbot: QtBot) -> Iterator[PreviewCache]:
    tasks = TaskManager()
    c = PreviewCache(tasks, PreviewSpec(max_width=320, max_height=240))
    try:
        yield c
    finally:
        c.shutdown()
        tasks.shutdown()
    assert c.pool.pids() == []


def ask(qtbot: QtBot, cache: PreviewCache, sha: str, path: Path, kind: str = "image") -> PreparedPreview:
    with qtbot.waitSignal(cache.ready, timeout=UI_WAIT_MS, check_params_cb=lambda s, _p: s == sha) as got:
        cache.request(sha, path, kind)
    prepared = got.args[1]
    assert isinstance(prepared, PreparedPreview)
    return prepared


def test_images_are_decoded_by_a_worker_process(qtbot: QtBot, cache: PreviewCache, tmp_path: Path) -> None:
    path = tmp_path / "a.jpg"
    path.write_bytes(hm.encode(hm.photo_like(640, 480), "JPEG"))
    prepared = ask(qtbot, cache, "a", path)
    assert prepared.ok and prepared.blurred is not None and prepared.blurred.width() == 320
    assert len(cache.pool.pids()) == 1 and os.getpid() not in cache.pool.pids()


def test_unreadable_media_never_reach_a_worker(qtbot: QtBot, cache: PreviewCache, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)  # reading it would block the media thread for ever
    assert ask(qtbot, cache, "f", fifo).reason == "Cannot display: not a regular file"
    assert ask(qtbot, cache, "m", tmp_path / "missing.jpg").reason == "Cannot display: file not found"
    assert cache.pool.pids() == []


def test_media_are_read_decrypted_through_the_store_and_checked(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    """The window's reader: sealed files are decrypted for the decoder; a damaged one is a placeholder."""
    store = MediaStore(db.media_dir, ensure_vault(db))
    source = tmp_path / "photo.png"
    source.write_bytes(hm.encode(hm.photo_like(200, 100), "PNG"))
    sha = store.put_file(source)
    sealed = store.path_for(sha)
    assert sealed.read_bytes() != source.read_bytes()  # what lies on disk is not the image
    tasks = TaskManager()
    cache = PreviewCache(tasks, PreviewSpec(max_width=320, max_height=240), read=media_reader(db))
    try:
        prepared = ask(qtbot, cache, sha, sealed)
        assert prepared.ok and prepared.blurred is not None and prepared.blurred.width() == 200
        damaged = bytearray(sealed.read_bytes())
        damaged[-5] ^= 0x01
        sealed.write_bytes(bytes(damaged))
        cache.clear()
        prepared = ask(qtbot, cache, sha, sealed)
        assert not prepared.ok and prepared.reason and "failed its integrity check" in prepared.reason
    finally:
        cache.shutdown()
        tasks.shutdown()


def test_a_budget_case_is_a_placeholder_with_its_reason(
    qtbot: QtBot, cache: PreviewCache, tmp_path_factory: pytest.TempPathFactory
) -> None:
    cases = hm.shared_budget_cases(tmp_path_factory)
    video = ask(qtbot, cache, "v", cases["h264_8000x8000.mp4"].path, "video")
    assert not video.ok and video.reason and "8000 × 8000 would need" in video.reason
    image = ask(qtbot, cache, "i", cases["rgb_10000x10000.png"].path)
    assert not image.ok and image.reason and "10000 × 10000 would need" in image.reason


def test_evicted_pixels_are_given_back_after_a_burst(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past its budget the cache drops the oldest previews; once the burst of stores is over, the freed
    memory is given back (``reviewer.memory.release_free_memory``) on the media thread, not the UI's."""
    import threading

    from ui.review import preview_cache

    trims: list[str] = []
    monkeypatch.setattr(
        preview_cache, "release_free_memory", lambda: trims.append(threading.current_thread().name)
    )
    tasks = TaskManager()
    small = PreviewCache(tasks, PreviewSpec(max_width=320, max_height=240), budget_bytes=1)
    try:
        for name in ("a", "b"):
            path = tmp_path / f"{name}.jpg"
            path.write_bytes(hm.encode(hm.photo_like(640, 480), "JPEG"))
            ask(qtbot, small, name, path)
        qtbot.waitUntil(lambda: len(trims) >= 1, timeout=UI_WAIT_MS)
        assert list(small._items) == ["b"]  # "a" was evicted
        assert threading.main_thread().name not in trims
    finally:
        small.shutdown()
        tasks.shutdown()
