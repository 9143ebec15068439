"""Video storyboards: a few evenly spaced still frames, blurred by default, never played and never heard.

``storyboard_bytes(data, spec)`` (or ``storyboard(path, spec)``) opens the video with PyAV, takes the first *video* stream only (audio packets
are never decoded: muted by construction), and for each of ``frames`` evenly spaced times seeks to the
keyframe before it and decodes forward to the target. Each frame is scaled by FFmpeg straight to the
display size and colour mode, then blurred exactly like image previews (``preview.render_pil``).

Safety: the container format is chosen from the file's magic bytes against an allow-list (MP4/MOV,
Matroska/WebM, AVI, FLV, MPEG-TS/PS, Ogg, ASF), so FFmpeg never probes its way into playlist or
concat demuxers that open other files or URLs, and only the ``file`` protocol is allowed. Bounded:
file size (``limits.MAX_FILE_BYTES``), frame size (``limits.MAX_IMAGE_PIXELS``), the decoder's memory
(coded frame size x reference frames, checked against the decode budget before the first frame is
decoded; one decoding thread), frame count, how far past a keyframe we decode, how much of a stream
without a known duration we scan, and wall-clock time (checked between decoded frames; one pathological
frame decode inside FFmpeg cannot be interrupted here — ``decode_guard`` runs it in a worker process that
is killed on timeout). Never raises for bad input: failures come
back as ``ok=False`` with a reason a reviewer can read.

Qt-free on purpose (``reviewer`` is the pure-Python core).
"""

from __future__ import annotations

import io
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import av.error
from PIL import Image

from reviewer.media import budget, limits, sniff
from reviewer.media.preview import PreviewSpec, RenderedImage, fit_size, render_pil

MAX_FRAMES = 24
#: How far (stream seconds) we decode forward from a keyframe to reach a target time.
MAX_FORWARD_S = 20.0
#: Decoded frames allowed per target (guards streams with absurd frame rates or broken timestamps).
MAX_DECODED_PER_TARGET = 1200
#: Without a known duration, frames are sampled once per second from the start, up to this far in.
MAX_UNKNOWN_SCAN_S = 60.0
DEFAULT_TIMEOUT_S = 10.0

_REASON_PREFIX = "Cannot display: "

_NOT_VIDEO_HINTS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "an image (JPEG)"),
    (b"\x89PNG", "an image (PNG)"),
    (b"GIF8", "an image (GIF)"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"%PDF", "a PDF document"),
    (b"ID3", "audio (MP3)"),
    (b"fLaC", "audio (FLAC)"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a program"),
)


@dataclass(frozen=True)
class StoryboardFrame:
    t_s: float  # presentation time of the frame shown, seconds from the stream start
    blurred: RenderedImage  # shown by default
    sharp: RenderedImage  # shown only on explicit reveal


@dataclass(frozen=True)
class StoryboardResult:
    """``ok=False`` always carries ``reason``; with ``ok=True`` a reason notes a partial storyboard."""

    ok: bool
    reason: str | None
    duration_s: float | None
    frames: list[StoryboardFrame] = field(default_factory=list)
    source_size: tuple[int, int] | None = None
    codec: str | None = None
    elapsed_ms: float = 0.0


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def storyboard(
    path: Path | str,
    spec: PreviewSpec | None = None,
    frames: int = 6,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    decode_budget: int = budget.DECODE_BUDGET_BYTES,
) -> StoryboardResult:
    """Up to ``frames`` stills from evenly spaced times of the video at ``path``. Never raises for bad files."""
    t0 = time.perf_counter()
    try:
        data = _read_file(path)
    except _Refused as exc:
        return _fail(exc.reason, t0)
    return storyboard_bytes(data, spec, frames, timeout_s, decode_budget)


def storyboard_bytes(
    data: bytes,
    spec: PreviewSpec | None = None,
    frames: int = 6,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    decode_budget: int = budget.DECODE_BUDGET_BYTES,
) -> StoryboardResult:
    """``storyboard`` of an in-memory video file. Never raises for bad input."""
    t0 = time.perf_counter()
    spec = spec or PreviewSpec()
    count = max(1, min(MAX_FRAMES, int(frames)))
    deadline = t0 + max(0.1, float(timeout_s))
    try:
        fmt = _check_bytes(data)
    except _Refused as exc:
        return _fail(exc.reason, t0)
    try:
        # Opening probes the streams by decoding a few frames; max_pixels stops the probe decoder at
        # frames larger than the budget could hold, so the check below runs before any big frame exists.
        options = {"protocol_whitelist": "file", "max_pixels": str(budget.probe_max_pixels(decode_budget))}
        container = av.open(io.BytesIO(data), mode="r", format=fmt, options=options)
    except (av.error.FFmpegError, OSError, ValueError, UnicodeError):
        return _fail("video is corrupt or truncated", t0)
    except MemoryError:
        return _fail("out of memory while opening the video", t0)
    try:
        return _storyboard(container, spec, count, deadline, t0, decode_budget)
    except _Refused as exc:
        return _fail(exc.reason, t0)
    except MemoryError:
        return _fail("out of memory while decoding the video", t0)
    except Exception:  # FFmpeg errors, PyAV surprises on hostile input
        return _fail("video is corrupt", t0)
    finally:
        container.close()


