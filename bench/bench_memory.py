"""Benchmark: peak memory (RSS) of the app with the 1M-case database open, in a child process.

The child (offscreen Qt) starts as the ``reviewer`` command does (``ui.shell.launcher`` and its
``prepare_app_start``; without them the child carried ~30 MB the app never holds, mostly the module
sources PySide's per-import check keeps in ``linecache``), opens the real ``MainWindow`` on a temp copy of
the cached 1M database (``backup=False``), waits for the first case, then:

1. scrolls the queue model through 50,000 rows (``fetchMore`` until ``rowCount() >= 50_000``, 250 pages;
   the model pages lazily, so any of the 1M rows is reachable without loading them all);
2. fills the ``PreviewCache`` to its 96 MB budget with distinct real images (960x720 demo scenes);
3. (honesty check) keeps fetching until **all** open cases (~850k of the 1M rows) are in the model; the
   model keeps each fetched row as a packed 32-byte key and full rows only in a small cache
   (``ui.review.queue_model``), so this peak is the app with everything scrolled and the cache full;
4. sends the repo's hostile corpus (``tests/support/hostile_media.py``: bombs, truncated files,
   polyglots, the 100 MP JPEG) and the four issue-11 cases (a 10000x10000 RGB PNG, a 1-bit 10000x10000
   TIFF, a 16-bit 100 MP PNG, an 8000x8000 H.264 video; generated here) through the cache, i.e. through
   the decode worker processes, while a thread samples the RSS of the app **and** its workers every 5 ms
   (``/proc/<pid>/status`` VmRSS, summed); it also reports the app's own VmHWM, each worker's VmHWM as
   the workers report it, and the bound app VmHWM + workers x worker VmHWM (target < 600 MB).

After each stage it reports its peak RSS (``VmHWM``, the same figure as ``getrusage(...).ru_maxrss``);
the parent also reads ``RUSAGE_CHILDREN`` maxrss when the child exits.
Targets: < 250 MB for stages 1+2 (``memory_peak_50k_rows_full_cache_mb``) and for 1-3
(``memory_peak_all_rows_mb``).

    .venv/bin/python bench/bench_memory.py
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import (
    BENCH,
    ROOT,
    busy_load,
    copy_million_db,
    distinct_image_files,
    env_offscreen,
    load_requested,
    r2,
)

ROWS = 50_000
CACHE_IMAGES = 90  # ~1.4 MB per prepared preview: more than the 96 MB budget holds

CHILD = r"""
import json, os, sys, time
sys.path.insert(0, BENCH)
import _util
from pathlib import Path
import ui.shell.launcher  # as the `reviewer` console script starts: the launcher, then what open_app does
ui.shell.launcher.prepare_app_start()  # (PySide's per-import check made cheap: no source kept per module)
from PySide6.QtCore import QEventLoop, QModelIndex, QTimer
from reviewer.paths import sqlite_url
from reviewer.policy import load_default_pack
from reviewer.storage.migrate import open_database
from ui.shell.app import ensure_qapp
from ui.shell.context import start_context
from ui.shell.main_window import MainWindow

out = {}
def mark(name):
    cur, peak = _util.rss_mb()
    out[name + "_rss_mb"], out[name + "_peak_mb"] = round(cur, 1), round(peak, 1)

def spin(ms):
    loop = QEventLoop(); QTimer.singleShot(ms, loop.quit); loop.exec()

app = ensure_qapp()
_util.isolate_qsettings(Path(TMP))
mark("baseline_qt")
db = open_database(sqlite_url(Path(DB)))
w = MainWindow(start_context(db, load_default_pack(), backup=False))
w.show()
while w.review.selection.current is None:
    spin(20)
spin(300)
mark("window")
m = w.review.model
t0 = time.perf_counter()
def fetch_until(limit: int) -> None:
    # Pages arrive from the read worker: ask, then let the event loop deliver them, until done.
    while m.rowCount() < limit:
        if m.canFetchMore(QModelIndex()):
            m.fetchMore(QModelIndex())
        elif not m._fetching:
            break
        app.processEvents()


fetch_until(ROWS)
app.processEvents()
out["rows_loaded_stage1"] = m.rowCount()
out["fetch_50k_s"] = round(time.perf_counter() - t0, 2)
mark("rows50k")
cache = w.review.cache
# Media go through the database's store, as imported media do (sealed when the database has a key), and
# the window's reader decrypts them: the figures include decryption.
from reviewer.vault.opening import media_store_of
store = media_store_of(db)
def stored(p):
    sha = store.put_file(Path(p))
    return sha, store.path_for(sha)
for p in IMAGES:
    sha, path = stored(p)
    cache.request(sha, path, "image")
deadline = time.time() + 120
while cache._pending and time.time() < deadline:
    spin(50)
spin(200)
out["cache_bytes_mb"] = round(cache._bytes / 1e6, 1)
out["cache_items"] = len(cache._items)
mark("rows50k_cache")
# Every open row fetched (the view scrolled to the end), with the preview cache full: the peak so far.
t0 = time.perf_counter()
fetch_until(10**9)
app.processEvents()
out["rows_loaded_all"] = m.rowCount()
out["fetch_all_s"] = round(time.perf_counter() - t0, 2)
mark("all_rows")

