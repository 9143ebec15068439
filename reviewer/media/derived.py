"""Stored previews: what one decode of a media file leaves beside it, so showing a case decodes no original.

When media arrive (import, sync pull, pack open) a decode worker (``decode_guard.DecodePool.derive``)
decodes each distinct image ONCE, under the decode budget, and returns a ``Derived``:

* ``clear``: the image downscaled to fit ``DERIVED_BOX`` (960x720, the preview canvas's size and the
  default ``PreviewSpec``; a larger box would only cost decode time at show: the canvas never paints
  more pixels), colour kept, EXIF-oriented, JPEG quality 90;
* ``blurred``: the default preview (greyscale, ``DEFAULT_BLUR_PX``) of that image, JPEG quality 90
  (a blurred image compresses to a few tens of KB and decodes in well under a millisecond);
* or the refusal (``ok=False`` and the reason a reviewer reads), so a hostile or broken file is never
  decoded again: the case shows the reason.

``pack`` / ``unpack`` are the file's plaintext: ``MAGIC | origin SHA-256 (32) | header length (4) |
JSON header | blurred JPEG | clear JPEG``. The store seals it like the original
(``MediaStore.put_derived``: AES-GCM, authenticated, content hash checked on read), and ``unpack``
checks that it names the original it was asked for, so a derivative cannot be swapped for another's.

Decoding these JPEGs in the app process (``from_derived`` callers) is deliberate: they are our own bytes,
written by our worker from pixels it produced and authenticated by AES-GCM under the database's key,
so they are not imported (hostile) data; the originals still reach a decoder only in a worker process.

Qt-free (``reviewer`` is the core).
"""

from __future__ import annotations

import io
import json
import struct
from dataclasses import dataclass

from PIL import Image

from reviewer.media import budget
from reviewer.media.preview import DEFAULT_BLUR_PX, PreviewSpec, RenderedImage, display_blur, fit_size
from reviewer.vault.media import MediaIntegrityError

MAGIC = b"RWPREV1\n"
#: The box the stored clear image fits in: the default ``PreviewSpec`` (the preview canvas's size).
DERIVED_BOX = (PreviewSpec().max_width, PreviewSpec().max_height)
#: What the stored blurred image is: the default spec's blur, greyscale.
DERIVED_SPEC = PreviewSpec(blur_px=DEFAULT_BLUR_PX, greyscale=True)
JPEG_QUALITY = 90
_LEN = struct.Struct(">I")


@dataclass(frozen=True)
class Derived:
    """One decode's outcome. ``keep``: worth storing (False for a video, a timeout, a stopped pool)."""

    ok: bool
    reason: str | None = None
    keep: bool = True
    frames: int = 0
    source_size: tuple[int, int] | None = None
    source_format: str | None = None
    blur_px: float = DEFAULT_BLUR_PX
    blurred: bytes = b""  # JPEG, greyscale, ``blur_px``
    clear: bytes = b""  # JPEG, fits ``DERIVED_BOX``


def derive_bytes(data: bytes, decode_budget: int = budget.DECODE_BUDGET_BYTES) -> Derived:
    """Worker side: decode ``data`` once into the stored derivatives. Never raises for bad media."""
    from reviewer.media.preview import render_preview_bytes
    from reviewer.media.sniff import HEAD_BYTES, is_video_head

    if is_video_head(bytes(data[:HEAD_BYTES])):
        return Derived(ok=False, reason=None, keep=False)  # videos keep their storyboard path
    result = render_preview_bytes(data, PreviewSpec(blur_px=0.0, greyscale=False), decode_budget)
    if not result.ok or result.sharp is None:
        return Derived(
            ok=False,
            reason=result.reason or "Cannot display this item",
            source_size=result.source_size,
            source_format=result.source_format,
            frames=result.frames,
        )
    sharp = result.sharp
    clear = Image.frombytes(sharp.mode, (sharp.width, sharp.height), sharp.data)
    blurred = display_blur(clear.convert("L"), DERIVED_SPEC.blur_px)
    return Derived(
        ok=True,
        frames=result.frames,
        source_size=result.source_size,
        source_format=result.source_format,
        blur_px=DERIVED_SPEC.blur_px,
        blurred=_jpeg(blurred),
        clear=_jpeg(clear),
    )


