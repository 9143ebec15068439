"""Benchmark (what-if): the decision write's SQL on schemas with fewer B-trees, against bare SQLite.

Why: ``bench_decisions.py`` shows the decision write at 2.1-2.5x a bare INSERT+COMMIT and the same SQL
written by hand (``raw_equiv``) at 1.75-2.1x, so the statements themselves, not the Python around them,
decide the ratio. A decision changes three rows held in 11 B-trees (``case`` and ``ix_case_queue``; the
decision table, its id key and ``ix_decision_case``/``_session``/``_created``; the audit event table, its id
key and its ``(source_id, seq)`` key); each B-tree touched is one more 4 KB WAL frame written and fsynced
at the commit. This benchmark measures what each B-tree costs, by running ``raw_equiv``'s write on copies
of the same database changed one way each:

* ``as_shipped``: the schema as it is;
* ``queue_without_decided``: ``ix_case_queue`` partial, ``WHERE status != 'decided'`` (deciding deletes the
  case's entry instead of moving it; the Decided queue would lose its ordered index);
* ``no_session_index``: without ``ix_decision_session`` (session figures and undo in a session would read
  decisions by reviewer and time);
* ``no_created_index``: without ``ix_decision_created`` (the analyst views' date ranges would scan);
* ``audit_keyed_by_chain``: ``audit_event`` keyed by ``(source_id, seq)``, its id no longer indexed (an
  upgrade would copy every audit event into the new table);
* ``three_cuts``: the queue, session and audit changes together.

Each variant has its own copy and writes in the same rounds as a bare ``BEGIN IMMEDIATE; INSERT; COMMIT``
(``bench_decisions._Bare``), so all see the same machine; the copies are checkpointed every 25 writes as
the app does. Per variant: median ms, ratio to bare, WAL frames per commit. Not part of the default run
(``bench/run.py --only decision_pages``): none of these schemas is the app's, it shows the cost of each.

    .venv/bin/python bench/bench_decision_pages.py
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import busy_load, load_requested, med, r2

WRITES = 1000
WARMUP = 50
CHECKPOINT_EVERY = 25

_AUDIT_BY_CHAIN = """
CREATE TABLE audit_by_chain (id CHAR(32) NOT NULL, seq INTEGER NOT NULL, created_at DATETIME NOT NULL,
 actor VARCHAR(64) NOT NULL, kind VARCHAR(32) NOT NULL, subject VARCHAR(64) NOT NULL, payload TEXT NOT NULL,
 prev_hash VARCHAR(64) NOT NULL, hash VARCHAR(64) NOT NULL, source_id CHAR(32) NOT NULL,
 format INTEGER DEFAULT '2' NOT NULL, PRIMARY KEY (source_id, seq));
INSERT INTO audit_by_chain SELECT id, seq, created_at, actor, kind, subject, payload, prev_hash, hash,
 source_id, format FROM audit_event;
