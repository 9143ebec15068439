"""Benchmark: keyset queue pages (``reviewer.queue``) over a 1,000,000-case SQLite database.

Builds the database once into ``bench/.cache/queue-1m.sqlite3`` (about 20-40 s; schema from the real
migrations, rows written with raw ``sqlite3`` in one transaction, secondary indexes built after the load),
then times a page at the start, the middle (keyset of the row at depth 500k) and the end of the open
queue, median of 20 each, plus ``count()``. A page must cost the same at any depth. The page figures
(``queue_page_{start,middle,end}_ms``, ``queue_page_middle_cpu_ms``) time what the queue model's read
worker waits for (``QueueModel._query``): a read session opened and closed, ``fetch_page_responses`` of
201 rows (a page and one more, without item kinds) and the response states of their cases;
``queue_page_middle_with_kinds_ms`` is ``fetch_page`` of 200 rows with item kinds in a session kept open
(the figure reported as the page before 2026-12-03).

Repeating one key measures a warm page; ``queue_walk_*`` pages onwards from a key (20 consecutive pages,
one session each, as the model scrolls), so every page reads rows not read before. Also timed: filters,
several statuses, ``fetch_before``, a capped count, and a rare text search on this never-sealed copy,
which walks the whole open queue (seconds: plain report texts have no index; every database with a key is
sealed). ``search_*_p50_ms`` / ``search_*_p95_ms`` / ``search_*_cpu_ms``: the first page of the searches
in ``SEARCHES`` on a sealed copy (``ensure_sealed_db``, built once; rare ones read by candidates, common
ones by walking the queue), ``queue_page_ms`` the worst of start/middle/end.
A cache of an older schema is not rebuilt: a copy is migrated in a temporary folder.

    .venv/bin/python bench/bench_queue.py

``run() -> dict`` returns ``{"queue_page_start_ms", "queue_page_middle_ms", "queue_page_end_ms",
"queue_count_ms", ...}``. ``ensure_million_db(path, n)`` is the builder, for other benchmarks to reuse.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CACHE = Path(__file__).resolve().parent / ".cache"
DB_PATH = CACHE / "queue-1m.sqlite3"
SEALED_PATH = CACHE / "queue-1m-sealed.sqlite3"  # the same cases, report texts sealed and word-indexed
KEYRING_HOME = CACHE / "keyring"  # the sealed copy's key: a keyrings.alt file keyring, chosen explicitly
RUNS = 20
PAGE = 200
CHANNELS = ("partner", "media", "staff", "user_report", "high_risk_watch")
STATUS_WEIGHTS = {"open": 85, "decided": 10, "escalated": 3, "skipped": 2}
FLAGS = ("prior_strike", "ban_evasion", "coordinated", "minor_contact", "new_account")
N_ACCOUNTS = 50_000
# Indexes the bulk load builds afterwards (sorting once beats a million random b-tree inserts).
DEFERRED_INDEXES = ("ix_case_queue", "ix_case_account", "ix_item_case", "ix_item_sha256", "ix_item_phash")


def _fmt(dt: datetime) -> str:
    """SQLAlchemy's SQLite DATETIME text: naive UTC, always six fractional digits."""
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".meta.json")


def _expected_meta(n: int) -> dict[str, Any]:
    from reviewer.storage.migrate import head_revision

    return {"n": n, "schema": head_revision(), "format": 1}


def ensure_million_db(path: Path = DB_PATH, n: int = 1_000_000) -> Path:
    """The cached ``n``-case database at ``path``, built if missing or stale (schema or size changed)."""
    meta = _meta_path(path)
    want = _expected_meta(n)
    if path.exists() and meta.exists() and json.loads(meta.read_text()) == want:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".building")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), path, meta):
        leftover.unlink(missing_ok=True)
    _build(tmp, n)
    tmp.replace(path)
    meta.write_text(json.dumps(want))
    return path


