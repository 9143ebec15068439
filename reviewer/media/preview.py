"""Safe image previews for untrusted (often hostile) media.

``render_preview`` / ``render_preview_bytes`` turn a file into two small raw-pixel images the UI can
wrap in a ``QImage`` without further processing: a *blurred* one shown by default and a *sharp* one
shown only when the reviewer chooses to reveal. They never raise for bad input; failures come back
as ``PreviewResult(ok=False, reason=...)`` with a sentence a reviewer can read.

Pipeline: sniff the content (the extension is ignored) -> open with Pillow restricted to JPEG, PNG,
GIF, WebP, BMP and TIFF -> refuse files/dimensions above ``limits`` *before* decoding pixels ->
JPEG ``draft()`` (DCT-domain downscale) -> refuse what would need more than the decode budget
(``budget``, worked out from the header) -> decode frame 0 only -> convert only what Pillow cannot
shrink (1-bit, palette, 16-bit) -> ``reduce`` + box-filter resize to fit the display box -> normalise
the mode (CMYK, alpha composited over neutral grey) to ``L`` or ``RGB`` at display size -> EXIF
orientation -> Gaussian blur at display size.

This module is Qt-free on purpose (``reviewer`` is the pure-Python core).
"""

from __future__ import annotations

import io
import math
import os
import re
import stat
import struct
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from PIL import Image, ImageFilter, UnidentifiedImageError

from reviewer.media import budget, limits

#: Pillow format ids we are willing to open (MPO = multi-picture JPEG from cameras).
SUPPORTED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF")
_ACCEPTED_RESULT_FORMATS = frozenset(SUPPORTED_FORMATS) | {"MPO"}

DEFAULT_BLUR_PX = 12.0
MIN_BLUR_PX = 0.0
MAX_BLUR_PX = 40.0
#: Grey (0-255) that transparent pixels are composited over.
NEUTRAL_GREY = 128

_REASON_PREFIX = "Cannot display: "

# EXIF orientation -> transpose; identical to what ImageOps.exif_transpose applies.
_ORIENTATION_TRANSPOSE: dict[int, Image.Transpose] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_EXIF_ORIENTATION_TAG = 0x0112

# Every exception type Pillow's decoders are known to leak on malformed input.
_DECODE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    zlib.error,
    IndexError,
    KeyError,
    TypeError,
    ZeroDivisionError,
    OverflowError,
    AttributeError,
    NotImplementedError,
    AssertionError,
    RuntimeError,
)


def clamp_blur(value: float) -> float:
    """Clamp a blur radius to [0, 40]; non-numbers and NaN/inf fall back to the safe default."""
    try:
        blur = float(value)
    except (TypeError, ValueError):
        return DEFAULT_BLUR_PX
    if not math.isfinite(blur):
        return DEFAULT_BLUR_PX
    return min(MAX_BLUR_PX, max(MIN_BLUR_PX, blur))


def _clamp_edge(value: int) -> int:
    try:
        edge = int(value)
    except (TypeError, ValueError, OverflowError):
        return 1
    return min(limits.MAX_PREVIEW_EDGE, max(1, edge))


@dataclass(frozen=True)
class PreviewSpec:
    """What the UI wants to display. Out-of-range values are clamped, never rejected."""

    max_width: int = 960
    max_height: int = 720
    #: Blur radius in pixels at *display* size (after downscaling). Clamped to [0, 40].
    blur_px: float = DEFAULT_BLUR_PX
    greyscale: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_width", _clamp_edge(self.max_width))
        object.__setattr__(self, "max_height", _clamp_edge(self.max_height))
        object.__setattr__(self, "blur_px", clamp_blur(self.blur_px))
        object.__setattr__(self, "greyscale", bool(self.greyscale))


@dataclass(frozen=True)
class RenderedImage:
    """Raw pixels, ready for ``QImage(data, w, h, bytes_per_line, Format_RGB888 / Format_Grayscale8)``."""

    width: int
    height: int
    mode: str  # "RGB" or "L"
    data: bytes  # tightly packed rows, top to bottom

    @property
    def channels(self) -> int:
        return 3 if self.mode == "RGB" else 1

    @property
    def bytes_per_line(self) -> int:
        return self.width * self.channels


@dataclass(frozen=True)
class PreviewResult:
    """Outcome of one preview render. ``ok=False`` always carries a human-readable ``reason``."""

    ok: bool
    blurred: RenderedImage | None  # shown by default
    sharp: RenderedImage | None  # same size, unblurred; shown only on explicit reveal
    reason: str | None
    source_size: tuple[int, int] | None  # declared (width, height) as stored, before EXIF rotation
    source_format: str | None
    frames: int  # animation frame count if known; only frame 0 is ever shown
    elapsed_ms: float
    over_budget: bool = False  # refused only because decoding at this size would exceed the budget


