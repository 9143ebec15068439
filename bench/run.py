"""Run the benchmarks and print one table: figure | value | target | ok.

Each benchmark runs in its own Python process (a clean QApplication, clean memory), its ``run()`` dict is
collected, and everything is written to ``bench/results/latest.json`` with a description of the machine.

    .venv/bin/python bench/run.py                      # all (1M import reduced to its first 100k cases)
    .venv/bin/python bench/run.py --full               # all, with the full 1M-case import (~7 min more)
    .venv/bin/python bench/run.py --only next_case     # one (or several: --only decisions,memory)
    .venv/bin/python bench/run.py --load               # each beside one busy-loop process (killed after)

Names: decisions, import, next_case, next_case_sync, cold_start, memory, queue, preview, unseal, sync_pull, sync_push, metrics, report, investigation; decision_pages (what-if schemas) only with --only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from _util import LOAD_ENV, busy_load

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"

BENCHES: dict[str, tuple[str, str]] = {  # name -> (module, run() arguments as Python source)
    "decisions": ("bench_decisions", ""),
    "import": ("bench_import", "full=FULL"),
    "next_case": ("bench_next_case", ""),
    "next_case_sync": ("bench_next_case", "sync=True"),
    "cold_start": ("bench_cold_start", ""),
    "memory": ("bench_memory", ""),
    "queue": ("bench_queue", ""),
    "preview": ("bench_preview", ""),
    "unseal": ("bench_unseal", ""),
    "sync_pull": ("bench_sync_pull", ""),
    "sync_push": ("bench_sync_push", ""),
    "metrics": ("bench_metrics", ""),
    "report": ("bench_report", ""),
    "investigation": ("bench_investigation_timeline", ""),
    "decision_pages": ("bench_decision_pages", ""),
}
#: Run only when named with --only: what-if measurements of schemas that are not the app's.
OPT_IN = {"decision_pages"}

Check = tuple[str, Callable[[float], bool]]
TARGETS: dict[str, Check] = {
    "decision_write_p99_ms": ("< 3", lambda v: v < 3),
    "decision_write_ratio_to_bare": ("<= 2", lambda v: v <= 2),
    "import_1m_text_s": ("<= 30", lambda v: v <= 30),
    "import_1m_text_cases_per_s": (">= 33334", lambda v: v >= 33_334),
    "import_100k_text_cases_per_s": (">= 33334 (1M in 30 s)", lambda v: v >= 33_334),
    "next_case_p95_ms": ("<= 16.7", lambda v: v <= 16.7),
    "next_case_p95_ms_under_load": ("<= 33", lambda v: v <= 33),
    "prefetch_hit_rate_pct": ("100", lambda v: v >= 100),
    "next_case_not_painted": ("0", lambda v: v == 0),
    "cold_start_ms": ("< 1000", lambda v: v < 1000),
    "cold_start_no_backup_ms": ("< 1000", lambda v: v < 1000),
    "memory_peak_50k_rows_full_cache_mb": ("< 250", lambda v: v < 250),
    "memory_peak_all_rows_mb": ("< 250", lambda v: v < 250),
    "memory_app_plus_workers_bound_mb": ("< 600", lambda v: v < 600),
    "preview_12mp_median_ms": ("< 50", lambda v: v < 50),
    "metrics_open_30d_ms": ("< 1000", lambda v: v < 1000),
    "report_pdf_200_cases_s": ("< 5", lambda v: v < 5),
    "investigation_timeline_ms": ("< 300", lambda v: v < 300),
    "stored_preview_show_ms": ("< 5", lambda v: v < 5),
    "import_10k_media_cases_per_s": (">= 2000", lambda v: v >= 2000),
    "search_rare_p95_ms": ("< 100", lambda v: v < 100),
    "queue_page_ms": ("<= 5", lambda v: v <= 5),
}


def machine() -> dict[str, object]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import PySide6

        pyside = PySide6.__version__
    except ImportError:
        pyside = "missing"
    try:
        load = os.getloadavg()
    except OSError:
        load = (0.0, 0.0, 0.0)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "pyside6": pyside,
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "loadavg_at_start": [round(x, 2) for x in load],
    }


def run_one(name: str, full: bool, load: bool = False) -> tuple[dict[str, float], float, str]:
    """Run one benchmark in its own process; ``load``: one busy-loop process runs beside it for exactly
    that long (killed after, also when the benchmark fails)."""
    module, args = BENCHES[name]
    code = (
        f"import sys, json; sys.path.insert(0, {str(BENCH)!r}); sys.path.insert(0, {str(ROOT)!r})\n"
        f"FULL = {full!r}\nimport {module} as m\n"
        f"print('RESULT ' + json.dumps(m.run({args})), flush=True)\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env[LOAD_ENV] = "1" if load else "0"
    env.setdefault("REVIEWER_USER", "bench")
    # Imports seal with a key from a keyring: synthetic data, so a file keyring in the cache, chosen
    # explicitly (a benchmark machine may have no OS keyring).
    env.setdefault("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    env.setdefault("XDG_DATA_HOME", str(BENCH / ".cache" / "keyring"))
    with busy_load(load):
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
        secs = time.perf_counter() - t0
    line = next((ln for ln in reversed(proc.stdout.splitlines()) if ln.startswith("RESULT ")), None)
    if proc.returncode != 0 or line is None:
        return {}, secs, f"failed ({proc.returncode}): {proc.stderr.strip()[-1500:]}"
    return json.loads(line[7:]), secs, ""


def fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="comma-separated benchmark names: " + ", ".join(BENCHES))
    ap.add_argument("--full", action="store_true", help="import all 1M cases (default: first 100k)")
    ap.add_argument("--load", action="store_true", help="run each beside one busy-loop process")
    ap.add_argument("--out", default=None, help="default: bench/results/latest.json (latest-load.json)")
    args = ap.parse_args()
    names = [n.strip() for n in args.only.split(",")] if args.only else [n for n in BENCHES if n not in OPT_IN]
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHES)}")
    info = machine()
    print(
        f"{info['cpu']} · {info['cores']} cores · Python {info['python']} · PySide6 {info['pyside6']} · "
        f"SQLite {info['sqlite']} · load {info['loadavg_at_start']}"
        + (" · with one busy-loop process beside each benchmark" if args.load else ""),
        flush=True,
    )
    results: dict[str, dict] = {}
    rows: list[tuple[str, str, str, str]] = []
    t_all = time.perf_counter()
    for name in names:
        print(f"running {name} …", flush=True)
        figures, secs, error = run_one(name, args.full, args.load)
        results[name] = {"figures": figures, "seconds": round(secs, 1), **({"error": error} if error else {})}
        if error:
            print(f"  {name} {error}", flush=True)
            rows.append((f"{name} (failed)", "—", "", "FAIL"))
        for fig, value in figures.items():
            target, ok = "", ""
            key = f"{fig}_under_load" if args.load and f"{fig}_under_load" in TARGETS else fig
            if key in TARGETS:
                target, check = TARGETS[key]
                ok = "ok" if check(float(value)) else "MISS"
            rows.append((fig, fmt(value), target, ok))
        print(f"  {name} done in {secs:.0f} s", flush=True)
    total = time.perf_counter() - t_all
    widths = [max(len(r[i]) for r in [("figure", "value", "target", "ok"), *rows]) for i in range(4)]
    line = " | ".join(f"{{:<{w}}}" for w in widths)
    print()
    print(line.format("figure", "value", "target", "ok"))
    print("-+-".join("-" * w for w in widths))
    for r in rows:
        print(line.format(*r))
    print(f"\ntotal {total:.0f} s")
    out = Path(args.out or RESULTS / ("latest-load.json" if args.load else "latest.json"))
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "machine": info,
        "total_seconds": round(total, 1),
        "full_import": args.full,
        "busy_load": args.load,
        "results": results,
    }
    if args.only and out.exists():  # keep the other benchmarks' last figures
        try:
            old = json.loads(out.read_text())
            merged = {**old.get("results", {}), **results}
            payload["results"] = merged
            # The whole bench's time, as composed: each benchmark's last run (not this partial run's).
            payload["total_seconds"] = round(sum(r.get("seconds", 0) for r in merged.values()), 1)
        except (ValueError, OSError):
            pass
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=1))
    tmp.replace(out)
    print(f"written {out}")
    return 1 if any(r[3] == "FAIL" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