import threading
def status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0
sampled = {"sum_kb": 0, "workers": 0}
sampling = True
def sample():
    while sampling:
        pids = cache.pool.pids()
        total = status_kb(os.getpid(), "VmRSS:") + sum(status_kb(p, "VmRSS:") for p in pids)
        sampled["sum_kb"] = max(sampled["sum_kb"], total)
        sampled["workers"] = max(sampled["workers"], len(pids))
        time.sleep(0.005)
hostile_stored = [(*stored(p), kind) for p, kind in HOSTILE]  # stored before sampling starts
hostile_shas = {sha for sha, _path, _kind in hostile_stored}
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
answers = {}
cache.ready.connect(lambda sha, prepared: answers.__setitem__(sha, prepared))
t0 = time.perf_counter()
for sha, path, kind in hostile_stored:
    cache.request(sha, path, kind)
deadline = time.time() + 600
while cache._pending and time.time() < deadline:
    spin(50)
sampling = False
sampler.join()
out["hostile_items"] = len(HOSTILE)
out["hostile_distinct"] = len(hostile_shas)
out["hostile_answered"] = sum(1 for sha in answers if sha in hostile_shas)
out["hostile_shown"] = sum(1 for sha, prepared in answers.items() if sha in hostile_shas and prepared.ok)
out["hostile_s"] = round(time.perf_counter() - t0, 2)
out["app_plus_workers_sampled_peak_mb"] = round(sampled["sum_kb"] / 1024, 1)
out["workers_seen"] = sampled["workers"]
out["worker_peak_mb"] = round(cache.pool.peak_worker_rss_kb / 1024, 1)
mark("hostile")
out["app_plus_workers_bound_mb"] = round(out["hostile_peak_mb"] + cache.pool.workers * out["worker_peak_mb"], 1)
print("BENCH " + json.dumps(out), flush=True)
os._exit(0)
"""


def hostile_media(folder: Path) -> list[tuple[str, str]]:
    """(path, kind) of the hostile corpus (with the 100 MP JPEG) and the four issue-11 cases."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.support import hostile_media as hm

    cases = hm.build_corpus(folder / "corpus", include_huge=True) + hm.budget_cases(folder / "budget")
    return [(str(c.path), c.kind) for c in cases]


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-mem-") as tmpdir:
        tmp = Path(tmpdir)
        db = copy_million_db(tmp)
        images = [str(p) for p in distinct_image_files(tmp / "images", CACHE_IMAGES)]
        hostile = hostile_media(tmp / "hostile")
        code = (
            f"BENCH={str(BENCH)!r}; DB={str(db)!r}; TMP={tmpdir!r}; ROWS={ROWS}; IMAGES={images!r}; "
            f"HOSTILE={hostile!r}\n" + CHILD
        )
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", code], env=env_offscreen(), capture_output=True, text=True, timeout=900
        )
        elapsed = time.perf_counter() - t0
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH ")), None)
        if line is None:
            raise RuntimeError(f"child failed ({proc.returncode}): {proc.stderr[-2000:]}")
        o = json.loads(line[6:])
    children_max = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "memory_qt_app_only_mb": o["baseline_qt_peak_mb"],
        "memory_window_open_mb": o["window_peak_mb"],
        "memory_peak_50k_rows_mb": o["rows50k_peak_mb"],
        "memory_peak_50k_rows_full_cache_mb": o["rows50k_cache_peak_mb"],
        "memory_preview_cache_filled_mb": o["cache_bytes_mb"],
        "memory_app_plus_workers_sampled_peak_mb": o["app_plus_workers_sampled_peak_mb"],
        "memory_app_plus_workers_bound_mb": o["app_plus_workers_bound_mb"],
        "memory_app_peak_after_hostile_mb": o["hostile_peak_mb"],
        "memory_decode_worker_peak_mb": o["worker_peak_mb"],
        "memory_decode_workers_seen": o["workers_seen"],
        "memory_hostile_items": o["hostile_items"],
        "memory_hostile_distinct": o["hostile_distinct"],
        "memory_hostile_answered": o["hostile_answered"],
        "memory_hostile_shown": o["hostile_shown"],
        "memory_hostile_s": o["hostile_s"],
        "memory_peak_all_rows_mb": o["all_rows_peak_mb"],
        "memory_all_rows_rss_mb": o["all_rows_rss_mb"],
        "memory_all_rows_added_mb": r2(o["all_rows_rss_mb"] - o["rows50k_cache_rss_mb"]),
        "memory_rows_loaded_all": o["rows_loaded_all"],
        "memory_fetch_50k_rows_s": o["fetch_50k_s"],
        "memory_fetch_all_rows_s": o["fetch_all_s"],
        "memory_child_maxrss_mb": r2(children_max),
        "memory_bench_s": r2(elapsed),
    }


def main() -> None:
    print(json.dumps(run(), indent=1))


if __name__ == "__main__":
    with busy_load(load_requested()):  # --load: one busy process beside it
        main()
