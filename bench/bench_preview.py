"""Benchmark: 12 MP JPEG -> blurred greyscale 960x720 preview (``reviewer.media.preview``).

Generates a photo-like 4000x3000 JPEG (smooth colour fields, gradient, mild per-pixel noise;
quality 90) once into ``bench/.cache/``, renders it 30 times and reports median / p95 milliseconds.

    .venv/bin/python bench/bench_preview.py

``run() -> dict`` returns ``{"preview_12mp_median_ms": ..., "preview_12mp_p95_ms": ...}`` for a bench
runner. Target: median < 50 ms. JPEG entropy decoding of the whole file dominates (``draft()``
already decodes at 1/4 scale), so the time scales with the compressed size of the file.

The app decodes in worker processes (``reviewer.media.decode_guard.DecodePool``), so the same render is
also timed through a warm worker (bytes in, pixels out over a pipe), interleaved with the in-process
runs: ``preview_12mp_worker_median_ms`` and the difference of the medians, ``preview_worker_overhead_ms``.
The worker's start (a new interpreter importing Pillow, numpy and PyAV) is timed once as
``preview_worker_start_ms`` (first decode on a new pool minus a warm decode).

Stored previews (``reviewer.media.derived``, made once when media arrive): the 12 MP JPEG and a demo
image are stored sealed with their previews in a temporary database, then each is *shown* as the window
does (``ui.review.preview_cache.prepare`` with the store's previews: read + decrypt + check + decode of
the stored blurred JPEG + its QImage: what the window waits for before it can paint the case; the clear
image a reveal paints is decoded after it, on a media thread, timed apart as ``*_clear_ms``), ``RUNS``
times each: ``stored_preview_show_ms`` (median, the 12 MP photo; target < 5), its p95 and CPU time
(``*_cpu_ms``, the calling thread's), the demo image's median, and the same show from the original
(read + decrypt + decode in a warm worker), ``original_show_ms``, for comparison. Run as its own
process; the key is kept in a keyrings.alt file keyring in the temporary folder (as ``bench_unseal``).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

CACHE = Path(__file__).resolve().parent / ".cache"
SOURCE = CACHE / "photo_12mp_q90.jpg"
RUNS = 30
WIDTH, HEIGHT = 4000, 3000


def make_source(path: Path = SOURCE) -> Path:
    """Write the deterministic 12 MP test JPEG (kept in bench/.cache/, which git ignores)."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(12)

    def field(cells: int, resample: Image.Resampling) -> Image.Image:
        small = rng.integers(0, 256, (HEIGHT // cells, WIDTH // cells, 3), dtype=np.uint8)
        return Image.fromarray(small).resize((WIDTH, HEIGHT), resample)

    img = Image.blend(field(100, Image.Resampling.BICUBIC), field(10, Image.Resampling.BILINEAR), 0.3)
    grad = Image.linear_gradient("L").resize((WIDTH, HEIGHT), Image.Resampling.BILINEAR).convert("RGB")
    img = Image.blend(img, grad, 0.25)
    noise = Image.fromarray(rng.integers(0, 256, (HEIGHT, WIDTH), dtype=np.uint8)).convert("RGB")
    img = Image.blend(img, noise, 0.08)
    tmp = path.with_suffix(".tmp")
    img.save(tmp, "JPEG", quality=90)
    tmp.replace(path)
    return path


def run(runs: int = RUNS) -> dict[str, float]:
    """Render the 12 MP JPEG ``runs`` times (after one warm-up); return median and p95 in ms."""
    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    from reviewer.media.decode_guard import DecodePool
    from reviewer.media.preview import PreviewSpec, render_preview

    source = make_source()
    data = source.read_bytes()
    spec = PreviewSpec()
    warm = render_preview(source, spec)
    if not warm.ok or warm.blurred is None or (warm.blurred.width, warm.blurred.height) != (960, 720):
        raise RuntimeError(f"benchmark image did not render as expected: {warm.reason}")
    pool = DecodePool(workers=1)
    try:
        t0 = time.perf_counter()
        first = pool.preview(data, spec, timeout_s=60)
        first_ms = (time.perf_counter() - t0) * 1000.0
        if not first.ok or first.blurred is None or first.blurred.data != warm.blurred.data:
            raise RuntimeError(f"the worker did not render the same image: {first.reason}")
        times: list[float] = []
        worker_times: list[float] = []
        for _ in range(runs):
            t0 = time.perf_counter()
            render_preview(source, spec)
            times.append((time.perf_counter() - t0) * 1000.0)
            t0 = time.perf_counter()
            pool.preview(data, spec, timeout_s=60)
            worker_times.append((time.perf_counter() - t0) * 1000.0)
    finally:
        pool.shutdown()
    median, worker_median = statistics.median(times), statistics.median(worker_times)
    return {
        "preview_12mp_median_ms": round(median, 2),
        "preview_12mp_p95_ms": round(_p95(times), 2),
        "preview_12mp_worker_median_ms": round(worker_median, 2),
        "preview_12mp_worker_p95_ms": round(_p95(worker_times), 2),
        "preview_worker_overhead_ms": round(worker_median - median, 2),
        "preview_worker_start_ms": round(first_ms - worker_median, 1),
    } | stored_show(runs)


def stored_show(runs: int = RUNS) -> dict[str, float]:
    """Show time from stored previews against decoding the original (see the module docstring)."""
    import os
    import tempfile

    from bench_unseal import _demo_jpeg

    with tempfile.TemporaryDirectory(prefix="bench-stored-preview-") as tmp:
        folder = Path(tmp)
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
        os.environ["XDG_DATA_HOME"] = str(folder / "xdg")
        os.environ["REVIEWER_DATA_DIR"] = str(folder / "data")
        from reviewer.media.arrival import derive_stored
        from reviewer.media.decode_guard import DecodePool
        from reviewer.media.preview import PreviewSpec
        from reviewer.media.store import MediaStore
        from reviewer.paths import sqlite_url
        from reviewer.storage.migrate import open_database
        from reviewer.vault.opening import ensure_vault
        from ui.review.feature import media_reader, stored_previews
        from ui.review.preview_cache import prepare

        db = open_database(sqlite_url(folder / "bench.sqlite3"))
        store = MediaStore(db.media_dir, ensure_vault(db))
        spec = PreviewSpec()
        read, previews = media_reader(db), stored_previews(db)
        pool = DecodePool(workers=1)
        out: dict[str, float] = {}
        try:
            for name, data in (("12mp", make_source().read_bytes()), ("demo", _demo_jpeg())):
                sha = store.put_bytes(data)
                made = derive_stored(store, sha, pool)
                if made is None or not made.ok:
                    raise RuntimeError(f"no stored preview for the {name} image")
                path = store.path_for(sha)
                prepare(sha, path, spec, pool, read)  # warm: the worker, the store's key
                shown, shown_cpu, clear, original = [], [], [], []
                for _ in range(runs):
                    c0, t0 = time.thread_time(), time.perf_counter()
                    got = prepare(sha, path, spec, pool, read, previews)
                    shown.append((time.perf_counter() - t0) * 1000.0)
                    shown_cpu.append((time.thread_time() - c0) * 1000.0)
                    if not got.ok or got.blurred is None or got.blurred.isNull():
                        raise RuntimeError(f"the stored preview of the {name} image did not show")
                    # The clear image (a reveal's): made on a media thread after the blurred one is shown.
                    t0 = time.perf_counter()
                    sharp = got.sharp
                    clear.append((time.perf_counter() - t0) * 1000.0)
                    if sharp is None or sharp.size() != got.blurred.size():
                        raise RuntimeError(f"the stored clear image of the {name} image did not decode")
                    t0 = time.perf_counter()
                    prepare(sha, path, spec, pool, read)
                    original.append((time.perf_counter() - t0) * 1000.0)
                key = "stored_preview_show" if name == "12mp" else "stored_preview_show_demo"
                out[f"{key}_ms"] = round(statistics.median(shown), 2)
                out[f"{key}_p95_ms"] = round(_p95(shown), 2)
                out[f"{key}_cpu_ms"] = round(statistics.median(shown_cpu), 2)
                out[f"{key}_clear_ms"] = round(statistics.median(clear), 2)
                out["original_show_ms" if name == "12mp" else "original_show_demo_ms"] = round(
                    statistics.median(original), 2
                )
                out[f"stored_preview_bytes_{name}"] = float(store.derived_path(sha).stat().st_size)
        finally:
            pool.shutdown()
    return out


def _p95(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(0.95 * len(s)) - 1))]


def main() -> None:
    result = run()
    size_mb = SOURCE.stat().st_size / 1e6
    print(f"12 MP JPEG ({size_mb:.1f} MB, q90) -> blurred greyscale 960x720, {RUNS} runs")
    print(f"median {result['preview_12mp_median_ms']:.1f} ms   p95 {result['preview_12mp_p95_ms']:.1f} ms")
    print(
        f"via a worker process: median {result['preview_12mp_worker_median_ms']:.1f} ms "
        f"(+{result['preview_worker_overhead_ms']:.1f} ms); worker start {result['preview_worker_start_ms']:.0f} ms"
    )
    print(result)


def main_stored() -> None:
    """``--stored``: only the stored-preview show (``stored_show``), for A/B runs of that figure."""
    print(stored_show())


if __name__ == "__main__":
    from _util import busy_load, load_requested

    with busy_load(load_requested()):  # --load: one busy process beside it
        main_stored() if "--stored" in sys.argv else main()
