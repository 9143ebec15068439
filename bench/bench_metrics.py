"""Benchmark: the metrics view's figures over 1,000,000 cases and 1,000,000 decisions.

Builds ``bench/.cache/metrics-1m.sqlite3`` once: a copy of the 1M-case queue database
(``bench_queue.ensure_million_db``) plus 1,000,000 decisions by 40 reviewers spread over the last 30
days (about 3 % undos, lead overrides, escalations; handle times log-normal), 100,000 reveals and 1,200
breaks, written with raw ``sqlite3`` in one transaction (indexes as the migrations define them). Then
times the first ``refresh_rollups`` (schema 0009: every decision, case and reveal folded once), then what
opening the metrics view runs on the db-read worker: the filter choices and ``compute_metrics`` (which
folds only rows added since, here none) for the default 30-day range (median of 3 after one warm-up), one
figure family at a time, the same for a 7-day range and one channel, and an incremental refresh after
1,000 new decisions.

    .venv/bin/python bench/bench_metrics.py

``run() -> dict``: ``metrics_first_refresh_s``, ``metrics_open_30d_ms`` (the target: < 1000),
``metrics_refresh_1000_ms``, ``metrics_open_7d_ms``,
``metrics_channel_30d_ms`` and ``metrics_<table>_ms`` for each family.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import CACHE  # also puts the project on sys.path
from bench_queue import _fmt, _hex_ids, ensure_million_db

PATH = CACHE / "metrics-1m.sqlite3"
N_DECISIONS = 1_000_000
N_REVIEWERS = 40
ACTIONS = ("keep", "remove", "restrict", "warn", "escalate", "skip", "undo")
WEIGHTS = (40, 32, 8, 5, 8, 4, 3)
POLICIES = ("NV-0", "VIO-1", "VIO-2", "HATE-1", "SH-1", "SPAM-1", "PRIV-1")


def ensure_metrics_db(path: Path = PATH) -> Path:
    from reviewer.storage.migrate import head_revision

    meta = path.with_name(path.name + ".meta.json")
    want = {"decisions": N_DECISIONS, "schema": head_revision(), "format": 1}
    if path.exists() and meta.exists() and json.loads(meta.read_text()) == want:
        return path
    source = ensure_million_db()
    tmp = path.with_name(path.name + ".building")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), path, meta):
        leftover.unlink(missing_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(tmp)
    src.backup(dst)
    src.close()
    dst.close()
    _add_history(tmp)
    tmp.replace(path)
    meta.write_text(json.dumps(want))
    return path


def _add_history(path: Path) -> None:
    rng = np.random.default_rng(15)
    now = datetime.now(UTC)
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        con.execute("PRAGMA cache_size=-400000")
        con.execute("BEGIN")
        reviewers = _hex_ids(rng, N_REVIEWERS)
        con.executemany(
            "INSERT INTO reviewer (id, handle, display_name, role, created_at) VALUES (?, ?, '', ?, ?)",
            [(r, f"rev{i:02d}", "lead" if i < 3 else "reviewer", _fmt(now)) for i, r in enumerate(reviewers)],
        )
        cases = [row[0] for row in con.execute('SELECT id FROM "case" ORDER BY id')]
        n = N_DECISIONS
        ids = _hex_ids(rng, n)
        seconds = rng.integers(0, 30 * 86400, n)
        base = now - timedelta(days=30)
        stamps = [_fmt(base + timedelta(seconds=int(s))) for s in seconds.tolist()]
        actions = rng.choice(len(ACTIONS), n, p=np.asarray(WEIGHTS) / sum(WEIGHTS)).tolist()
        case_pick = rng.integers(0, len(cases), n).tolist()
        who = rng.integers(0, N_REVIEWERS, n).tolist()
        handle = np.minimum(rng.lognormal(10.0, 0.7, n), 3_600_000).astype(int).tolist()
        policy = rng.integers(0, len(POLICIES), n).tolist()
        rows = []
        for i in range(n):
            action = ACTIONS[actions[i]]
            reverses = ids[i - 1] if action == "undo" and i else None
            note = "lead override: sample" if action == "undo" and who[i] < 3 else ""
            code = None if action in ("escalate", "skip", "undo") else ("NV-0" if action == "keep" else POLICIES[policy[i]])
            rows.append((ids[i], cases[case_pick[i]], reviewers[who[i]], action, code, note, handle[i],
                         reverses, stamps[i]))  # fmt: skip
        con.executemany(
            "INSERT INTO decision (id, case_id, reviewer_id, session_id, action, policy_code, note, tier, "
            "handle_ms, revealed, reverses_id, created_at, rationale) "
            "VALUES (?, ?, ?, NULL, ?, ?, ?, 1, ?, 0, ?, ?, '')",
            rows,
        )
        reveals = 100_000
        con.executemany(
            "INSERT INTO reveal_event (id, reviewer_id, case_id, mode, started_at, duration_ms, severity) "
            "VALUES (?, ?, ?, 'hold', ?, ?, 1.5)",
            [(rid, reviewers[int(w)], cases[int(c)], stamps[int(k)], int(d)) for rid, w, c, k, d in zip(
                _hex_ids(rng, reveals), rng.integers(0, N_REVIEWERS, reveals), rng.integers(0, len(cases), reveals),
                rng.integers(0, n, reveals), rng.integers(1000, 20000, reveals), strict=True)],
        )  # fmt: skip
        con.execute("COMMIT")
        con.execute("ANALYZE")
        con.execute("PRAGMA journal_mode=WAL")
    finally:
        con.close()


def _median_ms(fn, runs: int = 3) -> float:  # type: ignore[no-untyped-def]
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _refresh_after_new_decisions(db, path: Path, n: int) -> float:  # type: ignore[no-untyped-def]
    """Copies of ``n`` recent decisions under new ids (as a day's work or a sync pull adds), then one refresh."""
    from reviewer.metrics.rollup import refresh_rollups

    con = sqlite3.connect(path)
    with con:
        con.execute(
            "INSERT INTO decision (id, case_id, reviewer_id, session_id, action, policy_code, note, tier, handle_ms, "
            "revealed, reverses_id, created_at, rationale) SELECT lower(hex(randomblob(16))), case_id, reviewer_id, "
            "session_id, action, policy_code, note, tier, handle_ms, revealed, NULL, created_at, rationale "
            "FROM decision ORDER BY rowid DESC LIMIT ?",
            (n,),
        )
    con.close()
    t0 = time.perf_counter()
    refresh_rollups(db)
    return (time.perf_counter() - t0) * 1000


def run() -> dict[str, float]:
    from reviewer.metrics import MetricsFilter, compute_metrics
    from reviewer.metrics import report as report_module
    from reviewer.metrics.rollup import refresh_rollups
    from reviewer.paths import sqlite_url
    from reviewer.storage.database import Database

    path = ensure_metrics_db()
    work = CACHE / "metrics-1m-run.sqlite3"
    shutil.copyfile(path, work)
    db = Database(sqlite_url(work))
    today = datetime.now(UTC).date()
    month = MetricsFilter(today - timedelta(days=29), today)
    week = MetricsFilter(today - timedelta(days=6), today)
    t0 = time.perf_counter()
    refresh_rollups(db)
    out = {"metrics_first_refresh_s": time.perf_counter() - t0}
    out |= {
        "metrics_open_30d_ms": _median_ms(
            lambda: (report_module.channels_and_categories(db), compute_metrics(db, month))
        ),
        "metrics_open_7d_ms": _median_ms(lambda: compute_metrics(db, week)),
        "metrics_channel_30d_ms": _median_ms(
            lambda: compute_metrics(db, MetricsFilter(month.start, month.end, channel="partner"))
        ),
    }
    for name in ("throughput_by_day", "throughput_by_hour", "handle_time", "sla_by_channel", "sla_by_priority",
                 "mix_by_action", "mix_by_policy", "overturns_by_policy", "flow_by_day", "backlog_age",
                 "exposure_by_day"):  # fmt: skip
        fn = getattr(report_module, name)
        out[f"metrics_{name}_ms"] = _median_ms(lambda fn=fn: fn(db, month), runs=1)
    out["metrics_refresh_1000_ms"] = _refresh_after_new_decisions(db, work, 1000)
    out["metrics_open_after_1000_ms"] = _median_ms(lambda: compute_metrics(db, month), runs=1)
    db.dispose()
    work.unlink(missing_ok=True)
    return out


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:40s} {value:10.1f}")
    sys.exit(0)