def _read_file(path: Path | str) -> bytes:
    """The file's bytes, or _Refused with the reason (missing, not a file, too large)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise _Refused("file not found") from None
    except (OSError, ValueError) as exc:
        raise _Refused(f"cannot read file ({getattr(exc, 'strerror', None) or type(exc).__name__})") from None
    if not stat.S_ISREG(st.st_mode):
        raise _Refused("not a regular file")
    _check_size(st.st_size)
    try:
        with open(path, "rb") as fh:
            return fh.read(limits.MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _Refused(f"cannot read file ({exc.strerror or type(exc).__name__})") from None


def _check_size(n_bytes: int) -> None:
    reason = limits.file_size_reason(n_bytes)
    if reason:
        raise _Refused(reason)


def _check_bytes(data: bytes) -> str:
    """The demuxer to use, or _Refused with the reason."""
    _check_size(len(data))
    head = data[: sniff.HEAD_BYTES]
    fmt = sniff.video_demuxer(head)
    if fmt is None:
        raise _Refused(_not_a_video(head))
    return fmt


def _not_a_video(head: bytes) -> str:
    for magic, what in _NOT_VIDEO_HINTS:
        if head.startswith(magic):
            return f"not a video (looks like {what})"
    if sniff.is_plain_text(head):
        return "not a video (looks like plain text)"
    return "not a video"


def _storyboard(
    container: av.container.InputContainer,
    spec: PreviewSpec,
    count: int,
    deadline: float,
    t0: float,
    decode_budget: int,
) -> StoryboardResult:
    if not container.streams.video:
        if not container.streams:  # e.g. an MP4 cut before its index (moov) was written
            raise _Refused("video is corrupt or truncated")
        raise _Refused("no video stream (audio only)" if container.streams.audio else "no video stream")
    stream = container.streams.video[0]
    ctx = stream.codec_context
    width, height = int(ctx.width or 0), int(ctx.height or 0)
    if width <= 0 or height <= 0:
        raise _Refused("video is corrupt (no frame size)")
    if width * height > limits.MAX_IMAGE_PIXELS:
        raise _Refused(f"video frames too large ({width}x{height})")
    codec = ctx.name
    need = decoder_peak_bytes(ctx)
    if need > decode_budget:
        raise _Refused(budget.over_budget_reason((width, height), need, decode_budget, "video frames of"))
    ctx.thread_count = 1  # one frame in flight: the budget above holds
    # A stream whose frames grow past what the budget allows for later fails rather than allocating.
    ctx.options = {"max_pixels": str(max(budget.probe_max_pixels(decode_budget), width * height))}
    tb = stream.time_base or Fraction(1, 1000)
    start_s = float(stream.start_time * tb) if stream.start_time is not None else 0.0
    duration = _duration(container, stream, tb)
    target = _display_size(width, height, stream, spec)

    shown: list[StoryboardFrame] = []
    shown_times: list[float] = []
    note: str | None = None
    try:
        if duration:
            for i in range(count):
                if time.perf_counter() > deadline:
                    note = "stopped early (took too long)"
                    break
                t = duration * (i + 0.5) / count
                frame = _frame_at(container, stream, tb, start_s + t, deadline)
                if frame is None:
                    continue
                if frame.time is not None and shown_times and frame.time <= shown_times[-1]:
                    note = "the video ends before its stated length (truncated?)"
                    break  # the stream ran out: later targets would repeat this frame
                shown_times.append(frame.time if frame.time is not None else t)
                shown.append(_still(frame, target, spec, start_s))
        else:
            for frame in _sample_unknown_length(container, stream, count, deadline, start_s):
                shown.append(_still(frame, target, spec, start_s))
    except av.error.FFmpegError:
        if not shown:
            raise _Refused("video is corrupt or truncated") from None
        note = "video is damaged after this point"
    if not shown:
        if time.perf_counter() > deadline:
            return _fail("video took too long to decode", t0, duration, (width, height), codec)
        return _fail("video has no decodable frames", t0, duration, (width, height), codec)
    if note is not None:
        note = f"showing {len(shown)} of {count} frames: {note}"
    return StoryboardResult(
        ok=True,
        reason=note,
        duration_s=duration,
        frames=shown,
        source_size=(width, height),
        codec=codec,
        elapsed_ms=_ms(t0),
    )


def decoder_peak_bytes(ctx: av.VideoCodecContext) -> int:
    """The decoder's frame pool for this stream, from its codec parameters (nothing decoded yet)."""
    width, height = int(ctx.coded_width or ctx.width or 0), int(ctx.height or 0)
    width, height = max(width, int(ctx.width or 0)), max(int(ctx.coded_height or 0), height)
    # FFmpeg pads frames (edges for motion vectors, aligned lines): count 64 extra pixels each way.
    padded_w, padded_h = width + 64, height + 64
    try:
        fmt = av.VideoFormat(ctx.format.name if ctx.format else "yuv420p", padded_w, padded_h)
        frame_bytes = sum(c.width * c.height * ((c.bits + 7) // 8) for c in fmt.components)
    except (ValueError, TypeError, av.error.FFmpegError):
        frame_bytes = padded_w * padded_h * 3
    if not ctx.format:  # the probe could not tell: assume up to 3 bytes a pixel (4:4:4, or 10-bit 4:2:0)
        frame_bytes = max(frame_bytes, padded_w * padded_h * 3)
    level = int(ctx.level) if ctx.level and ctx.level > 0 else None
    return budget.video_peak_bytes(frame_bytes, ctx.name, width, height, level)


def _duration(container: av.container.InputContainer, stream: av.VideoStream, tb: Fraction) -> float | None:
    if stream.duration and stream.duration > 0:
        return float(stream.duration * tb)
    if container.duration and container.duration > 0:
        return container.duration / av.time_base
    return None


def _display_size(width: int, height: int, stream: av.VideoStream, spec: PreviewSpec) -> tuple[int, int]:
    """Display-box size honouring the sample aspect ratio (anamorphic video)."""
    sar = stream.sample_aspect_ratio
    shown_w = width
    if sar and 0.1 < float(sar) < 10:
        shown_w = max(1, round(width * float(sar)))
    return fit_size((shown_w, height), (spec.max_width, spec.max_height))


def _frame_at(
    container: av.container.InputContainer, stream: av.VideoStream, tb: Fraction, t: float, deadline: float
) -> av.VideoFrame | None:
    """The first frame at or after ``t`` (seconds), decoding forward from the keyframe before it."""
    container.seek(int(t / tb), stream=stream, backward=True, any_frame=False)
    last: av.VideoFrame | None = None
    first_time: float | None = None
    for n, frame in enumerate(container.decode(stream)):
        ft = frame.time
        if ft is None:
            return frame
        if ft >= t - 1e-3:
            return frame if last is None or ft - t <= t - (last.time or 0.0) else last
        first_time = ft if first_time is None else first_time
        last = frame
        if n >= MAX_DECODED_PER_TARGET or ft - first_time > MAX_FORWARD_S or time.perf_counter() > deadline:
            break
    return last


def _sample_unknown_length(
    container: av.container.InputContainer,
    stream: av.VideoStream,
    count: int,
    deadline: float,
    start_s: float,
) -> Iterator[av.VideoFrame]:
    """Without a duration: one frame per second from the start, bounded by count, scan length, time."""
    next_t, taken = 0.0, 0
    for n, frame in enumerate(container.decode(stream)):
        t = (frame.time - start_s) if frame.time is not None else float(n)
        if t >= next_t:
            yield frame
            taken += 1
            next_t = t + 1.0
        if taken >= count or t > MAX_UNKNOWN_SCAN_S or time.perf_counter() > deadline:
            return


def _still(frame: av.VideoFrame, size: tuple[int, int], spec: PreviewSpec, start_s: float) -> StoryboardFrame:
    w, h = size
    fmt = "gray" if spec.greyscale else "rgb24"
    small = frame.reformat(width=w, height=h, format=fmt, interpolation="AREA")
    arr = small.to_ndarray()
    im = Image.fromarray(arr, "L" if spec.greyscale else "RGB")
    blurred, sharp = render_pil(im, spec)
    t = (frame.time - start_s) if frame.time is not None else 0.0
    return StoryboardFrame(t_s=max(0.0, float(t)), blurred=blurred, sharp=sharp)


def _fail(
    reason: str,
    t0: float,
    duration: float | None = None,
    size: tuple[int, int] | None = None,
    codec: str | None = None,
) -> StoryboardResult:
    text = reason if reason.startswith(_REASON_PREFIX) else _REASON_PREFIX + reason
    return StoryboardResult(
        ok=False, reason=text, duration_s=duration, source_size=size, codec=codec, elapsed_ms=_ms(t0)
    )


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000.0
