from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

from reviewer.demo import DemoSpec, write_demo_source
from reviewer.media.preview import PreviewSpec
from reviewer.media.storyboard import storyboard

SPEC = PreviewSpec(max_width=120, max_height=90, blur_px=6, greyscale=True)


def _video(
    path: Path,
    *,
    seconds: float = 2.0,
    fps: int = 10,
    size: tuple[int, int] = (160, 120),
    codec: str = "mpeg4",
    audio: bool = False,
    container: str = "mp4",
) -> Path:
    """A moving white square on black; frame ``n`` is drawn at x = 10 + 5n."""
    w, h = size
    with av.open(str(path), "w", format=container) as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.gop_size = fps  # a keyframe each second, so seeking has work to do
        a_stream = None
        if audio:
            a_stream = out.add_stream("aac", rate=44100)
            a_stream.layout = "mono"
        for n in range(round(seconds * fps)):
            im = Image.new("RGB", size, "black")
            x = (10 + 5 * n) % (w - 20)
            ImageDraw.Draw(im).rectangle((x, 40, x + 20, 60), fill="white")
            for packet in stream.encode(av.VideoFrame.from_image(im)):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
        if a_stream is not None:
            samples = int(seconds * 44100)
            tone = (0.3 * np.sin(np.arange(samples) * 2 * np.pi * 440 / 44100)).astype(np.float32)
            for start in range(0, samples, 1024):
                chunk = tone[start : start + 1024].reshape(1, -1)
                frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
                frame.sample_rate = 44100
                frame.pts = start
                frame.time_base = Fraction(1, 44100)
                for packet in a_stream.encode(frame):
                    out.mux(packet)
            for packet in a_stream.encode():
                out.mux(packet)
    return path


def test_evenly_spaced_blurred_greyscale_frames(tmp_path: Path) -> None:
    result = storyboard(_video(tmp_path / "v.mp4"), SPEC, frames=4)
    assert result.ok, result.reason
    assert result.reason is None
    assert result.duration_s == pytest.approx(2.0, abs=0.15)
    assert len(result.frames) == 4
    times = [f.t_s for f in result.frames]
    assert times == sorted(times)
    for got, want in zip(times, (0.25, 0.75, 1.25, 1.75), strict=True):
        assert got == pytest.approx(want, abs=0.11)  # within one frame (10 fps)
    for frame in result.frames:
        assert frame.sharp.mode == "L" and frame.blurred.mode == "L"
        assert (frame.sharp.width, frame.sharp.height) == (120, 90)
        assert len(frame.sharp.data) == 120 * 90
        assert frame.blurred.data != frame.sharp.data
    assert result.frames[0].sharp.data != result.frames[-1].sharp.data  # the square moved


def test_colour_mode_and_no_upscaling(tmp_path: Path) -> None:
    spec = PreviewSpec(max_width=960, max_height=720, blur_px=0, greyscale=False)
    result = storyboard(_video(tmp_path / "v.mp4"), spec, frames=2)
    assert result.ok and result.source_size == (160, 120)
    frame = result.frames[0]
    assert (frame.sharp.mode, frame.sharp.width, frame.sharp.height) == ("RGB", 160, 120)


def test_audio_is_ignored(tmp_path: Path) -> None:
    path = _video(tmp_path / "a.mp4", audio=True)
    with av.open(str(path)) as c:
        assert len(c.streams.audio) == 1 and len(c.streams.video) == 1
    result = storyboard(path, SPEC, frames=3)
    assert result.ok and len(result.frames) == 3


def test_h264_in_matroska_if_available(tmp_path: Path) -> None:
    if "libx264" not in av.codecs_available:
        pytest.skip("libx264 encoder not in this PyAV build")
    result = storyboard(_video(tmp_path / "v.mkv", codec="libx264", container="matroska"), SPEC, frames=5)
    assert result.ok and len(result.frames) == 5 and result.codec == "h264"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"hello, this is not a video at all\n" * 20, "Cannot display: not a video (looks like plain text)"),
        (b"", "Cannot display: empty file"),
        (b"\x00\x01\x02\x03" * 100, "Cannot display: not a video"),
    ],
)
def test_not_a_video(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "fake.mp4"
    path.write_bytes(content)
    result = storyboard(path, SPEC)
    assert not result.ok and result.reason == reason and result.frames == []


def test_image_renamed_mp4_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photo.mp4"
    Image.new("RGB", (32, 32), "red").save(path, "JPEG")
    result = storyboard(path, SPEC)
    assert not result.ok and result.reason == "Cannot display: not a video (looks like an image (JPEG))"


def test_truncated_video(tmp_path: Path) -> None:
    data = _video(tmp_path / "v.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) * 2 // 3])
    result = storyboard(cut, SPEC)
    assert not result.ok and result.reason == "Cannot display: video is corrupt or truncated"


def test_truncated_stream_without_index_shows_what_it_can(tmp_path: Path) -> None:
    data = _video(tmp_path / "v.mkv", container="matroska", seconds=3).read_bytes()
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(data[: len(data) // 2])
    result = storyboard(cut, SPEC, frames=6)
    assert result.ok and 1 <= len(result.frames) < 6  # the frames that exist, no repeats
    assert result.reason is not None and "ends before its stated length" in result.reason


def test_garbage_after_a_valid_header(tmp_path: Path) -> None:
    data = bytearray(_video(tmp_path / "v.mp4").read_bytes())
    rng = random.Random(1)
    for i in range(200, len(data) - 200, 7):
        data[i] = rng.randrange(256)
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(bytes(data))
    result = storyboard(bad, SPEC)
    assert result.ok or result.reason and result.reason.startswith("Cannot display: ")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert storyboard(tmp_path / "nope.mp4", SPEC).reason == "Cannot display: file not found"
    assert storyboard(tmp_path, SPEC).reason == "Cannot display: not a regular file"


class _SlowClock:
    """Stands in for the ``time`` module in storyboard: each reading is 20 ms after the last, so the
    deadline passes after a few steps of work however fast or loaded the machine is."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        self.now += 0.02
        return self.now


def test_timeout_is_respected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import reviewer.media.storyboard as module

    path = _video(tmp_path / "v.mp4", seconds=4)
    monkeypatch.setattr(module, "time", _SlowClock())
    result = storyboard(path, SPEC, frames=24, timeout_s=0.1)
    assert len(result.frames) < 24
    if result.ok:
        assert result.reason is not None and "stopped early (took too long)" in result.reason
    else:
        assert result.reason == "Cannot display: video took too long to decode"


def test_ten_second_clip_gives_six_frames(tmp_path: Path) -> None:
    path = _video(tmp_path / "ten.mp4", seconds=10, fps=25, size=(640, 480))
    result = storyboard(path, PreviewSpec(), frames=6)
    assert result.ok and len(result.frames) == 6


def test_demo_clips_storyboard(tmp_path: Path) -> None:
    spec = DemoSpec(cases=200, seed=3, images=6)
    source = write_demo_source(tmp_path, spec, datetime(2026, 11, 29, 12, tzinfo=UTC))
    clips = sorted((tmp_path / "media").glob("clip-*.mp4"))
    assert len(clips) == spec.videos
    cases = [json.loads(line) for line in source.read_text().splitlines()]
    with_video = [c for c in cases if any(i["kind"] == "video" for i in c["items"])]
    assert 2 <= len(with_video) <= 25
    for clip in clips:
        result = storyboard(clip, SPEC)
        assert result.ok and len(result.frames) == 6, result.reason
