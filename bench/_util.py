"""Shared helpers for the benchmarks: paths, percentiles, temp copies of the 1M database, synthetic media."""

from __future__ import annotations

import io
import math
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / ".cache"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))


def pct(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of ``values``."""
    s = sorted(values)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, math.ceil(q / 100.0 * len(s)) - 1))
    return s[k]


def med(values: Sequence[float]) -> float:
    return statistics.median(values)


def r2(x: float) -> float:
    return round(float(x), 2)


def copy_million_db(dest_dir: Path, name: str = "reviewer-1m.sqlite3", *, sealed: bool = True) -> Path:
    """A private copy of the cached 1M-case database (built if missing), so benchmarks may write to it.

    ``sealed``: the copy whose report texts are sealed and word-indexed (as every database is once the app
    has a key), so the window does not run the one-time sealing pass of an older database while measured.
    """
    from bench_queue import DB_PATH, ensure_million_db, ensure_sealed_db

    src = ensure_sealed_db() if sealed else ensure_million_db(DB_PATH)
    with sqlite3.connect(src) as con:  # fold any WAL into the main file so one file copy is complete
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    dest_dir.mkdir(parents=True, exist_ok=True)
    dst = dest_dir / name
    shutil.copyfile(src, dst)
    return dst


def _with_comment(jpeg: bytes, tag: bytes) -> bytes:
    """The same JPEG with a COM segment after SOI: decodes identically, hashes differently."""
    assert jpeg[:2] == b"\xff\xd8"
    body = b"bench:" + tag
    return jpeg[:2] + b"\xff\xfe" + (len(body) + 2).to_bytes(2, "big") + body + jpeg[2:]


def base_images(count: int = 12, seed: int = 3) -> list[bytes]:
    """``count`` demo scenes (960x720 JPEG q82, as ``reviewer.demo`` draws them), cached in bench/.cache."""
    from reviewer.demo import CATEGORY_WEIGHTS
    from reviewer.demo_images import draw_scene

    folder = CACHE / f"scenes-{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    cats = list(CATEGORY_WEIGHTS)
    out = []
    for n in range(count):
        f = folder / f"scene-{n:03d}.jpg"
        if not f.exists():
            buf = io.BytesIO()
            draw_scene(rng, cats[n % len(cats)]).save(buf, "JPEG", quality=82)
            tmp = f.with_suffix(".tmp")
            tmp.write_bytes(buf.getvalue())
            tmp.replace(f)
        out.append(f.read_bytes())
    return out


def attach_media(db_file: Path, cases: int, *, distinct: bool = True) -> int:
    """Give the first ``cases`` open cases (queue order) a real image item in ``<db>.media/ab/<sha>``.

    With ``distinct`` every case gets its own file (a demo scene with a unique JPEG comment), so the
    preview cache cannot hit by accident. Returns the number of files written.
    """
    import hashlib

    media = db_file.with_suffix(".media")
    bases = base_images()
    con = sqlite3.connect(db_file)
    try:
        ids = [
            r[0]
            for r in con.execute(
                "SELECT id FROM \"case\" WHERE status = 'open'"
                " ORDER BY priority, sla_deadline, risk_rank, id LIMIT ?",
                (cases,),
            )
        ]
        updates, written = [], set()
        for n, case_id in enumerate(ids):
            data = bases[n % len(bases)]
            if distinct:
                data = _with_comment(data, str(n).encode())
            sha = hashlib.sha256(data).hexdigest()
            if sha not in written:
                path = media / sha[:2] / sha
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                written.add(sha)
            updates.append((sha, case_id))
        con.executemany(
            "UPDATE item SET kind = 'image', media_sha256 = ?, media_ext = 'jpg' WHERE case_id = ?", updates
        )
        con.commit()
    finally:
        con.close()
    _seal_media(db_file, written)
    return len(written)


def _seal_media(db_file: Path, shas: set[str]) -> None:
    """Encrypt the files just written in place, as imported media are stored, when the database has a key,
    and then make their stored previews, as every arrival of media does (``reviewer.media.arrival``)."""
    from reviewer.media.arrival import derive_missing
    from reviewer.paths import sqlite_url
    from reviewer.storage.database import Database
    from reviewer.vault.opening import media_store_of

    db = Database(sqlite_url(db_file))
    try:
        store = media_store_of(db)
        if store.vault is not None:
            for sha in shas:
                store.seal_plain(sha)
            derive_missing(store, sorted(shas))
    finally:
        db.dispose()


def distinct_image_files(folder: Path, count: int) -> list[Path]:
    """``count`` distinct JPEG files (demo scenes with unique comments) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    bases = base_images()
    paths = []
    for n in range(count):
        p = folder / f"img-{n:05d}.jpg"
        if not p.exists():
            p.write_bytes(_with_comment(bases[n % len(bases)], f"f{n}".encode()))
        paths.append(p)
    return paths


def isolate_qsettings(tmp: Path) -> None:
    """Point QSettings at a temp folder so benchmarks never read or write the user's settings."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "qsettings"))


def rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MB, from /proc/self/status."""
    cur = peak = 0.0
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                cur = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return cur, peak


def env_offscreen() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.setdefault("REVIEWER_USER", "bench")
    return env


@contextmanager
def server_schema(folder: Path) -> Iterator[str | None]:
    """A fresh schema on the tests' PostgreSQL (``tests/support/pg.py``), dropped afterwards; None when no
    server answers (the bench then reports itself skipped). Keys go to keyrings.alt's file backend in
    ``folder``, as in the tests."""
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    os.environ["XDG_DATA_HOME"] = str(folder / "xdg")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.support.pg import new_schema

    schema = new_schema()
    try:
        url = schema.__enter__()
    except BaseException:  # pytest.skip outside pytest: no server answers
        yield None
        return
    try:
        yield url
    finally:
        schema.__exit__(None, None, None)


LOAD_ENV = "REVIEWER_BENCH_LOAD"  # "1": run.py --load started a busy process beside this benchmark
BUSY_CODE = "while True: pass"


@contextmanager
def busy_load(enabled: bool = True, processes: int = 1) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``processes`` busy-loop Python processes running for the duration of the block, killed after (also
    when the block raises), so a benchmark measures the app beside one other CPU-bound job."""
    procs: list[subprocess.Popen[bytes]] = []
    try:
        if enabled:
            for _ in range(processes):
                procs.append(
                    subprocess.Popen(
                        [sys.executable, "-c", BUSY_CODE],
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
        yield procs
    finally:
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.wait()


def load_requested(argv: Sequence[str] | None = None) -> bool:
    """``--load`` on a benchmark module's command line (run.py starts the busy process itself)."""
    return "--load" in (sys.argv if argv is None else argv)
