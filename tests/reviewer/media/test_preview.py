"""Unit tests for the preview pipeline: spec clamping, blur, greyscale, geometry, EXIF, limits.

(The timeout and the worker processes are tested in test_decode_pool.py, the budget in test_decode_budget.py.)
"""

from __future__ import annotations

import io
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile, ImageFilter

from reviewer.media import limits
from reviewer.media.preview import (
    PreviewResult,
    PreviewSpec,
    RenderedImage,
    display_blur,
    fit_size,
    placeholder,
    render_preview,
    render_preview_bytes,
)
from tests.support import hostile_media as hm


def as_array(img: RenderedImage) -> np.ndarray:
    shape = (img.height, img.width, 3) if img.mode == "RGB" else (img.height, img.width)
    return np.frombuffer(img.data, np.uint8).reshape(shape).astype(np.float64)


def laplacian_variance(img: RenderedImage) -> float:
    a = as_array(img)
    if a.ndim == 3:
        a = a.mean(axis=2)
    lap = 4 * a[1:-1, 1:-1] - a[:-2, 1:-1] - a[2:, 1:-1] - a[1:-1, :-2] - a[1:-1, 2:]
    return float(lap.var())


@pytest.fixture(scope="module")
def photo_jpeg() -> bytes:
    return hm.encode(hm.photo_like(1600, 1200, seed=11), "JPEG", quality=90)


# --------------------------------------------------------------------------- spec


def test_limits_are_applied_at_import() -> None:
    assert Image.MAX_IMAGE_PIXELS == limits.MAX_IMAGE_PIXELS
    assert 100_000_000 < limits.MAX_IMAGE_PIXELS <= 120_000_000
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    assert limits.MAX_FRAMES_READ == 1


def test_default_spec_is_safe() -> None:
    spec = PreviewSpec()
    assert (spec.max_width, spec.max_height) == (960, 720)
    assert spec.blur_px >= 8
    assert spec.greyscale is True


@pytest.mark.parametrize(
    ("given", "expected"),
    [(100.0, 40.0), (40.0, 40.0), (-3.0, 0.0), (0.0, 0.0), (9.5, 9.5), (math.nan, 12.0), (math.inf, 12.0)],
)
def test_blur_is_clamped(given: float, expected: float) -> None:
    assert PreviewSpec(blur_px=given).blur_px == expected


def test_box_is_clamped() -> None:
    spec = PreviewSpec(max_width=0, max_height=10**9)
    assert spec.max_width == 1
    assert spec.max_height == limits.MAX_PREVIEW_EDGE


@pytest.mark.parametrize(
    ("size", "box", "expected"),
    [
        ((4000, 3000), (960, 720), (960, 720)),
        ((3000, 4000), (960, 720), (540, 720)),
        ((640, 480), (960, 720), (640, 480)),  # never upscale
        ((20000, 3), (960, 720), (960, 1)),
        ((3, 20000), (960, 720), (1, 720)),
        ((65535, 1), (960, 720), (960, 1)),
        ((1, 1), (960, 720), (1, 1)),
    ],
)
def test_fit_size(size: tuple[int, int], box: tuple[int, int], expected: tuple[int, int]) -> None:
    assert fit_size(size, box) == expected


# --------------------------------------------------------------------------- pixels


def test_greyscale_output_is_mode_l_and_tightly_packed(photo_jpeg: bytes) -> None:
    res = render_preview_bytes(photo_jpeg)
    assert res.ok and res.blurred and res.sharp
    for img in (res.blurred, res.sharp):
        assert img.mode == "L"
        assert (img.width, img.height) == (960, 720)
        assert img.bytes_per_line == img.width
        assert len(img.data) == img.width * img.height


def test_colour_output_is_rgb(photo_jpeg: bytes) -> None:
    res = render_preview_bytes(photo_jpeg, PreviewSpec(greyscale=False))
    assert res.ok and res.blurred and res.sharp
    assert res.sharp.mode == res.blurred.mode == "RGB"
    assert len(res.sharp.data) == res.sharp.bytes_per_line * res.sharp.height == 960 * 720 * 3
    chroma = np.abs(np.diff(as_array(res.sharp), axis=2)).mean()
    assert chroma > 1, "colour preview should keep colour"


def test_blur_actually_blurs(photo_jpeg: bytes) -> None:
    res = render_preview_bytes(photo_jpeg)
    assert res.ok and res.blurred and res.sharp
    assert (res.blurred.width, res.blurred.height) == (res.sharp.width, res.sharp.height)
    sharp, blurred = laplacian_variance(res.sharp), laplacian_variance(res.blurred)
    # What is left after a sigma-12 blur is mostly 8-bit rounding noise (Laplacian variance ~1-2).
    assert blurred < sharp * 0.05, (sharp, blurred)
    assert blurred < 3.0, blurred
    # Same scene: overall brightness preserved.
    assert abs(as_array(res.sharp).mean() - as_array(res.blurred).mean()) < 3


def test_stronger_blur_removes_more_detail(photo_jpeg: bytes) -> None:
    weak = render_preview_bytes(photo_jpeg, PreviewSpec(blur_px=2))
    strong = render_preview_bytes(photo_jpeg, PreviewSpec(blur_px=20))
    assert weak.blurred and strong.blurred
    assert laplacian_variance(strong.blurred) < laplacian_variance(weak.blurred)


