"""The decode budget: worked out from the header, honest about what a decode allocates, and enforced
before any pixel is decoded (images and video frames), in process and in the decode workers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from reviewer.media import budget
from reviewer.media.decode_guard import DecodePool
from reviewer.media.preview import PreviewSpec, fit_size, render_preview, render_preview_bytes
from reviewer.media.storyboard import storyboard
from tests.support import hostile_media as hm
from tests.support.waiting import PROCESS_WAIT_S

MB = 1024 * 1024
SPEC = PreviewSpec()


@pytest.fixture(scope="session")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, hm.HostileCase]:
    return hm.shared_budget_cases(tmp_path_factory)


def test_the_four_cases_are_small_files(cases: dict[str, hm.HostileCase]) -> None:
    assert tuple(cases) == hm.BUDGET_CASE_NAMES
    assert all(c.path.stat().st_size < 400_000 for c in cases.values())


@pytest.mark.parametrize("name", hm.BUDGET_CASE_NAMES)
def test_refused_from_the_header_in_process(cases: dict[str, hm.HostileCase], name: str) -> None:
    case = cases[name]
    result = storyboard(case.path, SPEC) if case.kind == "video" else render_preview(case.path, SPEC)
    assert not result.ok
    assert "would need" in (result.reason or "") and "(limit 96 MB)" in (result.reason or "")


def test_reason_wording(cases: dict[str, hm.HostileCase]) -> None:
    result = render_preview(cases["rgb_10000x10000.png"].path)
    assert result.reason == "Cannot display: 10000 × 10000 would need 403 MB to decode (limit 96 MB)"
    assert result.over_budget  # the zoom retries smaller on this flag, never on the wording
    video = storyboard(cases["h264_8000x8000.mp4"].path)
    assert video.reason and video.reason.startswith("Cannot display: video frames of 8000 × 8000 would need ")


def test_refused_in_a_worker_without_allocating(
    cases: dict[str, hm.HostileCase], one_worker: DecodePool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The process model's version of "peak memory grows by less than 20 MB": the worker's own peak RSS
    (VmHWM) after a normal decode, then after the three images and the corpus's bombs (< 20 MB more),
    then after the 8000x8000 video (< 40 MB more: FFmpeg sizes its per-macroblock tables from the
    header while probing; the 373 MB of frames are never allocated)."""
    warm = hm.encode(hm.photo_like(640, 480, seed=4), "JPEG")
    assert one_worker.preview(warm, SPEC, timeout_s=PROCESS_WAIT_S).ok
    before = one_worker.peak_worker_rss_kb
    images = [c for c in cases.values() if c.kind == "image"]
    for case in images:
        result = one_worker.preview(case.path.read_bytes(), SPEC, timeout_s=PROCESS_WAIT_S)
        assert not result.ok and "would need" in (result.reason or ""), result.reason
        assert result.over_budget  # the flag crosses the process boundary with the result
    corpus = hm.shared_corpus(tmp_path_factory)
    for name in ("bomb_100kx100k.png", "bomb_11kx11k.png", "bomb_65535.gif", "bomb_header.jpg"):
        bomb = corpus[name].path.read_bytes()
        assert "image too large" in (one_worker.preview(bomb, SPEC, timeout_s=PROCESS_WAIT_S).reason or "")
    assert one_worker.peak_worker_rss_kb - before < 20 * 1024, (before, one_worker.peak_worker_rss_kb)
    video = one_worker.storyboard(
        cases["h264_8000x8000.mp4"].path.read_bytes(), SPEC, timeout_s=PROCESS_WAIT_S
    )
    assert not video.ok and "would need" in (video.reason or ""), video.reason
    assert one_worker.peak_worker_rss_kb - before < 40 * 1024, (before, one_worker.peak_worker_rss_kb)
    assert len(one_worker.pids()) == 1  # the same worker did all of it


def _under_budget() -> dict[str, bytes]:
    return {
        "rgb_png_4000x3000": hm.png_of_rows(
            4000, 3000, 2, 8, bytes(range(256)) * 46 + bytes(12_000 - 256 * 46)
        ),
        "grey16_png_3000x3000": hm.png_of_rows(3000, 3000, 0, 16, bytes(6000)),
        "bilevel_tiff_6000x6000": hm.tiff_1bit(6000, 6000),
        "rgba_png_3000x3000": hm.png_of_rows(3000, 3000, 6, 8, bytes(12_000)),
        "webp_2500x2000": hm.encode(hm.photo_like(2500, 2000), "WEBP"),
    }


