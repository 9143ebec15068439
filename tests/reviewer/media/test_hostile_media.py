"""Every generated hostile file yields a correct preview or a specific placeholder, and never raises."""

from __future__ import annotations

import numpy as np
import pytest

from reviewer.media.decode_guard import DecodePool
from reviewer.media.preview import PreviewResult, render_preview, render_preview_bytes
from tests.support import hostile_media as hm
from tests.support.waiting import PROCESS_WAIT_S

# The 121 MP bomb makes Pillow warn before our own pixel check refuses it; that path is what we test here
# (test_preview covers the warning-as-error path).
pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, hm.HostileCase]:
    return hm.shared_corpus(tmp_path_factory)


@pytest.fixture(scope="session")
def huge_case(tmp_path_factory: pytest.TempPathFactory) -> hm.HostileCase:
    return hm.shared_huge_case(tmp_path_factory)


def assert_consistent(res: PreviewResult) -> None:
    assert isinstance(res, PreviewResult)
    assert res.elapsed_ms >= 0
    if res.ok:
        assert res.reason is None
        assert res.blurred is not None and res.sharp is not None
        assert (res.blurred.width, res.blurred.height) == (res.sharp.width, res.sharp.height)
        for img in (res.blurred, res.sharp):
            assert img.width >= 1 and img.height >= 1
            assert img.width <= 960 and img.height <= 720
            assert img.mode == "L"
            assert len(img.data) == img.bytes_per_line * img.height
    else:
        assert res.blurred is None and res.sharp is None
        assert res.reason and res.reason.startswith("Cannot display: ")


def check_case(case: hm.HostileCase, res: PreviewResult) -> None:
    assert_consistent(res)
    if case.expect == "ok" or (case.expect == "either" and res.ok):
        assert res.ok, f"{case.name}: {res.reason}"
        assert res.sharp is not None
        if case.size is not None:
            assert (res.sharp.width, res.sharp.height) == case.size
        if case.source_format is not None:
            assert res.source_format == case.source_format
        if case.frames is not None:
            assert res.frames == case.frames
        for check in case.checks:
            check(res)
    else:
        assert not res.ok, f"{case.name} should have been refused"
        assert any(part in (res.reason or "") for part in case.reason_contains), res.reason


@pytest.mark.parametrize("name", hm.CASE_NAMES)
def test_corpus_case(name: str, corpus: dict[str, hm.HostileCase]) -> None:
    case = corpus[name]
    check_case(case, render_preview(case.path))


@pytest.mark.parametrize("name", hm.CASE_NAMES)
def test_corpus_case_in_a_worker(
    name: str, corpus: dict[str, hm.HostileCase], module_pool: DecodePool
) -> None:
    case = corpus[name]
    check_case(case, module_pool.preview(case.path.read_bytes(), timeout_s=PROCESS_WAIT_S))


@pytest.mark.parametrize("name", hm.CASE_NAMES)
def test_corpus_case_from_bytes(name: str, corpus: dict[str, hm.HostileCase]) -> None:
    case = corpus[name]
    check_case(case, render_preview_bytes(case.path.read_bytes()))


def test_corpus_is_complete(corpus: dict[str, hm.HostileCase]) -> None:
    assert tuple(corpus) == hm.CASE_NAMES
    names = set(corpus)
    required = {
        "truncated.jpg", "truncated.png", "zero_bytes.jpg", "bomb_100kx100k.png", "bomb_65535.gif",
        "bomb_header.jpg", "wide_20000x3.png", "tall_3x20000.png", "cmyk.jpg", "gradient_16bit.png",
        "palette_transparency.png", "animated.gif", "animated.webp", "exif_orientation6.jpg",
        "png_named.jpg", "text_named.jpg", "polyglot_jpeg_zip.jpg", "lzw.tiff", "corrupted_middle.jpg",
        "garbage.bin",
    }  # fmt: skip
    assert required <= names


def test_100_megapixel_image_renders(huge_case: hm.HostileCase, monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import ImageFile

    decoded: list[tuple[int, int]] = []
    load = ImageFile.ImageFile.load

    def spy(im: ImageFile.ImageFile):  # type: ignore[no-untyped-def]
        decoded.append(im.size)  # the size libjpeg decodes at, after draft()
        return load(im)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    res = render_preview(huge_case.path)
    check_case(huge_case, res)
    assert res.source_size == (10_000, 10_000)
    # JPEG draft decode at 1/8 scale, not 100 MP of pixels (its speed is measured in bench/).
    assert decoded and max(w * h for w, h in decoded) <= (10_000 // 8) ** 2, decoded


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow warns about corrupt TIFF/EXIF tags
def test_mutated_files_never_raise(corpus: dict[str, hm.HostileCase]) -> None:
    """Seeded byte-level fuzz over each supported format: flips, truncations, splices."""
    rng = np.random.default_rng(2024)
    seeds = [corpus[n].path.read_bytes() for n in ("baseline.jpg", "png_named.jpg", "animated.gif",
                                                   "animated.webp", "lzw.tiff", "plain.bmp")]  # fmt: skip
    outcomes = {True: 0, False: 0}
    for data in seeds:
        for _ in range(25):
            buf = bytearray(data)
            kind = rng.integers(0, 3)
            if kind == 0:
                for pos in rng.integers(0, len(buf), size=int(rng.integers(1, 16))):
                    buf[pos] = int(rng.integers(0, 256))
            elif kind == 1:
                buf = buf[: int(rng.integers(1, len(buf)))]
            else:
                start = int(rng.integers(0, len(buf)))
                buf[start:start] = rng.integers(0, 256, int(rng.integers(1, 512)), dtype=np.uint8).tobytes()
            res = render_preview_bytes(bytes(buf))
            assert_consistent(res)
            outcomes[res.ok] += 1
    assert outcomes[False] > 0  # the fuzz really does hit the error paths
