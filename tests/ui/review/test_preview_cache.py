"""The preview cache reads media through read_media and decodes them in the worker pool, never blocking."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from reviewer.media.preview import PreviewSpec
from tests.support import hostile_media as hm
from tests.support.waiting import UI_WAIT_MS
from ui.review import preview_cache
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


def test_media_are_read_through_read_media(
    qtbot: QtBot, cache: PreviewCache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one reader the at-rest encryption swaps: what it returns is what gets decoded."""
    stored = tmp_path / "stored.bin"
    stored.write_bytes(b"ciphertext, not an image")
    image = hm.encode(hm.photo_like(200, 100), "PNG")
    monkeypatch.setattr(preview_cache, "read_media", lambda path: image if path == stored else b"")
    prepared = ask(qtbot, cache, "s", stored)
    assert prepared.ok and prepared.blurred is not None and prepared.blurred.width() == 200


def test_a_budget_case_is_a_placeholder_with_its_reason(
    qtbot: QtBot, cache: PreviewCache, tmp_path_factory: pytest.TempPathFactory
) -> None:
    cases = hm.shared_budget_cases(tmp_path_factory)
    video = ask(qtbot, cache, "v", cases["h264_8000x8000.mp4"].path, "video")
    assert not video.ok and video.reason and "8000 × 8000 would need" in video.reason
    image = ask(qtbot, cache, "i", cases["rgb_10000x10000.png"].path)
    assert not image.ok and image.reason and "10000 × 10000 would need" in image.reason
