"""How many bytes a decode will allocate, worked out from the header before any pixel is decoded.

One budget, ``DECODE_BUDGET_BYTES``, bounds every item: an image's peak is what Pillow allocates for the
decoded frame plus every full-size buffer the preview pipeline makes before it shrinks the image (mode
conversions, the premultiplied copy Pillow's resize makes of images with alpha, decoder canvases); a
video's is the decoder's frame pool (coded frame size x reference frames + the frames in flight). An item
over the budget is refused with a sentence that says why; JPEGs are first decoded at reduced size
(``draft``), so most large photos fit. Qt-free.
"""

from __future__ import annotations

import math

#: Largest decode (peak bytes, see above) one item may need. With 2 decode workers this keeps the app
#: well under 600 MB; a 12 MP RGB PNG needs ~50 MB, a 100 MP JPEG (decoded at 1/8) ~7 MB, 4K H.264 ~90 MB.
DECODE_BUDGET_BYTES: int = 96 * 1024 * 1024

_MB = 1024 * 1024
#: Working memory of the strip-by-strip 16/32-bit -> 8-bit conversion (a megapixel strip, its copies).
HIGH_BIT_DEPTH_STRIP_BYTES = 16 * _MB

#: Bytes per pixel of Pillow's own storage: 1/L/P use one byte, 16-bit greyscale two, every other mode
#: (including 2- and 3-band ones such as LA and RGB) a 4-byte pixel.
_ONE_BYTE = frozenset({"1", "L", "P"})


def pillow_pixel_bytes(mode: str) -> int:
    """Bytes Pillow allocates per pixel for ``mode``."""
    if mode in _ONE_BYTE:
        return 1
    if mode.startswith("I;16"):
        return 2
    return 4


def display_mode_before_resize(mode: str, transparent: bool, greyscale: bool) -> str:
    """The mode the preview pipeline converts a full-size image to before shrinking it.

    Pillow cannot average 1-bit, palette or 16-bit pixels, so those are converted first (16-bit straight to
    8-bit greyscale, strip by strip); everything else is shrunk in its own mode and converted when small.
    """
    if mode == "1":
        return "L"
    if mode.startswith("I;16") or mode in ("I", "F"):
        return "L"
    if mode in ("P", "PA"):
        if transparent or mode == "PA":
            return "LA" if greyscale else "RGBA"
        return "L" if greyscale else "RGB"
    if mode in ("L", "RGB") and transparent:
        return "LA" if mode == "L" else "RGBA"
    if mode in ("La", "RGBa"):
        return "LA" if mode == "La" else "RGBA"
    return mode


def image_peak_bytes(
    mode: str,
    size: tuple[int, int],
    target: tuple[int, int],
    *,
    transparent: bool = False,
    greyscale: bool = True,
    decoder_canvases: int = 0,
) -> int:
    """Peak bytes to decode an image of ``mode``/``size`` (after any draft) and shrink it to ``target``.

    ``decoder_canvases`` counts extra full-size RGBA buffers a decoder keeps (libwebp's animation decoder
    keeps two).
    """
    pixels = max(0, size[0]) * max(0, size[1])
    decoded = pixels * pillow_pixel_bytes(mode)
    converted_mode = display_mode_before_resize(mode, transparent, greyscale)
    converted = 0 if converted_mode == mode else pixels * pillow_pixel_bytes(converted_mode)
    if mode.startswith("I;16") or mode in ("I", "F"):
        converted += HIGH_BIT_DEPTH_STRIP_BYTES
    shrinking = tuple(target) != tuple(size)
    premultiplied = pixels * 4 if shrinking and converted_mode in ("LA", "RGBA") else 0
    resize = _resize_buffers(size, target, pillow_pixel_bytes(converted_mode)) if shrinking else 0
    output = target[0] * target[1] * 4 * 3  # sharp, blurred and their bytes
    return decoded + converted + premultiplied + resize + output + pixels * 4 * decoder_canvases


def _resize_buffers(size: tuple[int, int], target: tuple[int, int], bpp: int) -> int:
    """What ``Image.resize(target, BOX, reducing_gap=2.0)`` allocates on the way: the ``reduce()``-d
    copy, then the horizontal pass (target width x reduced height) before the vertical one."""
    w, h = max(1, size[0]), max(1, size[1])
    tw, th = max(1, target[0]), max(1, target[1])
    fx, fy = max(1, int(w / tw / 2.0)), max(1, int(h / th / 2.0))
    rw, rh = math.ceil(w / fx), math.ceil(h / fy)
    reduced = rw * rh * bpp if fx > 1 or fy > 1 else 0
    return reduced + tw * rh * bpp


#: Reference frames a decoder may hold, by codec, when the stream does not say (H.264 uses its level).
_REFERENCE_FRAMES: dict[str, int] = {
    "hevc": 6,
    "vp9": 8,
    "av1": 8,
    "vp8": 3,
    "mpeg4": 2,
    "mpeg2video": 2,
    "mpeg1video": 2,
    "h263": 2,
    "mjpeg": 0,
}
_DEFAULT_REFERENCE_FRAMES = 4
#: H.264 MaxDpbMbs by level_idc (ITU-T H.264 table A-1): the decoded picture buffer in 16x16 macroblocks.
_H264_MAX_DPB_MBS: dict[int, int] = {
    9: 396, 10: 396, 11: 900, 12: 2376, 13: 2376, 20: 2376, 21: 4752, 22: 8100, 30: 8100, 31: 18000,
    32: 20480, 40: 32768, 41: 32768, 42: 34816, 50: 110400, 51: 184320, 52: 184320, 60: 696320,
    61: 696320, 62: 696320,
}  # fmt: skip
#: Frames besides the references: the one being decoded and the one handed to us.
_FRAMES_IN_FLIGHT = 2


def reference_frames(codec: str, width: int, height: int, level: int | None) -> int:
    """How many reference frames a decoder of ``codec`` may keep for frames of this size."""
    if codec == "h264":
        max_dpb = _H264_MAX_DPB_MBS.get(level or 0)
        if max_dpb is None:
            return 16
        frame_mbs = math.ceil(width / 16) * math.ceil(height / 16)
        return max(1, min(16, max_dpb // max(1, frame_mbs)))
    return _REFERENCE_FRAMES.get(codec, _DEFAULT_REFERENCE_FRAMES)


def video_peak_bytes(frame_bytes: int, codec: str, width: int, height: int, level: int | None) -> int:
    """Peak bytes of a video decoder's frame pool for frames of ``frame_bytes`` each."""
    return frame_bytes * (reference_frames(codec, width, height, level) + _FRAMES_IN_FLIGHT)


def probe_max_pixels(decode_budget: int) -> int:
    """Largest frame the stream probe (which decodes a few frames while opening a video) may decode:
    what fits the budget at 1.5 bytes a pixel (8-bit 4:2:0) with the default number of reference frames."""
    return max(1, int(decode_budget / (1.5 * (_DEFAULT_REFERENCE_FRAMES + _FRAMES_IN_FLIGHT))))


def over_budget_reason(size: tuple[int, int], need: int, limit: int, what: str = "") -> str:
    """The sentence a reviewer sees, e.g. ``10000 × 10000 would need 382 MB to decode (limit 96 MB)``."""
    prefix = f"{what} " if what else ""
    return f"{prefix}{size[0]} × {size[1]} would need {_mb(need)} MB to decode (limit {_mb(limit)} MB)"


def _mb(n: int) -> int:
    return max(1, math.ceil(n / _MB))