def _jpeg(im: Image.Image) -> bytes:
    out = io.BytesIO()
    im.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def pack(sha256: str, derived: Derived) -> bytes:
    """The stored file's plaintext for the derivatives of the original ``sha256``."""
    header = {
        "ok": derived.ok,
        "reason": derived.reason,
        "frames": derived.frames,
        "source_size": list(derived.source_size) if derived.source_size else None,
        "source_format": derived.source_format,
        "blur_px": derived.blur_px,
        "blurred": len(derived.blurred),
        "clear": len(derived.clear),
    }
    head = json.dumps(header, separators=(",", ":")).encode()
    return b"".join(
        (MAGIC, bytes.fromhex(sha256), _LEN.pack(len(head)), head, derived.blurred, derived.clear)
    )


def unpack(sha256: str, payload: bytes) -> Derived:
    """The derivatives in ``payload``; MediaIntegrityError if it is not ours or names another original."""
    start = len(MAGIC) + 32 + _LEN.size
    if len(payload) < start or not payload.startswith(MAGIC):
        raise MediaIntegrityError("not a stored preview")
    if payload[len(MAGIC) : len(MAGIC) + 32] != bytes.fromhex(sha256):
        raise MediaIntegrityError("the stored preview belongs to another file")
    (size,) = _LEN.unpack_from(payload, start - _LEN.size)
    try:
        header = json.loads(payload[start : start + size])
        at = start + size
        blurred_end = at + int(header["blurred"])
        clear_end = blurred_end + int(header["clear"])
    except (ValueError, KeyError, TypeError) as exc:
        raise MediaIntegrityError("the stored preview's header is damaged") from exc
    if clear_end != len(payload):
        raise MediaIntegrityError("the stored preview is cut short")
    src = header.get("source_size")
    return Derived(
        ok=bool(header["ok"]),
        reason=header.get("reason"),
        frames=int(header.get("frames") or 0),
        source_size=(int(src[0]), int(src[1])) if src else None,
        source_format=header.get("source_format"),
        blur_px=float(header.get("blur_px", DEFAULT_BLUR_PX)),
        blurred=payload[at:blurred_end],
        clear=payload[blurred_end:clear_end],
    )


def show(derived: Derived, spec: PreviewSpec) -> tuple[RenderedImage, RenderedImage]:
    """``(blurred, sharp)`` pixels for ``spec`` from stored derivatives (``derived.ok``): the stored blur
    when the spec asks for the default one, else the stored clear image blurred here (a non-default
    blur strength or colour; ~10 ms). Decodes only our own JPEGs (see the module docstring)."""
    blurred = show_blurred(derived, spec)
    sharp = _sharp_image(derived, spec)
    return (blurred if blurred is not None else _pixels(display_blur(sharp, spec.blur_px))), _pixels(sharp)


def show_blurred(derived: Derived, spec: PreviewSpec) -> RenderedImage | None:
    """The stored blurred image alone, when it is what ``spec`` shows (the default blur, greyscale, at
    the canvas's size): what the first paint of a case needs, without decoding the clear image (which
    only a reveal paints: ``show_sharp``). None: ``spec`` asks for another blur, made from the clear image."""
    if not (spec.greyscale and spec.blur_px == derived.blur_px and derived.blurred):
        return None
    with Image.open(io.BytesIO(derived.clear), formats=("JPEG",)) as clear:  # the header only
        size = clear.size
    if fit_size(size, (spec.max_width, spec.max_height)) != size:
        return None
    return _pixels(_open_jpeg(derived.blurred))


def show_sharp(derived: Derived, spec: PreviewSpec) -> RenderedImage:
    """The clear image's pixels for ``spec`` (what a reveal paints)."""
    return _pixels(_sharp_image(derived, spec))


def _sharp_image(derived: Derived, spec: PreviewSpec) -> Image.Image:
    clear = _open_jpeg(derived.clear, grey=spec.greyscale)
    target = fit_size(clear.size, (spec.max_width, spec.max_height))
    if clear.size != target:
        clear = clear.resize(target, Image.Resampling.BOX)
    sharp = clear.convert("L") if spec.greyscale and clear.mode != "L" else clear
    if not spec.greyscale and sharp.mode != "RGB":
        sharp = sharp.convert("RGB")
    return sharp


def _open_jpeg(data: bytes, grey: bool = False) -> Image.Image:
    im = Image.open(io.BytesIO(data), formats=("JPEG",))
    if grey and im.mode != "L":
        im.draft("L", im.size)  # libjpeg keeps the luma plane only: no chroma, no colour conversion
    im.load()
    return im


def _pixels(im: Image.Image) -> RenderedImage:
    return RenderedImage(im.width, im.height, im.mode, im.tobytes())
