"""Benchmark: JSON Lines import (``reviewer.importing.importer.import_file``) into a fresh database.

* 1,000,000 text-only cases (no media): the JSONL file (~400 MB) is generated once into
  ``bench/.cache/import-1m.jsonl``; every run imports it into a new database in a temp folder.
* 10,000 cases referencing ~200 images, generated once with ``reviewer.demo.write_demo_source``
  (``bench/.cache/demo-10k/``): media copy-in, SHA-256 and PDQ hashing per distinct file are included,
  and so are the stored previews (one decode per distinct image in the decode workers, during the import;
  the time runs until the last is stored). Target: >= 2,000 cases/s.

Reported in cases per second (one run each: the 1M import takes about a minute). Target (issue 17): 1M
in <= 30 s. ``bench/run.py`` imports only the first 100,000 of the 1M cases unless given ``--full``;
target rate 33,334 cases/s.

    .venv/bin/python bench/bench_import.py            # both, full 1M
    .venv/bin/python bench/bench_import.py --quick    # 10k media + first 100k text cases
    .venv/bin/python bench/bench_import.py --profile  # pyinstrument profile of a 100k-case import
    .venv/bin/python bench/bench_import.py --media    # the 10k media cases only, 3 runs (median)
"""

from __future__ import annotations

import json
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import CACHE, busy_load, load_requested, r2

N_TEXT = 1_000_000
TEXT_FILE = CACHE / "import-1m.jsonl"
DEMO_DIR = CACHE / "demo-10k"
FORMAT = 1

CHANNELS = ("partner", "media", "staff", "user_report", "high_risk_watch")
PLATFORMS = ("photoapp", "shortvideo", "microblog", "forum", "messenger")
FLAGS = ("repeat_offender", "verified", "high_reach", "minor_contact", "coordinated", "new_account")
REPORTERS = ("partner:ngo-safe", "media:desk-4", "staff:tier2", "user", "hotline")
POSTS = (
    "you all know what should happen to people like them",
    "DM me for the real footage, too graphic for here",
    "FREE 5 BTC!!! send 0.1 to verify your wallet",
    "found her address lol, go say hi",
    "day 40 clean. it gets better, reach out if you need to",
)


def make_text_source(path: Path = TEXT_FILE, n: int = N_TEXT) -> Path:
    """1M text-only cases, one JSON object a line, from a seeded RNG (~25 s, once)."""
    meta = path.with_name(path.name + ".meta.json")
    want = {"n": n, "format": FORMAT}
    if path.exists() and meta.exists() and json.loads(meta.read_text()) == want:
        return path
    from reviewer.policy import CATEGORIES

    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(1_000_000)
    accounts = [
        {
            "platform": rng.choice(PLATFORMS),
            "handle": f"@user{i:06d}",
            "risk_flags": rng.sample(FLAGS, k=rng.choice((0, 0, 1, 2))),
            "risk_score": round(rng.random(), 3),
        }
        for i in range(50_000)
    ]
    base = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        for i in range(n):
            cat = rng.choice(CATEGORIES)
            case = {
                "id": f"IMP-{i:07d}",
                "channel": rng.choice(CHANNELS),
                "category": cat,
                "priority": rng.choice((1, 2, 2, 3, 3, 3, 4, 4)),
                "sla_deadline": (base + timedelta(minutes=rng.randrange(-90, 20_000))).isoformat(),
                "account": rng.choice(accounts),
                "reporter": rng.choice(REPORTERS),
                "report_text": f"Report {i}: content flagged for review by the escalation desk.",
                "items": [{"kind": "text", "text": rng.choice(POSTS)}],
                "scores": {cat: round(rng.uniform(0.35, 0.99), 2)},
            }
            out.write(json.dumps(case) + "\n")
    tmp.replace(path)
    meta.write_text(json.dumps(want))
    return path


def make_media_source(folder: Path = DEMO_DIR) -> Path:
    """10,000 demo cases over 196 scenes + 4 text cards (200 images), as ``reviewer.demo`` writes them."""
    from reviewer.demo import DemoSpec, write_demo_source

    jsonl = folder / "cases.jsonl"
    done = folder / "done.json"
    spec = DemoSpec(cases=10_000, seed=11, images=196)
    want = {"cases": spec.cases, "images": spec.images, "seed": spec.seed}
    if jsonl.exists() and done.exists() and json.loads(done.read_text()) == want:
        return jsonl
    folder.mkdir(parents=True, exist_ok=True)
    write_demo_source(folder, spec, datetime(2026, 11, 29, 12, 0, tzinfo=UTC))
    done.write_text(json.dumps(want))
    return jsonl