DROP TABLE audit_event;
ALTER TABLE audit_by_chain RENAME TO audit_event;
"""
_QUEUE_WITHOUT_DECIDED = (
    "DROP INDEX ix_case_queue; CREATE INDEX ix_case_queue ON \"case\""
    " (status, priority, sla_deadline, risk_rank, id) WHERE status != 'decided';"
)
VARIANTS: dict[str, str] = {
    "as_shipped": "",
    "queue_without_decided": _QUEUE_WITHOUT_DECIDED,
    "no_session_index": "DROP INDEX ix_decision_session;",
    "no_created_index": "DROP INDEX ix_decision_created;",
    "audit_keyed_by_chain": _AUDIT_BY_CHAIN,
    "three_cuts": _QUEUE_WITHOUT_DECIDED + "DROP INDEX ix_decision_session;" + _AUDIT_BY_CHAIN,
}


def _prepare(src: Path, dest: Path, script: str) -> tuple[str, str]:
    """A migrated copy of ``src`` changed by ``script``, with the reviewer, session and pack version rows
    the decisions cite (foreign keys stay on, as in the app). Returns (reviewer id, session id)."""
    from reviewer.paths import sqlite_url
    from reviewer.storage.migrate import open_database

    shutil.copyfile(src, dest)
    open_database(sqlite_url(dest)).dispose()  # the cached database may predate the current schema
    rid, sid, now = uuid.uuid4().hex, uuid.uuid4().hex, "2026-12-04 10:00:00.000000"
    con = sqlite3.connect(dest, isolation_level=None)
    try:
        # The analyst views name the tables changed below; they are not part of a decision's write.
        for (view,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'view'").fetchall():
            con.execute(f'DROP VIEW "{view}"')
        con.executescript(script)
        con.execute(
            "INSERT INTO reviewer (id, handle, display_name, created_at, role) VALUES (?, ?, ?, ?, ?)",
            (rid, f"bench-{rid[:8]}", "bench", now, "reviewer"),
        )
        con.execute(
            "INSERT INTO review_session (id, reviewer_id, started_at, host) VALUES (?, ?, ?, ?)",
            (sid, rid, now, "bench"),
        )
        con.execute(
            "INSERT INTO policy_pack_version (id, pack_id, version, sha256, loaded_at) VALUES (?, ?, ?, ?, ?)",
            (uuid.uuid4().hex, f"bench-{rid[:8]}", "1", "0" * 64, now),
        )
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    return rid, sid


def run(writes: int = WRITES, variants: tuple[str, ...] = tuple(VARIANTS)) -> dict[str, float]:
    from bench_decisions import DB_CACHE, FRAME_WRITES, N_CASES, _Bare, _RawEquivalent, _wal_frames
    from bench_queue import ensure_million_db

    src = ensure_million_db(DB_CACHE, N_CASES)
    with sqlite3.connect(src) as con:
        open_ids = [r[0] for r in con.execute("SELECT id FROM \"case\" WHERE status = 'open' ORDER BY id")]
    con.close()
    rounds = writes + WARMUP
    assert len(open_ids) >= rounds + FRAME_WRITES, (len(open_ids), rounds)
    with tempfile.TemporaryDirectory(prefix="bench-decision-pages-") as tmpdir:
        tmp = Path(tmpdir)
        writers: dict[str, _RawEquivalent] = {}
        for name in variants:
            path = tmp / f"{name}.sqlite3"
            writers[name] = _RawEquivalent(path, *_prepare(src, path, VARIANTS[name]))
        bare = _Bare(tmp)
        times: dict[str, list[float]] = {name: [] for name in (*variants, "bare")}
        try:
            for i in range(rounds):
                if i % CHECKPOINT_EVERY == 0:
                    for w in writers.values():
                        w.con.execute("PRAGMA wal_checkpoint(PASSIVE)")
                for name, w in writers.items():
                    t0 = time.perf_counter()
                    w.write(open_ids[i])
                    if i >= WARMUP:
                        times[name].append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                bare.write()
                if i >= WARMUP:
                    times["bare"].append((time.perf_counter() - t0) * 1000)
            frames = {}
            for name, w in writers.items():
                spare = iter(open_ids[rounds : rounds + FRAME_WRITES])
                frames[name] = _wal_frames(w.con, lambda w=w, spare=spare: w.write(next(spare)))
            frames["bare"] = _wal_frames(bare.con, bare.write)
        finally:
            for w in writers.values():
                w.con.close()
            bare.con.close()
    bare_med = med(times["bare"])
    out: dict[str, float] = {
        "decision_pages_bare_median_ms": r2(bare_med),
        "decision_pages_bare_wal_frames": r2(frames["bare"]),
    }
    for name in variants:
        out[f"decision_pages_{name}_median_ms"] = r2(med(times[name]))
        out[f"decision_pages_{name}_ratio_to_bare"] = r2(med(times[name]) / bare_med)
        out[f"decision_pages_{name}_wal_frames"] = r2(frames[name])
    return out


def main() -> None:
    for key, value in run().items():
        print(f"{key:55s} {value}")


if __name__ == "__main__":
    with busy_load(load_requested()):  # --load: one busy process beside it
        main()