def _cached(path: Path, n: int) -> Path:
    """The cached database as it is, built only if missing or of another size: an older schema is fine
    here, ``_at_head`` migrates a copy (the shared cache is never written)."""
    meta = _meta_path(path)
    if path.exists() and meta.exists():
        have, want = json.loads(meta.read_text()), _expected_meta(n)
        if (have["n"], have["format"]) == (want["n"], want["format"]):
            return path
    return ensure_million_db(path, n)


def _at_head(path: Path, workdir: Path) -> Path:
    """``path`` if its schema is the current one, else a copy of it in ``workdir`` migrated to it."""
    import shutil

    from reviewer.paths import sqlite_url
    from reviewer.storage.migrate import head_revision, open_database

    with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as con:  # no lock, no -shm: never writes
        (revision,) = con.execute("SELECT version_num FROM alembic_version").fetchone()
    con.close()
    if revision == head_revision():
        return path
    copy = workdir / path.name
    if not copy.exists():
        for suffix in ("", "-wal"):
            if Path(f"{path}{suffix}").exists():
                shutil.copyfile(f"{path}{suffix}", f"{copy}{suffix}")
        open_database(sqlite_url(copy)).dispose()
    return copy


def _hex_ids(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` sorted random 32-hex-digit ids (ids sorted, so primary-key b-trees fill by appending)."""
    blob = rng.bytes(16 * n).hex()
    return sorted(blob[i : i + 32] for i in range(0, 32 * n, 32))


def _build(path: Path, n: int) -> None:
    from reviewer.paths import sqlite_url
    from reviewer.policy import CATEGORIES
    from reviewer.storage.migrate import open_database

    open_database(sqlite_url(path)).dispose()  # the real schema, by the real migrations
    rng = np.random.default_rng(1_000_000)
    now = datetime.now(UTC)
    con = sqlite3.connect(path, isolation_level=None)
    try:
        # No journal while loading a throwaway file; WAL (as the app uses) once it is built.
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        con.execute("PRAGMA cache_size=-400000")
        con.execute("PRAGMA temp_store=MEMORY")
        index_sql = {
            name: sql
            for name, sql in con.execute("SELECT name, sql FROM sqlite_master WHERE type='index'")
            if name in DEFERRED_INDEXES
        }
        con.execute("BEGIN")
        for name in index_sql:
            con.execute(f"DROP INDEX {name}")
        channel_ids = _hex_ids(rng, len(CHANNELS))
        con.executemany(
            "INSERT INTO channel (id, code, name) VALUES (?, ?, ?)",
            [
                (cid, code, code.replace("_", " ").title())
                for cid, code in zip(channel_ids, CHANNELS, strict=True)
            ],
        )
        created = _fmt(now - timedelta(days=30))
        accounts = _hex_ids(rng, N_ACCOUNTS)
        flag_sets = [json.dumps([]), json.dumps([]), json.dumps([FLAGS[0]]), json.dumps(list(FLAGS[1:3]))]
        con.executemany(
            "INSERT INTO account (id, platform, handle, risk_flags, risk_score, created_at)"
            " VALUES (?, 'photoapp', ?, ?, ?, ?)",
            zip(
                accounts,
                (f"@user{i:06d}" for i in range(N_ACCOUNTS)),
                (flag_sets[k] for k in rng.integers(0, len(flag_sets), N_ACCOUNTS).tolist()),
                rng.random(N_ACCOUNTS).tolist(),
                itertools.repeat(created),
                strict=False,
            ),
        )
        case_ids = _hex_ids(rng, n)
        con.executemany(
            'INSERT INTO "case" (id, external_id, channel_id, account_id, category, priority, sla_deadline,'
            " risk_rank, status, tier, reporter, report_text, scores, created_at, claimed_by, claim_expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'partner-desk', ?, '{}', ?, NULL, NULL)",
            _case_rows(rng, now, case_ids, channel_ids, accounts, CATEGORIES),
        )
        con.executemany(
            "INSERT INTO item (id, case_id, position, kind, media_sha256, media_ext, text, url, phash)"
            " VALUES (?, ?, 0, 'image', NULL, NULL, NULL, NULL, NULL)",
            zip(_hex_ids(rng, n), case_ids, strict=True),
        )
        for sql in index_sql.values():
            con.execute(sql)
        con.execute("COMMIT")
        con.execute("ANALYZE")
        con.execute("PRAGMA journal_mode=WAL")
    finally:
        con.close()


def _pick(
    rng: np.random.Generator, values: Sequence[Any], n: int, weights: Sequence[float] | None = None
) -> list:
    p = None if weights is None else np.asarray(weights, dtype=float) / sum(weights)
    return [values[k] for k in rng.choice(len(values), n, p=p).tolist()]


def _case_rows(
    rng: np.random.Generator,
    now: datetime,
    case_ids: list[str],
    channel_ids: list[str],
    accounts: list[str],
    categories: tuple[str, ...],
) -> Iterator[tuple[Any, ...]]:
    n = len(case_ids)
    # Deadlines on whole minutes over two weeks, so many cases tie on (priority, deadline).
    base = now.replace(second=0, microsecond=0) - timedelta(days=3)
    minutes = [_fmt(base + timedelta(minutes=m)) for m in range(14 * 24 * 60)]
    created = _fmt(now - timedelta(days=1))
    return zip(
        case_ids,
        (f"ESC-{i:07d}" for i in range(n)),
        _pick(rng, channel_ids, n),
        _pick(rng, accounts, n),
        _pick(rng, categories, n),
        _pick(rng, (1, 2, 3, 4), n, (5, 20, 45, 30)),
        _pick(rng, minutes, n),
        rng.integers(0, 1001, n).tolist(),
        _pick(rng, list(STATUS_WEIGHTS), n, list(STATUS_WEIGHTS.values())),
        _pick(rng, (1, 1, 1, 2, 3), n),
        (f"Report {i}: content flagged for review by the escalation desk." for i in range(n)),
        itertools.repeat(created, n),
        strict=True,
    )


def _p50_p95_ms(fn: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    """Median and 95th percentile (nearest rank) of ``runs`` timed calls after one warm-up, ms."""
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    times.sort()
    return round(statistics.median(times), 2), round(times[max(0, -(-95 * runs // 100) - 1)], 2)


def _cpu_ms(fn: Callable[[], object], runs: int = RUNS) -> float:
    """Mean CPU time of this process per call (ms): on a machine shared with other work, what the call
    itself costs, apart from waiting for a core."""
    fn()
    t0 = time.process_time()
    for _ in range(runs):
        fn()
    return round((time.process_time() - t0) * 1000.0 / runs, 2)


def _median_ms(fn: Callable[[], object], runs: int = RUNS) -> float:
    fn()  # warm the page cache and SQLAlchemy's statement cache
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return round(statistics.median(times), 2)


def _key_at_depth(con: sqlite3.Connection, depth: int) -> tuple[int, datetime, int, uuid.UUID]:
    """Setup only (untimed): the queue key of the open case at ``depth``, found the slow way."""
    p, d, r, i = con.execute(
        "SELECT priority, sla_deadline, risk_rank, id FROM \"case\" WHERE status = 'open'"
        " ORDER BY priority, sla_deadline, risk_rank, id LIMIT 1 OFFSET ?",
        (depth,),
    ).fetchone()
    return (p, datetime.fromisoformat(d).replace(tzinfo=UTC), r, uuid.UUID(hex=i))


def _app_page(db: Any, flt: Any, after: Any) -> list[Any]:
    """What the queue model's read worker does for a page (``ui.review.queue_model.QueueModel._query``)."""
    from reviewer import queue

    with db.read() as s:
        rows, _responses = queue.fetch_page_responses(s, flt, after, PAGE + 1)
    return rows


def _walk_ms(db: Any, start: tuple[int, datetime, int, uuid.UUID], pages: int, **kw: Any) -> float:
    """Median of ``pages`` consecutive pages from ``start``, each in its own session (as the model reads):
    every page touches rows no earlier page read, unlike repeating one key."""
    from reviewer import queue

    times, after = [], start
    for _ in range(pages):
        with db.read() as s:
            t0 = time.perf_counter()
            page = queue.fetch_page(s, queue.QueueFilter(), after, PAGE, **kw)
            times.append((time.perf_counter() - t0) * 1000.0)
        after = page[-1].key
    return round(statistics.median(times), 2)


def run(runs: int = RUNS, path: Path = DB_PATH, n: int = 1_000_000) -> dict[str, float]:
    """Build (or reuse) the database and time queue pages and counts; milliseconds, medians of ``runs``.
    A cache of an older schema is measured on a migrated copy in a temporary folder."""
    import shutil
    import tempfile

    workdir = Path(tempfile.mkdtemp(prefix="bench-queue-"))
    try:
        return _run(runs, _at_head(_cached(path, n), workdir), n, workdir if path == DB_PATH else None)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run(runs: int, path: Path, n: int, sealed_workdir: Path | None) -> dict[str, float]:
    from reviewer import queue
    from reviewer.paths import sqlite_url
    from reviewer.storage.database import Database

    with sqlite3.connect(path) as con:
        open_total = con.execute("SELECT count(*) FROM \"case\" WHERE status = 'open'").fetchone()[0]
        middle = _key_at_depth(con, min(500_000, open_total // 2))
        end = _key_at_depth(con, open_total - PAGE - 1)  # the last full page of the queue
        walk_from = _key_at_depth(con, min(250_000, open_total // 4))
    con.close()
    db = Database(sqlite_url(path))
    flt = queue.QueueFilter()
    try:
        with db.read() as s:
            assert len(queue.fetch_page(s, flt, middle)) == PAGE
            assert len(queue.fetch_page(s, flt, end)) == PAGE
            assert not queue.fetch_page(s, flt, queue.fetch_page(s, flt, end)[-1].key)
            page = lambda after, f=flt, **kw: queue.fetch_page(s, f, after, PAGE, **kw)  # noqa: E731
            app = lambda after: _app_page(db, flt, after)  # noqa: E731
            result = {
                "queue_page_start_ms": _median_ms(lambda: app(None), runs),
                "queue_page_middle_ms": _median_ms(lambda: app(middle), runs),
                "queue_page_end_ms": _median_ms(lambda: app(end), runs),
                "queue_page_middle_cpu_ms": _cpu_ms(lambda: app(middle), runs),
                "queue_page_end_cpu_ms": _cpu_ms(lambda: app(end), runs),
                "queue_page_middle_with_kinds_ms": _median_ms(lambda: page(middle), runs),
                "queue_count_ms": _median_ms(lambda: queue.count(s, flt), max(3, runs // 4)),
                "queue_page_middle_no_items_ms": _median_ms(lambda: page(middle, item_kinds=False), runs),
                "queue_page_before_middle_ms": _median_ms(
                    lambda: queue.fetch_before(s, flt, middle, PAGE), runs
                ),
                "queue_page_middle_category_ms": _median_ms(
                    lambda: page(middle, queue.QueueFilter(category="privacy")), runs
                ),
                "queue_page_middle_channel_ms": _median_ms(
                    lambda: page(middle, queue.QueueFilter(channel="staff")), runs
                ),
                "queue_page_middle_all_statuses_ms": _median_ms(
                    lambda: page(middle, queue.QueueFilter(statuses=tuple(STATUS_WEIGHTS))), runs
                ),
                "queue_page_text_rare_ms": _median_ms(
                    lambda: page(None, queue.QueueFilter(text="@user04999")), 2
                ),
                "queue_count_capped_10k_ms": _median_ms(lambda: queue.count(s, flt, cap=10_000), runs),
            }
        result["queue_walk_middle_ms"] = _walk_ms(db, middle, runs)
        result["queue_walk_quarter_no_items_ms"] = _walk_ms(db, walk_from, runs, item_kinds=False)
    finally:
        db.dispose()
    # The target: a page at any depth (the worst of start, middle and end).
    result["queue_page_ms"] = max(result[f"queue_page_{at}_ms"] for at in ("start", "middle", "end"))
    if sealed_workdir is not None:
        result |= run_sealed(runs, sealed_workdir)
    return result


def ensure_sealed_db(path: Path = SEALED_PATH) -> Path:
    """A copy of the 1M database sealed by the vault's legacy pass (report texts sealed, blind index of
    their words), built once; its key lives in a file keyring under ``bench/.cache/keyring``."""
    import os
    import shutil

    os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    os.environ["XDG_DATA_HOME"] = str(KEYRING_HOME)
    if path.exists():
        return path
    from reviewer.paths import sqlite_url
    from reviewer.storage.migrate import open_database
    from reviewer.vault import legacy
    from reviewer.vault.opening import ensure_vault

    src = _cached(DB_PATH, 1_000_000)
    with sqlite3.connect(src) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    tmp = path.with_suffix(".building")
    shutil.copyfile(src, tmp)
    legacy.BATCH = 20_000
    db = open_database(sqlite_url(tmp))
    try:
        ensure_vault(db)
    finally:
        db.dispose()
    with sqlite3.connect(tmp) as con:
        con.execute("ANALYZE")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    tmp.replace(path)
    return path


# Searches on the sealed copy: (name, text, the plan the planner must choose).
SEARCHES = (
    ("rare", "@user04999", "candidates"),  # a handle of one account: 20 cases
    ("word_rare", "123457", "candidates"),  # a report word of one case
    ("id", "ESC-012345", "candidates"),  # an external id prefix: 11 cases
    ("word_common", "flagged", "walk"),  # a word of every report: the first page is at the front
    ("handle_common", "user0", "walk"),  # a substring of every handle
)


def run_sealed(runs: int = RUNS, workdir: Path | None = None) -> dict[str, float]:
    """Text search on the sealed copy (report texts sealed and word-indexed), first page of each search
    in ``SEARCHES``, p50 and p95 of ``runs`` (ms; ``search_rare_p95_ms`` is the target), and one count."""
    import tempfile

    from reviewer import queue
    from reviewer.paths import sqlite_url
    from reviewer.storage.database import Database

    path = ensure_sealed_db()
    path = _at_head(path, workdir or Path(tempfile.mkdtemp(prefix="bench-queue-")))
    db = Database(sqlite_url(path))
    result: dict[str, float] = {}
    try:
        with db.read() as s:
            for name, text, plan in SEARCHES:
                flt = queue.QueueFilter(text=text)
                assert queue.search_plan(s, flt) == plan, (text, plan)
                assert name == "word_rare" or queue.fetch_page(s, flt, None, PAGE), text
                p50, p95 = _p50_p95_ms(lambda f=flt: queue.fetch_page(s, f, None, PAGE), runs)
                result[f"search_{name}_p50_ms"], result[f"search_{name}_p95_ms"] = p50, p95
                result[f"search_{name}_cpu_ms"] = _cpu_ms(
                    lambda f=flt: queue.fetch_page(s, f, None, PAGE), runs
                )
            walk = queue.fetch_page(s, queue.QueueFilter(text="flagged"), None, PAGE)
            result["search_word_common_next_page_ms"] = _median_ms(
                lambda: queue.fetch_page(s, queue.QueueFilter(text="flagged"), walk[-1].key, PAGE), runs
            )
            result["search_rare_count_ms"] = _median_ms(
                lambda: queue.count(s, queue.QueueFilter(text="@user04999")), runs
            )
    finally:
        db.dispose()
    return result


def main() -> None:
    t0 = time.perf_counter()
    _cached(DB_PATH, 1_000_000)  # never rebuilt for a newer schema: run() migrates a copy
    print(f"database ready in {time.perf_counter() - t0:.1f} s: {DB_PATH}")
    result = run()
    print(f"{'measure':40} {'ms':>9}")
    for name, ms in result.items():
        print(f"{name:40} {ms:9.2f}")
    print(result)


if __name__ == "__main__":
    from _util import busy_load, load_requested

    with busy_load(load_requested()):  # --load: one busy process beside it
        main()