def test_zero_blur_means_blurred_equals_sharp(photo_jpeg: bytes) -> None:
    res = render_preview_bytes(photo_jpeg, PreviewSpec(blur_px=0))
    assert res.blurred and res.sharp
    assert res.blurred.data == res.sharp.data


def test_blur_above_40_behaves_like_40(photo_jpeg: bytes) -> None:
    a = render_preview_bytes(photo_jpeg, PreviewSpec(blur_px=1000))
    b = render_preview_bytes(photo_jpeg, PreviewSpec(blur_px=40))
    assert a.blurred and b.blurred and a.blurred.data == b.blurred.data


def test_display_blur_matches_true_gaussian() -> None:
    img = hm.photo_like(960, 720, seed=3, mode="L")
    fast = np.asarray(display_blur(img, 12), dtype=np.float64)
    exact = np.asarray(img.filter(ImageFilter.GaussianBlur(12)), dtype=np.float64)
    assert np.abs(fast - exact)[40:-40, 40:-40].mean() < 2.0


@pytest.mark.parametrize(
    ("orientation", "shown"), [(6, "top-right"), (8, "bottom-left"), (3, "bottom-right")]
)
def test_exif_orientation_is_honoured(orientation: int, shown: str) -> None:
    img = Image.new("RGB", (400, 200), (0, 0, 0))
    img.paste((255, 255, 255), (0, 0, 100, 60))  # stored top-left block
    exif = Image.Exif()
    exif[0x0112] = orientation
    res = render_preview_bytes(hm.encode(img, "JPEG", quality=95, exif=exif))
    assert res.ok and res.sharp
    expected_size = (200, 400) if orientation in (6, 8) else (400, 200)
    assert (res.sharp.width, res.sharp.height) == expected_size
    a = as_array(res.sharp)
    corners = {
        "top-right": a[:40, -50:],
        "bottom-left": a[-40:, :50],
        "bottom-right": a[-40:, -50:],
    }
    assert corners[shown].mean() > 200
    assert a[:40, :50].mean() < 60


def test_exif_rotation_fits_box_after_rotation() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    res = render_preview_bytes(hm.encode(hm.photo_like(2000, 1000), "JPEG", exif=exif))
    assert res.ok and res.sharp
    assert (res.sharp.width, res.sharp.height) == (360, 720)
    assert res.source_size == (2000, 1000)


def test_transparency_composited_over_grey_in_colour() -> None:
    rgba = Image.new("RGBA", (100, 100), (255, 0, 0, 0))
    res = render_preview_bytes(hm.encode(rgba, "PNG"), PreviewSpec(greyscale=False, blur_px=0))
    assert res.ok and res.sharp
    assert set(res.sharp.data) == {128}


# --------------------------------------------------------------------------- refusals & plumbing


def test_path_and_bytes_agree(tmp_path: Path, photo_jpeg: bytes) -> None:
    p = tmp_path / "x.bin"
    p.write_bytes(photo_jpeg)
    a, b = render_preview(p), render_preview_bytes(photo_jpeg)
    assert a.ok and b.ok and a.blurred and b.blurred
    assert a.blurred.data == b.blurred.data
    assert a.source_size == b.source_size == (1600, 1200)
    assert a.source_format == "JPEG"
    assert a.elapsed_ms > 0


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = render_preview(tmp_path / "nope.jpg")
    assert not missing.ok and missing.reason == "Cannot display: file not found"
    directory = render_preview(tmp_path)
    assert not directory.ok and "not a regular file" in (directory.reason or "")


def test_file_size_limit(monkeypatch: pytest.MonkeyPatch, photo_jpeg: bytes) -> None:
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    res = render_preview_bytes(photo_jpeg)
    assert not res.ok and "file too large" in (res.reason or "")


def test_pixel_limit_checked_before_decode_even_without_warning_filter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Pillow only *warns* between 1x and 2x MAX_IMAGE_PIXELS; our own check must refuse anyway.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = render_preview_bytes(hm.png_bomb(11_000, 11_000))
    assert not res.ok
    assert res.reason == "Cannot display: image too large (11000x11000, 121.0 megapixels, limit 110)"
    assert res.source_size == (11_000, 11_000)

    monkeypatch.setattr(limits, "MAX_IMAGE_PIXELS", 1000)
    small = render_preview_bytes(hm.encode(Image.new("L", (100, 100)), "PNG"))
    assert not small.ok and "image too large" in (small.reason or "")


def test_bomb_warning_as_error_is_a_placeholder() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        res = render_preview_bytes(hm.png_bomb(11_000, 11_000))
    assert not res.ok
    assert res.reason == "Cannot display: image too large (121.0 megapixels, limit 110)"


def test_placeholder_shape() -> None:
    res = placeholder("not an image", PreviewSpec())
    assert isinstance(res, PreviewResult)
    assert (res.ok, res.blurred, res.sharp) == (False, None, None)
    assert res.reason == "Cannot display: not an image"


def test_bytes_like_input(photo_jpeg: bytes) -> None:
    assert render_preview_bytes(bytearray(photo_jpeg)).ok
    assert render_preview_bytes(memoryview(photo_jpeg)).ok


def test_rendered_bytes_round_trip_to_pillow(photo_jpeg: bytes) -> None:
    # The UI wraps these bytes in a QImage; Pillow's frombytes uses the same packed layout.
    res = render_preview_bytes(photo_jpeg, PreviewSpec(greyscale=False))
    assert res.blurred
    img = Image.frombytes("RGB", (res.blurred.width, res.blurred.height), res.blurred.data)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    assert buf.tell() > 0
