"""Benchmark: one durable decision write (``reviewer.decisions.record_decision``) against bare SQLite.

A 20,000-case database (built once by ``bench_queue.ensure_million_db`` into ``bench/.cache/``, copied to
a temp folder per run because decisions write) takes 2,000 "keep" decisions under NV-0 (as the K key does),
each on a different open case, each its own transaction (WAL, synchronous=FULL: one fsync of the WAL per
commit). Two baselines with the same PRAGMAs:

* ``bare``: sqlite3, ``BEGIN IMMEDIATE; INSERT`` one decision-like row ``; COMMIT`` into a table of its own;
* ``raw_equiv``: sqlite3 running the same statements record_decision issues (one read of the case, its
  decisions and the chain's last link; insert the decision; update the case; insert the audit event with
  a payload of the same snapshots) in one transaction, on a copy of its own of the same database.

Each writer has a file of its own: a commit by one connection empties SQLite's page cache of every
other connection of that file at its next transaction, and in the app nothing commits on another
connection between two decisions (claims write on the decisions' connection: ``reviewer.leases``), so a
decision finds the pages it touched last time still cached, as bare does. (Until 2026-12-05 raw_equiv
wrote into the decisions' file, which made each decision re-read every page it touched: ~35 us.)

So ``record_decision - raw_equiv`` is the ORM/Python cost and ``raw_equiv - bare`` the extra SQL.
Target: record_decision p99 < 3 ms.

After the timed rounds, untimed: the statements one record_decision issues on the driver (sqlite3's trace
callback on a fresh write connection: BEGIN and COMMIT included), and the WAL frames (pages) each kind of
write appends per commit (``FRAME_WRITES`` writes of each kind alone after a checkpoint, then the log's
length from ``PRAGMA wal_checkpoint``).

    .venv/bin/python bench/bench_decisions.py
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import CACHE, busy_load, load_requested, med, pct, r2

N_CASES = 20_000
WRITES = 2000
WARMUP = 50
DB_CACHE = CACHE / "decisions-20k.sqlite3"


def _connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA foreign_keys=ON")
    con.execute("PRAGMA busy_timeout=5000")
    return con


def _fmt(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class _Bare:
    """sqlite3 alone: BEGIN IMMEDIATE; INSERT one decision-like row; COMMIT, in a file of its own."""

    def __init__(self, tmp: Path) -> None:
        self.con = _connect(tmp / "bare.sqlite3")
        self.con.execute(
            "CREATE TABLE decision (id CHAR(32) PRIMARY KEY, case_id CHAR(32), reviewer_id CHAR(32),"
            " session_id CHAR(32), action VARCHAR(32), policy_code VARCHAR(32), policy_version VARCHAR(32),"
            " note TEXT, tier INTEGER, handle_ms INTEGER, revealed BOOLEAN, created_at DATETIME)"
        )
        self.con.execute("CREATE INDEX ix_d_case ON decision (case_id, created_at)")
        self.rid, self.sid = uuid.uuid4().hex, uuid.uuid4().hex

    def write(self) -> None:
        row = (
            uuid.uuid4().hex,
            uuid.uuid4().hex,
            self.rid,
            self.sid,
            "keep",
            "NV-0",
            "1",
            "",
            1,
            900,
            0,
            _fmt(datetime.now(UTC)),
        )
        self.con.execute("BEGIN IMMEDIATE")
        self.con.execute("INSERT INTO decision VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", row)
        self.con.execute("COMMIT")


_HISTORY_SQL = (
    'SELECT "case".id, "case".status, "case".tier, "case".claimed_by, "case".claim_expires_at,'
    ' "case".state_seq, decision.id AS decision_id, decision.action, decision.reverses_id,'
    " decision.session_id, decision.to_tier, decision.bulk_id,"
    " (SELECT seq FROM audit_event WHERE source_id = ? ORDER BY seq DESC LIMIT 1 OFFSET 0) AS chain_seq,"
    " (SELECT hash FROM audit_event WHERE source_id = ? ORDER BY seq DESC LIMIT 1 OFFSET 0) AS chain_hash"
    ' FROM "case" LEFT OUTER JOIN decision ON decision.case_id = "case".id'
    " AND (decision.id NOT IN (SELECT decision_id FROM sync_conflict))"
    ' WHERE "case".id = ? ORDER BY decision.created_at'
)
_DECISION_COLUMNS = (
    "id, case_id, reviewer_id, session_id, action, policy_code, policy_pack_version_id, policy_version,"
    " policy_sha256, note, tier, handle_ms, revealed, reverses_id, client_seq, created_at, rationale, to_tier,"
    " bulk_id"
)


class _RawEquivalent:
    """The statements record_decision runs on SQLite, by hand on sqlite3, in one transaction: BEGIN
    IMMEDIATE; the case-history read (case state, its decisions, the chain's last link, one SELECT);
    insert the decision (every column); update the case state; insert the audit event (a payload of the
    same snapshots: every decision column and the case state, canonical JSON, SHA-256); COMMIT."""

    def __init__(self, path: Path, reviewer_id: str, session_id: str) -> None:
        self.con = _connect(path)
        self.rid, self.sid = reviewer_id, session_id
        self.src = uuid.uuid4().hex  # a chain of its own, as a second workstation's
        self.pack: tuple[str, str, str] | None = None  # the cited pack version (row the first decision added)

    def write(self, cid: str) -> None:
        con, now = self.con, datetime.now(UTC)
        if self.pack is None:
            self.pack = con.execute("SELECT id, version, sha256 FROM policy_pack_version").fetchone()
        pack_row, version, sha = self.pack
        con.execute("BEGIN IMMEDIATE")
        rows = con.execute(_HISTORY_SQL, (self.src, self.src, cid)).fetchall()
        seq, prev = (rows[0][12], rows[0][13]) if rows[0][12] is not None else (0, "0" * 64)
        did, stamp = uuid.uuid4().hex, _fmt(now)
        decision = (did, cid, self.rid, self.sid, "keep", "NV-0", pack_row, version, sha, "", 1, 900, 0)
        decision += (None, None, stamp, "", None, None)
        con.execute(f"INSERT INTO decision ({_DECISION_COLUMNS}) VALUES ({', '.join('?' * 19)})", decision)
        con.execute(
            'UPDATE "case" SET status=?, tier=?, claimed_by=?, claim_expires_at=?, state_seq=? WHERE "case".id = ?',
            ("decided", 1, None, None, rows[0][5] + 1, cid),
        )
        names = _DECISION_COLUMNS.replace(" ", "").split(",")
        snap = dict(zip(names, decision, strict=True))
        case = {"id": cid, "status": "decided", "tier": 1, "claimed_by": None, "claim_expires_at": None}
        payload = json.dumps(
            {"rows": {"decision": [snap], "case": [{**case, "state_seq": rows[0][5] + 1}]}},
            sort_keys=True,
            separators=(",", ":"),
        )
        h = hashlib.sha256(
            f"v2\x1f{self.src}\x1f{seq + 1}\x1f{now}\x1f{payload}\x1f{prev}".encode()
        ).hexdigest()
        con.execute(
            "INSERT INTO audit_event (id, source_id, seq, format, created_at, actor, kind, subject, payload,"
            " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (uuid.uuid4().hex, self.src, seq + 1, 2, stamp, "bench", "decision", did, payload, prev, h),
        )
        con.execute("COMMIT")


CHECKPOINT_EVERY = 25
FRAME_WRITES = 100


def _wal_frames(con: sqlite3.Connection, write: Callable[[], object], n: int = FRAME_WRITES) -> float:
    """WAL frames per commit of ``write``: checkpoint (so the next commit restarts the log), ``n`` writes
    with automatic checkpoints off, then the log's length in frames (``wal_checkpoint``'s second value)."""
    busy, _log, _done = con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0
    con.execute("PRAGMA wal_autocheckpoint=0")
    for _ in range(n):
        write()
    _busy, log, _done = con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return float(log) / n


def run(writes: int = WRITES) -> dict[str, float | str]:
    """Interleaved: each round does one record_decision, one raw-equivalent and one bare write, so all
    three see the same machine load (the machine may be shared)."""
    import shutil

    from bench_queue import ensure_million_db
    from sqlalchemy import event

    from reviewer.audit.checkpoints import checkpoint_if_due, schedule_of
    from reviewer.decisions import record_decision
    from reviewer.identity import ensure_reviewer, start_session
    from reviewer.paths import sqlite_url
    from reviewer.policy import load_default_pack
    from reviewer.storage.database import Database
    from reviewer.storage.migrate import open_database

    src = ensure_million_db(DB_CACHE, N_CASES)
    pack = load_default_pack()
    with tempfile.TemporaryDirectory(prefix="bench-decisions-") as tmpdir:
        tmp = Path(tmpdir)
        path = tmp / "decisions.sqlite3"
        shutil.copyfile(src, path)
        with sqlite3.connect(path) as con:
            open_ids = [r[0] for r in con.execute("SELECT id FROM \"case\" WHERE status='open' ORDER BY id")]
        con.close()
        rounds = writes + WARMUP
        assert len(open_ids) >= 2 * rounds + 3 + 2 * FRAME_WRITES, (len(open_ids), 2 * rounds)
        orm_ids, raw_ids = open_ids[0 : 2 * rounds : 2], open_ids[1 : 2 * rounds : 2]
        spare = open_ids[2 * rounds :]  # for the untimed counts after the rounds
        db = open_database(sqlite_url(path))  # the cached database may predate the current schema
        try:
            schedule_of(db).inline = False  # the window anchors from its timer, not inside a decision
            reviewer = ensure_reviewer(db, "bench")
            session_id = start_session(db, reviewer)

            def decide(db: Database, case_id: str) -> None:
                record_decision(
                    db,
                    case_id=uuid.UUID(hex=case_id),
                    reviewer=reviewer,
                    action="keep",
                    policy_code="NV-0",
                    pack=pack,
                    session_id=session_id,
                    handle_ms=900,
                )

            decide(db, spare.pop())  # adds the cited pack version's row: raw_equiv's copy has it too
            raw_path = tmp / "raw-equiv.sqlite3"
            live, copy = sqlite3.connect(path), sqlite3.connect(raw_path)
            live.backup(copy)
            live.close()
            copy.close()
            raw, bare = _RawEquivalent(raw_path, reviewer.id.hex, session_id.hex), _Bare(tmp)
            orm_t, orm_cpu, raw_t, bare_t = [], [], [], []
            for i in range(rounds):
                if i % CHECKPOINT_EVERY == 0:
                    # As the app does from its io worker every 5 s (25 decisions at 5 a second): the
                    # checkpoints (SQLite's WAL one and the audit chain's signed one, when due) run
                    # between decisions, outside the timed write.
                    db.checkpoint()
                    checkpoint_if_due(db)
                    raw.con.execute("PRAGMA wal_checkpoint(PASSIVE)")
                t0, c0 = time.perf_counter(), time.process_time()
                decide(db, orm_ids[i])
                t1, c1 = time.perf_counter(), time.process_time()
                raw.write(raw_ids[i])
                t2 = time.perf_counter()
                bare.write()
                t3 = time.perf_counter()
                if i >= WARMUP:
                    orm_t.append((t1 - t0) * 1000)
                    orm_cpu.append((c1 - c0) * 1000)
                    raw_t.append((t2 - t1) * 1000)
                    bare_t.append((t3 - t2) * 1000)
            # Untimed: the statements of one decision, as the driver sees them (a fresh Database, so its
            # write connection is made after the trace callback is in place).
            statements: list[str] = []
            traced = Database(sqlite_url(path))
            schedule_of(traced).inline = False
            event.listen(
                traced.write_engine, "connect", lambda c, _r: c.set_trace_callback(statements.append)
            )
            try:
                decide(traced, spare.pop())  # the first also looks up the cited pack version's row
                statements.clear()
                decide(traced, spare.pop())
            finally:
                traced.dispose()
            db.checkpoint()
            probe = _connect(path)
            frames = {
                "orm": _wal_frames(probe, lambda: decide(db, spare.pop())),
                "raw": _wal_frames(raw.con, lambda: raw.write(spare.pop())),
                "bare": _wal_frames(bare.con, bare.write),
            }
            probe.close()
            raw.con.close()
            bare.con.close()
        finally:
            db.dispose()
    orm_med, bare_med = med(orm_t), med(bare_t)
    return {
        "decision_write_median_ms": r2(orm_med),
        "decision_write_p99_ms": r2(pct(orm_t, 99)),
        "decision_write_cpu_median_ms": r2(med(orm_cpu)),
        "decision_raw_equiv_median_ms": r2(med(raw_t)),
        "decision_raw_equiv_p99_ms": r2(pct(raw_t, 99)),
        "decision_bare_insert_median_ms": r2(bare_med),
        "decision_bare_insert_p99_ms": r2(pct(bare_t, 99)),
        "decision_ratio_median_vs_bare": r2(orm_med / bare_med),
        "decision_write_ratio_to_bare": r2(orm_med / bare_med),  # the target's name (<= 2)
        "decision_sql_statements_per_write": len(statements),  # BEGIN and COMMIT included
        "decision_sql_statements": " ; ".join(s.split()[0] for s in statements),
        "decision_wal_frames_per_write": r2(frames["orm"]),
        "decision_raw_equiv_wal_frames_per_write": r2(frames["raw"]),
        "decision_bare_wal_frames_per_write": r2(frames["bare"]),
    }


def main() -> None:
    print(run())


if __name__ == "__main__":
    with busy_load(load_requested()):  # --load: one busy process beside it
        main()