def _estimate(data: bytes) -> int:
    with Image.open(io.BytesIO(data)) as im:
        return budget.image_peak_bytes(
            im.mode,
            im.size,
            fit_size(im.size, (SPEC.max_width, SPEC.max_height)),
            transparent="transparency" in im.info,
            greyscale=SPEC.greyscale,
            decoder_canvases=3 if im.format == "WEBP" else 0,
        )


@pytest.mark.parametrize("name", list(_under_budget()))
def test_estimate_bounds_what_the_decode_really_takes(name: str, one_worker: DecodePool) -> None:
    """Under the budget the decode succeeds, and the worker's peak RSS grows by no more than the
    estimate (+4 MB for the allocator), and by at least half of it (the estimate is not a wild guess)."""
    data = _under_budget()[name]
    estimate = _estimate(data)
    assert estimate <= budget.DECODE_BUDGET_BYTES
    assert one_worker.preview(
        hm.encode(Image.new("RGB", (64, 64)), "JPEG"), SPEC, timeout_s=PROCESS_WAIT_S
    ).ok
    before = one_worker.peak_worker_rss_kb * 1024
    assert one_worker.preview(data, SPEC, timeout_s=PROCESS_WAIT_S).ok
    grew = one_worker.peak_worker_rss_kb * 1024 - before
    assert estimate / 2 < grew < estimate + 4 * MB, (estimate / MB, grew / MB)


def test_a_large_jpeg_is_decoded_reduced_not_refused(tmp_path_factory: pytest.TempPathFactory) -> None:
    huge = hm.shared_huge_case(tmp_path_factory)  # 10000x10000: 100 MB at full size, 1.5 MB at 1/8
    result = render_preview(huge.path, SPEC)
    assert result.ok and result.source_size == (10_000, 10_000)


def test_budget_is_the_limit_given() -> None:
    data = hm.encode(Image.new("RGB", (1000, 1000)), "PNG")
    assert render_preview_bytes(data, SPEC).ok
    small = render_preview_bytes(data, SPEC, decode_budget=1 * MB)
    assert not small.ok and small.reason and small.reason.endswith("(limit 1 MB)")


def test_video_estimates() -> None:
    frame_4k = 3904 * 2224 * 3 // 2  # 3840x2160 yuv420p, padded
    assert budget.video_peak_bytes(frame_4k, "h264", 3840, 2160, 51) <= budget.DECODE_BUDGET_BYTES
    assert budget.reference_frames("h264", 1920, 1080, 40) == 4
    assert budget.reference_frames("h264", 1920, 1080, None) == 16  # level unknown: the most H.264 allows
    frame_8k = 8064 * 8064 * 3 // 2
    assert budget.video_peak_bytes(frame_8k, "h264", 8000, 8000, 62) > budget.DECODE_BUDGET_BYTES


@pytest.mark.parametrize(
    ("mode", "transparent", "greyscale", "converted"),
    [
        ("1", False, True, "L"),
        ("P", False, True, "L"),
        ("P", True, False, "RGBA"),
        ("I;16", False, False, "L"),
        ("RGB", False, True, "RGB"),
        ("CMYK", False, True, "CMYK"),
        ("L", True, True, "LA"),
    ],
)
def test_what_is_converted_before_shrinking(
    mode: str, transparent: bool, greyscale: bool, converted: str
) -> None:
    assert budget.display_mode_before_resize(mode, transparent, greyscale) == converted


def test_budget_case_files_decode_to_what_they_say(cases: dict[str, hm.HostileCase]) -> None:
    expected = {"rgb_10000x10000.png": "RGB", "bilevel_10000x10000.tiff": "1", "grey16_100mp.png": "I;16"}
    for name, mode in expected.items():
        with Image.open(Path(cases[name].path)) as im:
            assert (im.mode, im.size) == (mode, (10_000, 10_000))


def test_only_a_budget_refusal_is_flagged_over_budget() -> None:
    assert not render_preview_bytes(b"not an image at all").over_budget