def _fresh_db(tmp: Path):  # type: ignore[no-untyped-def]
    from reviewer.paths import sqlite_url
    from reviewer.storage.migrate import open_database

    return open_database(sqlite_url(tmp / "import.sqlite3"))


def _cpu(who: int) -> float:
    used = resource.getrusage(who)
    return used.ru_utime + used.ru_stime


def time_import(
    source: Path,
    *,
    limit_note: str = "",
    counts: dict[str, int] | None = None,
    cpu: dict[str, float] | None = None,
) -> tuple[int, float]:
    """Import ``source`` into a fresh database; (cases, seconds). The time includes waiting for the stored
    previews of its media (made by the decode workers during the import); ``counts`` gets how many media
    files and stored previews the import left; ``cpu`` the CPU seconds of this (the importing) process
    and of its finished child processes (the validation workers) during the import."""
    from reviewer.importing.importer import import_file

    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        db = _fresh_db(Path(tmp))
        try:
            own, children = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            report = import_file(db, source, media_root=source.parent)
            secs = time.perf_counter() - t0
            if cpu is not None:
                cpu["self"] = _cpu(resource.RUSAGE_SELF) - own
                cpu["workers"] = _cpu(resource.RUSAGE_CHILDREN) - children
                # Forked workers are this process's children; forkserver ones (chosen when this process
                # has threads, e.g. after the media import's) are the server's, and getrusage cannot see them.
                cpu["workers_seen"] = float(cpu["workers"] > 0)
            if counts is not None:
                counts["media"] = report.media_files
                counts["previews"] = sum(1 for _ in db.media_dir.glob("??/*.preview"))
        finally:
            db.dispose()
    return report.cases, secs


def prefix_source(n: int) -> Path:
    """The first ``n`` lines of the 1M file (cached), for quicker runs and profiles."""
    src = make_text_source()
    if n >= N_TEXT:
        return src
    part = CACHE / f"import-{n}.jsonl"
    if not part.exists():
        tmp = part.with_suffix(".tmp")
        with open(src, "rb") as fin, open(tmp, "wb") as fout:
            for i, line in enumerate(fin):
                if i >= n:
                    break
                fout.write(line)
        tmp.replace(part)
    return part


def run_media(runs: int = 1) -> dict[str, float]:
    """Only the 10k media cases (``runs`` times; the median), with the stored previews they leave."""
    media = make_media_source()
    times: list[float] = []
    counts: dict[str, int] = {}
    cases = 0
    for _ in range(runs):
        cases, secs = time_import(media, counts=counts)
        times.append(secs)
    secs = sorted(times)[len(times) // 2]
    return {
        "import_10k_media_cases_per_s": r2(cases / secs),
        "import_10k_media_s": r2(secs),
        "import_10k_media_files": float(counts.get("media", 0)),
        "import_10k_stored_previews": float(counts.get("previews", 0)),
    }


def run(full: bool = True, quick_n: int = 100_000) -> dict[str, float]:
    """10k media cases, then the 1M text cases (``full``) or only the first ``quick_n`` of them."""
    result = run_media()
    n = N_TEXT if full else quick_n
    cpu: dict[str, float] = {}
    cases, secs = time_import(prefix_source(n), cpu=cpu)
    assert cases == n, cases
    label = "1m" if n == N_TEXT else f"{n // 1000}k"
    result |= {
        f"import_{label}_text_cases_per_s": r2(cases / secs),
        f"import_{label}_text_s": r2(secs),
        f"import_{label}_text_cpu_importer_s": r2(cpu["self"]),  # the write pass: one core
    }
    if cpu.get("workers_seen"):
        result[f"import_{label}_text_cpu_workers_s"] = r2(cpu["workers"])  # validation, ids, sealing, terms
    return result


def profile(n: int = 100_000) -> None:
    """pyinstrument profile of importing the first ``n`` lines of the 1M file."""
    from pyinstrument import Profiler

    from reviewer.importing.importer import import_file

    part = prefix_source(n)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        db = _fresh_db(Path(tmp))
        prof = Profiler(interval=0.002)
        prof.start()
        import_file(db, part)
        prof.stop()
        db.dispose()
    print(prof.output_text(unicode=False, color=False, show_all=False))


def main() -> None:
    if "--profile" in sys.argv:
        profile()
        return
    if "--media" in sys.argv:  # the 10k media cases only, three times
        print(run_media(runs=3))
        return
    t0 = time.perf_counter()
    make_text_source()
    make_media_source()
    print(f"sources ready in {time.perf_counter() - t0:.1f} s")
    print(run(full="--quick" not in sys.argv))


if __name__ == "__main__":
    with busy_load(load_requested()):  # --load: one busy process beside it
        main()