_DEFAULT_SPEC = PreviewSpec()


def placeholder(
    reason: str,
    spec: PreviewSpec | None = None,
    *,
    source_size: tuple[int, int] | None = None,
    source_format: str | None = None,
    frames: int = 0,
    elapsed_ms: float = 0.0,
    over_budget: bool = False,
) -> PreviewResult:
    """A failed preview (``ok=False``); the UI draws its own placeholder tile and shows ``reason``.

    ``spec`` is accepted so callers can pass what they asked for; no pixels are produced.
    """
    del spec  # no pixels for placeholders; kept for a uniform call signature
    text = reason if reason.startswith(_REASON_PREFIX) else _REASON_PREFIX + reason
    return PreviewResult(
        ok=False,
        blurred=None,
        sharp=None,
        reason=text,
        source_size=source_size,
        source_format=source_format,
        frames=frames,
        elapsed_ms=elapsed_ms,
        over_budget=over_budget,
    )


def render_preview(
    path: Path | str, spec: PreviewSpec = _DEFAULT_SPEC, decode_budget: int = budget.DECODE_BUDGET_BYTES
) -> PreviewResult:
    """Render ``path`` for display. Never raises for bad files (missing, hostile, huge, not an image).

    ``decode_budget`` bounds the bytes the decode may allocate (see ``reviewer.media.budget``).
    """
    t0 = time.perf_counter()
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return placeholder("file not found", spec, elapsed_ms=_ms(t0))
    except (OSError, ValueError) as exc:  # permission, bad path, embedded NUL...
        return placeholder(f"cannot read file ({_os_error_text(exc)})", spec, elapsed_ms=_ms(t0))
    if not stat.S_ISREG(st.st_mode):  # directories, FIFOs (open() would block), devices
        return placeholder("not a regular file", spec, elapsed_ms=_ms(t0))
    size_reason = limits.file_size_reason(st.st_size)
    if size_reason:
        return placeholder(size_reason, spec, elapsed_ms=_ms(t0))
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
            fh.seek(0)
            return _render_stream(fh, head, spec, t0, decode_budget)
    except OSError as exc:  # open/read of the file itself failed (not a decode error)
        return placeholder(f"cannot read file ({_os_error_text(exc)})", spec, elapsed_ms=_ms(t0))


def render_preview_bytes(
    data: bytes, spec: PreviewSpec = _DEFAULT_SPEC, decode_budget: int = budget.DECODE_BUDGET_BYTES
) -> PreviewResult:
    """Same as ``render_preview`` for an in-memory file (bytes-like)."""
    t0 = time.perf_counter()
    try:
        buf = bytes(data)
    except (TypeError, ValueError):
        return placeholder("not an image", spec, elapsed_ms=_ms(t0))
    size_reason = limits.file_size_reason(len(buf))
    if size_reason:
        return placeholder(size_reason, spec, elapsed_ms=_ms(t0))
    return _render_stream(io.BytesIO(buf), buf[:64], spec, t0, decode_budget)


# --------------------------------------------------------------------------- pipeline


