"""Decodes run in worker processes: same results, killed on timeout, crashes contained, nothing left over."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import av
import pytest
from PIL import Image

from reviewer.media.decode_guard import DecodePool
from reviewer.media.decode_worker import DecodeJob
from reviewer.media.preview import PreviewResult, PreviewSpec, render_preview_bytes
from reviewer.media.storyboard import StoryboardResult
from tests.support import hostile_media as hm
from tests.support.waiting import PROCESS_WAIT_S, wait_for

ROOT = Path(__file__).resolve().parents[3]
SPEC = PreviewSpec()
PATIENT = PROCESS_WAIT_S  # a decode timeout no loaded machine reaches; speed is measured in bench/


@pytest.fixture(scope="module")
def photo() -> bytes:
    return hm.encode(hm.photo_like(1600, 1200, seed=21), "JPEG", quality=90)


def gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists()


def job(kind: str = "image", timeout_s: float = PATIENT, hook: str = "") -> DecodeJob:
    return DecodeJob(kind, SPEC, 96 << 20, timeout_s, 3, hook)


def small_video() -> bytes:
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        for n in range(20):
            im = Image.new("RGB", (160, 120), (n * 12, 0, 0))
            for packet in stream.encode(av.VideoFrame.from_image(im)):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buf.getvalue()


def test_worker_result_equals_in_process(pool: DecodePool, photo: bytes) -> None:
    here = render_preview_bytes(photo, SPEC)
    there = pool.preview(photo, SPEC, timeout_s=PATIENT)
    assert there.ok and here.ok and there.blurred and here.blurred and there.sharp and here.sharp
    assert there.blurred.data == here.blurred.data and there.sharp.data == here.sharp.data
    assert there.source_size == (1600, 1200) and there.source_format == "JPEG"
    bad = pool.preview(b"not an image at all", SPEC, timeout_s=PATIENT)
    assert not bad.ok and bad.reason == "Cannot display: not an image (looks like plain text)"


def test_storyboard_in_a_worker(pool: DecodePool) -> None:
    result = pool.storyboard(
        small_video(), PreviewSpec(max_width=80, max_height=60), frames=3, timeout_s=PATIENT
    )
    assert isinstance(result, StoryboardResult)
    assert result.ok and len(result.frames) == 3 and result.source_size == (160, 120)


def test_sequential_decodes_reuse_one_worker(pool: DecodePool, photo: bytes) -> None:
    for _ in range(3):
        assert pool.preview(photo, SPEC, timeout_s=PATIENT).ok
    assert len(pool.pids()) == 1


@pytest.mark.parametrize("kind", ["image", "video"])
def test_timeout_kills_the_worker(pool: DecodePool, photo: bytes, kind: str) -> None:
    assert pool.preview(photo, SPEC, timeout_s=PATIENT).ok  # a warm worker, the one the next job gets
    (pid,) = pool.pids()
    result = pool.run(job(kind, timeout_s=0.3, hook="sleep"), photo)
    assert not result.ok and "took too long to decode (limit 0.3 s)" in (result.reason or "")
    assert gone(pid), "the decode must not go on behind the placeholder"
    assert pid not in pool.pids()
    assert pool.preview(photo, SPEC, timeout_s=PATIENT).ok  # a fresh worker takes its place


def test_crash_gives_a_placeholder_and_the_pool_recovers(pool: DecodePool, photo: bytes) -> None:
    crashed = pool.run(job(hook="abort"), photo)
    assert isinstance(crashed, PreviewResult)
    assert not crashed.ok and crashed.reason == "Cannot display: the decoder crashed (SIGABRT)"
    assert pool.pids() == []
    video = pool.run(job("video", hook="abort"), photo)
    assert (
        isinstance(video, StoryboardResult)
        and video.reason == "Cannot display: the decoder crashed (SIGABRT)"
    )
    assert pool.preview(photo, SPEC, timeout_s=PATIENT).ok


def test_address_space_is_capped(pool: DecodePool, photo: bytes) -> None:
    assert pool.preview(photo, SPEC, timeout_s=PATIENT).ok
    (pid,) = pool.pids()
    (cap,) = pool.address_space_caps()
    limits = Path(f"/proc/{pid}/limits").read_text()
    line = next(ln for ln in limits.splitlines() if ln.startswith("Max address space"))
    assert line.split()[3:5] == [str(cap), str(cap)]
    result = pool.run(job(hook="allocate"), photo)
    assert not result.ok and result.reason == "Cannot display: out of memory while decoding"
    assert pool.preview(photo, SPEC, timeout_s=PATIENT).ok


def test_no_worker_remains_after_shutdown(photo: bytes) -> None:
    pool = DecodePool(workers=2)
    barrier = threading.Barrier(2)
    results: list[PreviewResult] = []

    def decode() -> None:
        barrier.wait()
        results.append(pool.run(job(hook="sleep", timeout_s=PATIENT), photo))

    threads = [threading.Thread(target=decode) for _ in range(2)]
    for t in threads:
        t.start()
    wait_for(lambda: len(pool.pids()) == 2, "two busy workers")
    pids = pool.pids()
    pool.shutdown()
    for t in threads:
        t.join(PROCESS_WAIT_S)
    assert all(gone(pid) for pid in pids) and pool.pids() == []
    assert [r.ok for r in results] == [False, False]
    assert pool.preview(photo, SPEC).reason == "Cannot display: the decoder is shut down"


PARENT = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, sys.argv[1])
    from reviewer.media.decode_guard import DecodePool
    pool = DecodePool(workers=1)
    assert pool.preview(open(sys.argv[2], "rb").read()).ok
    print(*pool.pids(), flush=True)
    time.sleep(3600)
    """
)


def test_workers_exit_when_the_app_is_killed(tmp_path: Path, photo: bytes) -> None:
    image = tmp_path / "p.jpg"
    image.write_bytes(photo)
    app = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(ROOT), str(image)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert app.stdout
        pids = [int(p) for p in app.stdout.readline().split()]
        assert pids and not any(gone(p) for p in pids)
    finally:
        os.kill(app.pid, signal.SIGKILL)
        app.wait()
        if app.stdout:
            app.stdout.close()
    wait_for(lambda: all(gone(p) for p in pids), "the orphaned worker to exit")


def test_oversized_input_never_reaches_a_worker(pool: DecodePool, monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewer.media import limits

    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    result = pool.preview(b"\xff" * 2000, SPEC)
    assert not result.ok and "file too large" in (result.reason or "")
    assert pool.pids() == []
