"""Generated hostile-media corpus for preview tests (no binaries are checked in).

``build_corpus(dir)`` writes every case into ``dir`` with Pillow, numpy and hand-crafted bytes
(PNG chunks with correct CRCs, GIF/JPEG headers declaring absurd sizes, polyglots, ...) and returns
``HostileCase`` records saying what ``render_preview`` must do with each file: ``"ok"`` (optionally
with an exact output size / format / frame count / extra check) or ``"placeholder"`` with a
substring of the human reason. Extensions are deliberately misleading in several cases.

``shared_corpus(tmp_path_factory)`` builds it once per test session (``CASE_NAMES`` lists the names
statically for parametrisation) and ``shared_huge_case(tmp_path_factory)`` makes the slow
100-megapixel JPEG once per session.

``budget_cases(dir)`` writes the four small files that decode to hundreds of megabytes (issue 11: a
10000x10000 RGB PNG, a 1-bit 10000x10000 TIFF, a 16-bit 100 MP PNG, an 8000x8000 H.264 video), each
streamed out without ever holding its decoded pixels; ``shared_budget_cases`` builds them once.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

Check = Callable[[Any], None]  # receives a PreviewResult; asserts


@dataclass(frozen=True)
class HostileCase:
    name: str
    path: Path
    expect: str  # "ok", "placeholder", or "either" (must be a clean result of one kind)
    reason_contains: tuple[str, ...] = ()  # for placeholders: reason must contain one of these
    size: tuple[int, int] | None = None  # expected output size at the default 960x720 spec
    source_format: str | None = None
    frames: int | None = None
    checks: tuple[Check, ...] = field(default=())
    kind: str = "image"  # or "video" (a storyboard)


HUGE_NAME = "valid_100mp.jpg"
W, H = 640, 480  # base size for ordinary cases (fits the 960x720 box, so no downscale)


# --------------------------------------------------------------------------- generators


def photo_like(width: int, height: int, seed: int = 0, mode: str = "RGB") -> Image.Image:
    """Smooth colour fields + gradient + mild per-pixel noise (compresses roughly like a photo)."""
    rng = np.random.default_rng(seed)

    def field_(cells: int, resample: Image.Resampling) -> Image.Image:
        small = rng.integers(0, 256, (max(2, height // cells), max(2, width // cells), 3), dtype=np.uint8)
        return Image.fromarray(small).resize((width, height), resample)

    img = Image.blend(field_(100, Image.Resampling.BICUBIC), field_(10, Image.Resampling.BILINEAR), 0.3)
    grad = Image.linear_gradient("L").resize((width, height), Image.Resampling.BILINEAR).convert("RGB")
    img = Image.blend(img, grad, 0.25)
    noise = Image.fromarray(rng.integers(0, 256, (height, width), dtype=np.uint8)).convert("RGB")
    img = Image.blend(img, noise, 0.08)
    return img if mode == "RGB" else img.convert(mode)


def to_palette(img: Image.Image) -> Image.Image:
    """Fast, deterministic palette conversion (web palette, no dithering)."""
    return img.convert("P", palette=Image.Palette.WEB, dither=Image.Dither.NONE)


def encode(img: Image.Image, fmt: str, **params: Any) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **params)
    return buf.getvalue()


def png_chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def png_bomb(width: int, height: int, rows: int = 4) -> bytes:
    """8-bit greyscale PNG declaring ``width x height`` but carrying only a few (compressed) rows."""
    raw = b"".join(b"\x00" + b"\x00" * width for _ in range(rows))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(raw, 9))
        + png_chunk(b"IEND", b"")
    )


def png_of_rows(width: int, height: int, colour_type: int, bit_depth: int, row: bytes) -> bytes:
    """A complete, valid PNG whose ``height`` rows all equal ``row``; compressed as a stream, so the
    decoded image (hundreds of MB for a large one) never exists here."""
    line = b"\x00" + row  # filter type None
    per_batch = max(1, (1 << 20) // len(line))
    batch = line * per_batch
    comp = zlib.compressobj(6)
    parts, left = [], height
    while left:
        n = min(left, per_batch)
        parts.append(comp.compress(batch if n == per_batch else line * n))
        left -= n
    parts.append(comp.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", b"".join(parts))
        + png_chunk(b"IEND", b"")
    )


def tiff_1bit(width: int, height: int) -> bytes:
    """A white 1-bit TIFF (PackBits, one strip): ~20 bytes a row on disk, one byte a pixel in Pillow."""
    row_bytes = (width + 7) // 8
    run = b""
    left = row_bytes
    while left:
        n = min(128, left)
        run += bytes([257 - n if n > 1 else 0, 0xFF]) if n > 1 else b"\x00\xff"
        left -= n
    strip = run * height
    entries = [  # tag, type (3 = SHORT, 4 = LONG), value
        (256, 4, width), (257, 4, height), (258, 3, 1), (259, 3, 32773), (262, 3, 1),
        (273, 4, 0), (277, 3, 1), (278, 4, height), (279, 4, len(strip)),
    ]  # fmt: skip
    ifd_size = 2 + 12 * len(entries) + 4
    strip_offset = 8 + ifd_size
    ifd = struct.pack("<H", len(entries))
    for tag, typ, value in entries:
        value = strip_offset if tag == 273 else value
        packed = struct.pack("<HH", value, 0) if typ == 3 else struct.pack("<I", value)
        ifd += struct.pack("<HHI", tag, typ, 1) + packed
    ifd += struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + strip


def big_h264(path: Path, width: int = 8000, height: int = 8000) -> Path:
    """Two black ``width`` x ``height`` frames of H.264 (libx264 if this PyAV has it, else MPEG-4 Part 2)."""
    import av

    codec = "libx264" if "libx264" in av.codecs_available else "mpeg4"
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream(codec, rate=1)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if codec == "libx264":
            stream.options = {"preset": "ultrafast", "tune": "zerolatency"}
        frame = av.VideoFrame(width, height, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        for n in range(2):
            frame.pts = n
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def gif_bomb(width: int = 65535, height: int = 65535) -> bytes:
    """GIF89a whose logical screen and only frame declare ``width x height`` with a tiny LZW stream."""
    header = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0)  # 2-colour global table
    palette = b"\x00\x00\x00\xff\xff\xff"
    descriptor = b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0)
    lzw = b"\x02" + b"\x02\x4c\x01\x00"  # min code size 2, one tiny sub-block, terminator
    return header + palette + descriptor + lzw + b"\x3b"


def jpeg_with_declared_size(jpeg: bytes, width: int, height: int) -> bytes:
    """Patch the SOF0/SOF2 header of a real JPEG to declare another size (data stays tiny)."""
    data = bytearray(jpeg)
    for marker in (b"\xff\xc0", b"\xff\xc2"):
        pos = data.find(marker)
        if pos != -1:
            struct.pack_into(">HH", data, pos + 5, height, width)
            return bytes(data)
    raise ValueError("no SOF marker")


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("index.html", "<html><script>alert('polyglot')</script></html>")
    return buf.getvalue()


def exif_rotated_jpeg() -> bytes:
    """Stored 400x200 with a white block in the stored top-left corner, EXIF orientation 6."""
    img = Image.new("L", (400, 200), 0)
    img.paste(255, (0, 0, 100, 60))
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(img.convert("RGB"), "JPEG", quality=95, exif=exif)


def make_100mp_jpeg(path: Path) -> Path:
    """10000x10000 greyscale JPEG (valid, 100 MP: just under the limit)."""
    grad = Image.linear_gradient("L").resize((10_000, 10_000), Image.Resampling.BILINEAR)
    detail = Image.effect_noise((1000, 1000), 40).resize((10_000, 10_000), Image.Resampling.NEAREST)
    Image.blend(grad, detail, 0.3).save(path, "JPEG", quality=80)
    return path


# --------------------------------------------------------------------------- checks


def _check_exif_rotated(res: Any) -> None:
    # Orientation 6 = rotate 90 degrees clockwise: stored top-left block ends up at the top-right.
    arr = np.frombuffer(res.sharp.data, np.uint8).reshape(res.sharp.height, res.sharp.width)
    assert arr[:40, -50:].mean() > 200, "white block should be top-right after rotation"
    assert arr[:40, :50].mean() < 60, "top-left should be black after rotation"


def _check_16bit_gradient(res: Any) -> None:
    arr = np.frombuffer(res.sharp.data, np.uint8).reshape(res.sharp.height, res.sharp.width)
    assert arr[:, :5].mean() < 10, "16-bit 0 must map to black"
    assert arr[:, -5:].mean() > 245, "16-bit 65535 must map to white (scaled, not clipped)"


def _check_transparency_grey(res: Any) -> None:
    arr = np.frombuffer(res.sharp.data, np.uint8).reshape(res.sharp.height, res.sharp.width)
    assert abs(int(arr[:, : W // 2 - 5].mean()) - 128) <= 2, "transparent half composited over grey"
    assert arr[:, W // 2 + 5 :].mean() > 250, "opaque white half stays white"


def _check_cmyk_light(res: Any) -> None:
    arr = np.frombuffer(res.sharp.data, np.uint8)
    assert arr.mean() > 200, "CMYK 'no ink' must render light, not inverted"


# --------------------------------------------------------------------------- corpus


def build_corpus(directory: Path, include_huge: bool = False) -> list[HostileCase]:
    """Write the hostile corpus into ``directory``; ``include_huge`` adds the slow 100 MP JPEG."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    cases: list[HostileCase] = []

    def add(name: str, payload: bytes, expect: str, **kw: Any) -> None:
        path = d / name
        path.write_bytes(payload)
        cases.append(HostileCase(name=name, path=path, expect=expect, **kw))

    photo = photo_like(W, H, seed=1)
    jpeg = encode(photo, "JPEG", quality=90)
    png = encode(photo, "PNG")
    gif = encode(to_palette(photo), "GIF")
    truncated = ("truncated",)
    corrupt = ("truncated", "corrupt")
    too_large = ("image too large",)
    not_image = ("not an image",)

    add("baseline.jpg", jpeg, "ok", size=(W, H), source_format="JPEG", frames=1)
    add("truncated.jpg", jpeg[: len(jpeg) // 2], "placeholder", reason_contains=truncated)
    add("truncated_header.jpg", jpeg[:300], "placeholder", reason_contains=corrupt)
    add("truncated.png", png[: len(png) * 2 // 3], "placeholder", reason_contains=corrupt)
    add("zero_bytes.jpg", b"", "placeholder", reason_contains=("empty file",))
    add("bomb_100kx100k.png", png_bomb(100_000, 100_000), "placeholder", reason_contains=too_large)
    add("bomb_11kx11k.png", png_bomb(11_000, 11_000), "placeholder", reason_contains=too_large)
    add("bomb_65535.gif", gif_bomb(), "placeholder", reason_contains=too_large)
    add(
        "bomb_header.jpg",
        jpeg_with_declared_size(jpeg, 65_000, 65_000),
        "placeholder",
        reason_contains=too_large,
    )
    add(
        "wide_20000x3.png",
        encode(Image.linear_gradient("L").resize((20_000, 3)), "PNG"),
        "ok",
        size=(960, 1),
    )
    add(
        "tall_3x20000.png",
        encode(Image.linear_gradient("L").resize((3, 20_000)), "PNG"),
        "ok",
        size=(1, 720),
    )
    add(
        "cmyk.jpg",
        encode(Image.new("CMYK", (W, H), (0, 0, 0, 0)), "JPEG", quality=90),
        "ok",
        size=(W, H),
        checks=(_check_cmyk_light,),
    )
    ramp16 = np.tile(np.linspace(0, 65535, W).astype(np.uint16), (H, 1))
    add(
        "gradient_16bit.png",
        encode(Image.fromarray(ramp16), "PNG"),
        "ok",
        size=(W, H),
        checks=(_check_16bit_gradient,),
    )
    pal = Image.new("P", (W, H), 1)
    pal.putpalette([255, 0, 0, 255, 255, 255] + [0, 0, 0] * 254)
    pal.paste(0, (0, 0, W // 2, H))
    add(
        "palette_transparency.png",
        encode(pal, "PNG", transparency=0),
        "ok",
        size=(W, H),
        checks=(_check_transparency_grey,),
    )
    rgba = Image.new("RGBA", (W, H), (255, 255, 255, 255))
    rgba.paste((0, 0, 0, 0), (0, 0, W // 2, H))
    add("rgba_half_transparent.png", encode(rgba, "PNG"), "ok", size=(W, H))
    add("la_mode.png", encode(Image.new("LA", (W, H), (200, 100)), "PNG"), "ok", size=(W, H))
    frames = [to_palette(photo_like(320, 240, seed=s)) for s in (2, 3, 4)]
    add(
        "animated.gif",
        encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0),
        "ok",
        size=(320, 240),
        source_format="GIF",
        frames=3,
    )
    webp_frames = [photo_like(320, 240, seed=s) for s in (5, 6, 7)]
    add(
        "animated.webp",
        encode(webp_frames[0], "WEBP", save_all=True, append_images=webp_frames[1:], duration=100),
        "ok",
        size=(320, 240),
        source_format="WEBP",
        frames=3,
    )
    add(
        "exif_orientation6.jpg",
        exif_rotated_jpeg(),
        "ok",
        size=(200, 400),
        checks=(_check_exif_rotated,),
    )
    bad_exif = Image.Exif()
    bad_exif[0x0112] = 99
    add("exif_orientation_bogus.jpg", encode(photo, "JPEG", exif=bad_exif), "ok", size=(W, H))
    add("png_named.jpg", png, "ok", size=(W, H), source_format="PNG")
    add("jpeg_named.png", jpeg, "ok", size=(W, H), source_format="JPEG")
    add(
        "text_named.jpg", b"This is not an image, just text.\n" * 20, "placeholder", reason_contains=not_image
    )
    add("polyglot_jpeg_zip.jpg", jpeg + zip_bytes(), "ok", size=(W, H), source_format="JPEG")
    add(
        "polyglot_gif_html.gif",
        gif + b"<html><script>alert(1)</script></html>",
        "ok",
        size=(W, H),
        source_format="GIF",
    )
    add(
        "polyglot_html_gif.jpg",
        b"<!DOCTYPE html><html><script>alert(1)</script></html>\n" + gif,
        "placeholder",
        reason_contains=not_image,
    )
    add("polyglot_zip_png.png", zip_bytes() + png, "placeholder", reason_contains=not_image)
    add("lzw.tiff", encode(photo, "TIFF", compression="tiff_lzw"), "ok", size=(W, H), source_format="TIFF")
    add("plain.bmp", encode(photo, "BMP"), "ok", size=(W, H), source_format="BMP")
    add("one_pixel.png", encode(Image.new("RGB", (1, 1), (9, 9, 9)), "PNG"), "ok", size=(1, 1))
    add(
        "big_12mp_named.gif",
        encode(photo_like(4000, 3000, seed=8), "JPEG", quality=85),
        "ok",
        size=(960, 720),
        source_format="JPEG",
    )
    flipped = bytearray(jpeg)
    mid = len(flipped) // 2
    for i in range(mid, mid + 64):
        flipped[i] ^= 0xFF
    # libjpeg recovers from most entropy-data corruption (garbled pixels, not an error); what is
    # required is a clean result of either kind, never an exception.
    add("corrupted_middle.jpg", bytes(flipped), "either", reason_contains=corrupt)
    bad_crc = bytearray(png)
    bad_crc[29] ^= 0xFF  # inside the IHDR CRC
    add("bad_crc.png", bytes(bad_crc), "placeholder", reason_contains=corrupt)
    add(
        "garbage.bin",
        np.random.default_rng(99).integers(0, 256, 65_536, dtype=np.uint8).tobytes(),
        "placeholder",
        reason_contains=not_image,
    )
    add(
        "pdf_named.jpg",
        b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
        "placeholder",
        reason_contains=("unsupported format (PDF)",),
    )
    add(
        "svg_named.png",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>',
        "placeholder",
        reason_contains=("unsupported format (SVG)",),
    )
    if include_huge:
        path = make_100mp_jpeg(d / HUGE_NAME)
        cases.append(HostileCase(HUGE_NAME, path, "ok", size=(720, 720), source_format="JPEG", frames=1))
    return cases


#: Names ``build_corpus`` produces (static, so pytest can parametrise without building anything).
CASE_NAMES: tuple[str, ...] = (
    "baseline.jpg", "truncated.jpg", "truncated_header.jpg", "truncated.png", "zero_bytes.jpg",
    "bomb_100kx100k.png", "bomb_11kx11k.png", "bomb_65535.gif", "bomb_header.jpg", "wide_20000x3.png",
    "tall_3x20000.png", "cmyk.jpg", "gradient_16bit.png", "palette_transparency.png",
    "rgba_half_transparent.png", "la_mode.png", "animated.gif", "animated.webp", "exif_orientation6.jpg",
    "exif_orientation_bogus.jpg", "png_named.jpg", "jpeg_named.png", "text_named.jpg",
    "polyglot_jpeg_zip.jpg", "polyglot_gif_html.gif", "polyglot_html_gif.jpg", "polyglot_zip_png.png",
    "lzw.tiff", "plain.bmp", "one_pixel.png", "big_12mp_named.gif", "corrupted_middle.jpg", "bad_crc.png",
    "garbage.bin", "pdf_named.jpg", "svg_named.png",
)  # fmt: skip

BUDGET_REFUSAL = ("would need",)


def budget_cases(directory: Path) -> list[HostileCase]:
    """The four issue-11 memory cases: small files whose decode would need hundreds of MB."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    cases = []
    files = {
        "rgb_10000x10000.png": png_of_rows(10_000, 10_000, 2, 8, bytes(30_000)),
        "bilevel_10000x10000.tiff": tiff_1bit(10_000, 10_000),
        "grey16_100mp.png": png_of_rows(10_000, 10_000, 0, 16, bytes(20_000)),
    }
    for name, payload in files.items():
        (d / name).write_bytes(payload)
        cases.append(HostileCase(name, d / name, "placeholder", reason_contains=BUDGET_REFUSAL))
    video = big_h264(d / "h264_8000x8000.mp4")
    cases.append(HostileCase(video.name, video, "placeholder", reason_contains=BUDGET_REFUSAL, kind="video"))
    return cases


BUDGET_CASE_NAMES = (
    "rgb_10000x10000.png",
    "bilevel_10000x10000.tiff",
    "grey16_100mp.png",
    "h264_8000x8000.mp4",
)

_CACHE: dict[str, Any] = {}


def shared_corpus(tmp_path_factory: Any) -> dict[str, HostileCase]:
    """The corpus (without the 100 MP file), built once per pytest session and shared by modules."""
    if "corpus" not in _CACHE:
        cases = build_corpus(tmp_path_factory.mktemp("hostile"))
        _CACHE["corpus"] = {case.name: case for case in cases}
    return _CACHE["corpus"]


def shared_huge_case(tmp_path_factory: Any) -> HostileCase:
    """The 100 MP JPEG case, generated once per pytest session (takes a couple of seconds)."""
    if "huge" not in _CACHE:
        path = make_100mp_jpeg(tmp_path_factory.mktemp("huge") / HUGE_NAME)
        _CACHE["huge"] = HostileCase(HUGE_NAME, path, "ok", size=(720, 720), source_format="JPEG", frames=1)
    return _CACHE["huge"]


def shared_budget_cases(tmp_path_factory: Any) -> dict[str, HostileCase]:
    """``budget_cases``, built once per pytest session (the video takes a couple of seconds)."""
    if "budget" not in _CACHE:
        cases = budget_cases(tmp_path_factory.mktemp("budget"))
        _CACHE["budget"] = {case.name: case for case in cases}
    return _CACHE["budget"]