class _Refused(Exception):
    """Internal: a deliberate refusal with a ready-made reason (``over_budget``: the decode budget's)."""

    def __init__(self, reason: str, *, over_budget: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.over_budget = over_budget


def _render_stream(
    fh: IO[bytes], head: bytes, spec: PreviewSpec, t0: float, decode_budget: int
) -> PreviewResult:
    fmt: str | None = None
    size: tuple[int, int] | None = None
    frames = 0

    def fail(reason: str, over_budget: bool = False) -> PreviewResult:
        return placeholder(
            reason,
            spec,
            source_size=size,
            source_format=fmt,
            frames=frames,
            elapsed_ms=_ms(t0),
            over_budget=over_budget,
        )

    try:
        with Image.open(fh, formats=SUPPORTED_FORMATS) as im:
            fmt = im.format
            size = (int(im.size[0]), int(im.size[1]))
            if fmt not in _ACCEPTED_RESULT_FORMATS:
                raise _Refused(f"unsupported format ({fmt})")
            _check_declared_size(size)
            frames = _frame_count(im)
            sharp = _decode_fit(im, spec, decode_budget)
        blurred = display_blur(sharp, spec.blur_px)
        return PreviewResult(
            ok=True,
            blurred=_rendered(blurred),
            sharp=_rendered(sharp),
            reason=None,
            source_size=size,
            source_format=fmt,
            frames=frames,
            elapsed_ms=_ms(t0),
        )
    except _Refused as exc:
        return fail(exc.reason, exc.over_budget)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        return fail(_too_large_reason(size, str(exc)))
    except UnidentifiedImageError:
        return fail(_unidentified_reason(head))
    except MemoryError:
        return fail(f"out of memory while decoding{_label(fmt or _sniff(head))}")
    except _DECODE_ERRORS as exc:
        return fail(_decode_failure_reason(exc, fmt or _sniff(head)))
    except Exception as exc:
        return fail(_decode_failure_reason(exc, fmt or _sniff(head)))


def _check_declared_size(size: tuple[int, int]) -> None:
    """Refuse on the *declared* dimensions, before any pixel buffer exists."""
    w, h = size
    if w <= 0 or h <= 0:
        raise _Refused(_REASON_PREFIX + "image has no pixels (invalid dimensions)")
    if w * h > limits.MAX_IMAGE_PIXELS:
        raise _Refused(_too_large_reason(size, ""))


def _frame_count(im: Image.Image) -> int:
    """Frame count without decoding frames (header/marker walk only); 1 if unknown."""
    try:
        n = int(getattr(im, "n_frames", 1))
    except Exception:
        n = 1
    if im.tell() != 0:
        im.seek(0)
    return max(1, n)


def _decode_fit(im: Image.Image, spec: PreviewSpec, decode_budget: int) -> Image.Image:
    """Decode frame 0 at (close to) display size; returns a new ``L``/``RGB`` image, EXIF-oriented.

    Refuses (``_Refused``) before decoding when the decode would need more than ``decode_budget`` bytes.
    """
    jpeg = im.format in ("JPEG", "MPO")
    if not jpeg:  # PNG decodes the whole image to find an eXIf chunk after the pixels: check first
        _check_budget(im, spec, decode_budget)
    orientation = _orientation(im)
    swap = orientation in (5, 6, 7, 8)
    w, h = im.size
    shown_w, shown_h = fit_size((h, w) if swap else (w, h), (spec.max_width, spec.max_height))
    stored_target = (shown_h, shown_w) if swap else (shown_w, shown_h)

    if jpeg:
        # Decode in the DCT domain at 1/2, 1/4 or 1/8 scale (never below the target size), and let
        # libjpeg produce greyscale directly when that is all we need.
        want_l = spec.greyscale and im.mode == "RGB"
        im.draft("L" if want_l else None, stored_target)

        _check_budget(im, spec, decode_budget)  # at the reduced size libjpeg will decode
    im.load()
    out = _shrink(im, stored_target, "transparency" in im.info, spec.greyscale)
    out = _normalise_mode(out, spec.greyscale)
    if out is im:
        out = im.copy()
    method = _ORIENTATION_TRANSPOSE.get(orientation)
    if method is not None:
        out = out.transpose(method)
    return out


#: libwebp's animation decoder (Pillow uses it for every WebP) keeps two full-size RGBA canvases, and
#: Pillow copies the frame out of it once more before decoding it into the image.
_WEBP_DECODER_CANVASES = 3


def _check_budget(im: Image.Image, spec: PreviewSpec, decode_budget: int) -> None:
    """Refuse, from the header alone, a decode that would need more than ``decode_budget`` bytes."""
    w, h = im.size
    box = (spec.max_width, spec.max_height)
    need = max(
        budget.image_peak_bytes(
            im.mode,
            im.size,
            target,
            transparent="transparency" in im.info,
            greyscale=spec.greyscale,
            decoder_canvases=_WEBP_DECODER_CANVASES if im.format == "WEBP" else 0,
        )
        for target in (fit_size((w, h), box), fit_size((h, w), box)[::-1])  # either EXIF orientation
    )
    if need > decode_budget:
        raise _Refused(budget.over_budget_reason(im.size, need, decode_budget), over_budget=True)


def _shrink(im: Image.Image, target: tuple[int, int], transparent: bool, greyscale: bool) -> Image.Image:
    """Frame 0 at ``target`` size: converted at full size only where Pillow cannot average the mode."""
    mode = budget.display_mode_before_resize(im.mode, transparent, greyscale)
    if im.mode.startswith("I;16") or im.mode in ("I", "F"):
        out = _high_bit_depth_to_l(im)
    elif mode != im.mode:
        out = im.convert(mode)
    else:
        out = im
    if out.size != target:
        out = out.resize(target, Image.Resampling.BOX, reducing_gap=2.0)
    return out


def render_pil(im: Image.Image, spec: PreviewSpec = _DEFAULT_SPEC) -> tuple[RenderedImage, RenderedImage]:
    """``(blurred, sharp)`` for an already-decoded Pillow image (e.g. a video frame), as previews do.

    Normalises the mode (greyscale or RGB, alpha over neutral grey), box-downscales to fit the spec's
    box (never upscales) and blurs at display size. No EXIF handling: callers decode their own pixels.
    """
    out = _normalise_mode(im, spec.greyscale)
    target = fit_size(out.size, (spec.max_width, spec.max_height))
    if out.size != target:
        out = out.resize(target, Image.Resampling.BOX, reducing_gap=2.0)
    blurred = display_blur(out, spec.blur_px)
    return _rendered(blurred), _rendered(out)


def display_blur(im: Image.Image, radius: float) -> Image.Image:
    """Gaussian blur of ``radius`` px (sigma) at display size.

    For large radii the blur runs on a ``reduce()``-d copy and is bilinearly upscaled: a sigma-12
    Gaussian has no detail left that a 1/3-scale grid cannot carry, and this is ~3x cheaper.
    """
    radius = clamp_blur(radius)
    if radius <= 0:
        return im
    factor = int(radius // 4)
    if factor < 2 or min(im.size) < factor * 8:
        return im.filter(ImageFilter.GaussianBlur(radius))
    small = im.reduce(factor).filter(ImageFilter.GaussianBlur(radius / factor))
    return small.resize(im.size, Image.Resampling.BILINEAR)


def fit_size(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """Largest size with ``size``'s aspect ratio inside ``box``; never upscales, never below 1x1."""
    w, h = max(1, size[0]), max(1, size[1])
    bw, bh = max(1, box[0]), max(1, box[1])
    scale = min(bw / w, bh / h, 1.0)
    return (min(bw, max(1, round(w * scale))), min(bh, max(1, round(h * scale))))


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(_EXIF_ORIENTATION_TAG, 1)
        value = int(value)
    except Exception:
        return 1
    return value if value in _ORIENTATION_TRANSPOSE else 1


def _normalise_mode(im: Image.Image, greyscale: bool) -> Image.Image:
    """Any Pillow mode -> ``L`` or ``RGB``; transparency is composited over neutral grey."""
    mode = im.mode
    if mode.startswith("I;16") or mode in ("I", "F"):
        out = _high_bit_depth_to_l(im)
        return out if greyscale else out.convert("RGB")
    if mode in ("P", "L", "RGB") and "transparency" in im.info:
        im = im.convert("LA" if mode == "L" else "RGBA")
    elif mode in ("PA", "RGBa", "La"):
        im = im.convert("RGBA" if mode != "La" else "LA")
    if im.mode in ("RGBA", "LA"):
        im = _over_grey(im)
    if im.mode not in ("L", "RGB"):
        im = im.convert("RGB")  # CMYK, YCbCr, LAB, HSV, RGBX, 1, P ...
    target = "L" if greyscale else "RGB"
    return im if im.mode == target else im.convert(target)


def _over_grey(im: Image.Image) -> Image.Image:
    alpha = im.getchannel("A")
    colour = im.convert("L" if im.mode == "LA" else "RGB")
    base = Image.new(colour.mode, im.size, NEUTRAL_GREY if colour.mode == "L" else (NEUTRAL_GREY,) * 3)
    base.paste(colour, (0, 0), alpha)
    return base


def _high_bit_depth_to_l(im: Image.Image) -> Image.Image:
    """16/32-bit integer or float greyscale -> 8-bit ``L`` (16-bit scaled by 1/257, others min-max).

    Works in strips of about a megapixel, so the only full-size buffer it adds is the 8-bit output.
    """
    import numpy as np  # only high-bit-depth images need it; keeps start-up light

    w, h = im.size
    step = max(1, (1 << 20) // max(1, w))
    strips = [(y, min(h, y + step)) for y in range(0, h, step)]
    out = np.empty((h, w), np.uint8)
    if im.mode.startswith("I;16"):
        for y0, y1 in strips:
            arr = np.asarray(im.crop((0, y0, w, y1))).astype(np.uint32)
            out[y0:y1] = (arr * 255 + 32767) // 65535
        return Image.fromarray(out, "L")
    lo, hi = math.inf, -math.inf
    for y0, y1 in strips:
        data = np.asarray(im.crop((0, y0, w, y1)), dtype=np.float32)
        finite = data[np.isfinite(data)]
        if finite.size:
            lo, hi = min(lo, float(finite.min())), max(hi, float(finite.max()))
    if lo > hi:  # no finite pixel at all
        return Image.new("L", im.size, 0)
    if lo >= 0 and hi <= 255:
        scale, offset = 1.0, 0.0
    elif lo >= 0 and hi <= 65535:
        scale, offset = 255.0 / 65535.0, 0.0
    else:
        scale, offset = 255.0 / (hi - lo or 1.0), lo
    for y0, y1 in strips:
        data = np.asarray(im.crop((0, y0, w, y1)), dtype=np.float32)
        scaled = np.nan_to_num((data - offset) * scale, nan=0.0, posinf=255.0, neginf=0.0)
        out[y0:y1] = np.clip(scaled, 0, 255).astype(np.uint8)
    return Image.fromarray(out, "L")


def _rendered(im: Image.Image) -> RenderedImage:
    return RenderedImage(width=im.width, height=im.height, mode=im.mode, data=im.tobytes())


# --------------------------------------------------------------------------- reasons


_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "JPEG"),
    (0, b"\x89PNG\r\n\x1a\n", "PNG"),
    (0, b"GIF87a", "GIF"),
    (0, b"GIF89a", "GIF"),
    (0, b"BM", "BMP"),
    (0, b"II*\x00", "TIFF"),
    (0, b"MM\x00*", "TIFF"),
    (0, b"II+\x00", "TIFF"),
    (0, b"MM\x00+", "TIFF"),
    (0, b"%PDF", "PDF"),
    (0, b"8BPS", "PSD"),
    (0, b"%!PS", "PostScript"),
    (0, b"\xc5\xd0\xd3\xc6", "EPS"),
    (0, b"\xff\x4f\xff\x51", "JPEG 2000"),
    (4, b"jP  ", "JPEG 2000"),
    (0, b"qoif", "QOI"),
    (0, b"DDS ", "DDS"),
    (0, b"\x00\x00\x01\x00", "ICO"),
    (0, b"\xff\x0a", "JPEG XL"),
    (4, b"JXL ", "JPEG XL"),
)
_FTYP_BRANDS = {
    b"avif": "AVIF",
    b"avis": "AVIF",
    b"heic": "HEIC",
    b"heix": "HEIC",
    b"mif1": "HEIF",
    b"msf1": "HEIF",
}
_SUPPORTED_SNIFFED = frozenset(SUPPORTED_FORMATS)


def _sniff(head: bytes) -> str | None:
    """Best-effort format name from magic bytes (used only for messages, never to choose a decoder)."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(head[8:12], "video/ISO media")
    for offset, magic, name in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return name
    return None


def _not_an_image_hint(head: bytes) -> str | None:
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "a ZIP archive"
    if head[:4] == b"\x7fELF" or head[:2] == b"MZ":
        return "a program"
    if head[:4] == b"\x1a\x45\xdf\xa3" or (head[:4] == b"RIFF" and head[8:12] == b"AVI "):
        return "a video"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<script", b"<head", b"<body")):
        return "an HTML document"
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in text):
        return "SVG"
    if text and all(32 <= b < 127 or b in (9, 10, 13) for b in text[:64]):
        return "plain text"
    return None


def _unidentified_reason(head: bytes) -> str:
    sniffed = _sniff(head)
    if sniffed in _SUPPORTED_SNIFFED:  # right magic, but Pillow could not parse the header
        return f"file is corrupt{_label(sniffed)}"
    if _not_an_image_hint(head) == "SVG":
        return "unsupported format (SVG)"
    if sniffed is not None:
        return f"unsupported format ({sniffed})"
    hint = _not_an_image_hint(head)
    return f"not an image (looks like {hint})" if hint else "not an image"


def _decode_failure_reason(exc: BaseException, fmt: str | None) -> str:
    msg = str(exc).lower()
    if isinstance(exc, EOFError) or any(
        word in msg for word in ("truncated", "premature end", "unexpected end", "not enough data")
    ):
        return f"file is truncated{_label(fmt)}"
    return f"file is corrupt{_label(fmt)}"


def _too_large_reason(size: tuple[int, int] | None, message: str) -> str:
    limit_mp = limits.MAX_IMAGE_PIXELS / 1e6
    pixels: int | None = size[0] * size[1] if size else None
    if pixels is None:
        found = re.search(r"\((\d+) pixels\)", message)
        pixels = int(found.group(1)) if found else None
    if pixels is None:
        return f"image too large (over the {limit_mp:g} megapixel limit)"
    dims = f"{size[0]}x{size[1]}, " if size else ""
    return f"image too large ({dims}{pixels / 1e6:,.1f} megapixels, limit {limit_mp:g})"


def _label(fmt: str | None) -> str:
    return f" ({fmt})" if fmt else ""


def _os_error_text(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or type(exc).__name__


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000.0
