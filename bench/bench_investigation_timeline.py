"""Benchmark: an investigation's timeline over a busy account.

Builds a temporary database (migrated to head) with 20,000 cases of 400 accounts, one account holding
2,000 of them across five channels, two decisions on each of that account's cases (a tenth of them
undone) and 300 notes; the investigation gathers that account and 50 cases of other accounts. Times
``investigation_timeline`` (bounded to 2,000 entries; median of 5 after one warm-up) and
``get_investigation``, as the Investigations window runs them on the db-read worker.

    .venv/bin/python bench/bench_investigation_timeline.py

``run() -> dict``: ``investigation_timeline_ms`` (target: < 300), ``investigation_view_ms``.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _util  # noqa: F401  (puts the project on sys.path)
from _util import busy_load, load_requested

N_CASES, N_ACCOUNTS, BUSY, CHANNELS = (
    20_000,
    400,
    2_000,
    ("partner", "media", "staff", "user_report", "regulator"),
)


def _build(db: object) -> tuple[uuid.UUID, uuid.UUID]:
    from sqlalchemy import insert

    from reviewer import investigations as inv
    from reviewer.clock import utcnow
    from reviewer.identity import ensure_reviewer
    from reviewer.models import Account, Case, Channel, Decision, table_of

    rng = random.Random(11)
    now = utcnow()
    me = ensure_reviewer(db, "bench")  # type: ignore[arg-type]
    channels = [{"id": uuid.uuid4(), "code": c, "name": c} for c in CHANNELS]
    accounts = [{"id": uuid.uuid4(), "platform": "p", "handle": f"@a{i}", "risk_flags": [], "risk_score": 0.1,
                 "created_at": now} for i in range(N_ACCOUNTS)]  # fmt: skip
    busy = accounts[0]["id"]
    cases, decisions = [], []
    for i in range(N_CASES):
        account = busy if i < BUSY else accounts[1 + i % (N_ACCOUNTS - 1)]["id"]
        at = now - timedelta(minutes=N_CASES - i)
        case_id = uuid.uuid4()
        cases.append({"id": case_id, "external_id": f"B-{i:06d}", "channel_id": rng.choice(channels)["id"],
                      "account_id": account, "category": "violence", "priority": 2, "sla_deadline": at,
                      "risk_rank": 500, "status": "decided" if i < BUSY else "open", "tier": 1, "reporter": "",
                      "report_text": "", "scores": {}, "created_at": at, "state_seq": 0})  # fmt: skip
        if i < BUSY:
            for k, action in enumerate(("escalate", "remove")):
                decisions.append({"id": uuid.uuid4(), "case_id": case_id, "reviewer_id": me.id, "action": action,
                                  "policy_code": "VIO-1" if action == "remove" else None, "note": "", "tier": 1,
                                  "handle_ms": 0, "revealed": False, "rationale": "r",
                                  "created_at": at + timedelta(seconds=10 + k)})  # fmt: skip
    with db.write() as s:  # type: ignore[attr-defined]
        conn = s.connection()
        conn.execute(insert(table_of(Channel)), channels)
        conn.execute(insert(table_of(Account)), accounts)
        conn.execute(insert(table_of(Case)), cases)
        conn.execute(insert(table_of(Decision)), decisions)
    inv_id = inv.create_investigation(db, me, "busy")  # type: ignore[arg-type]
    inv.add_account(db, me, inv_id, busy)  # type: ignore[arg-type]
    for c in rng.sample(cases[BUSY:], 50):
        inv.add_case(db, me, inv_id, c["id"])  # type: ignore[arg-type]
    for n in range(300):
        inv.add_note(db, me, inv_id, f"note {n}")  # type: ignore[arg-type]
    return inv_id, busy


def _median_ms(fn: object, repeat: int = 5) -> float:
    fn()  # type: ignore[operator]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def run() -> dict[str, float]:
    from reviewer import investigations as inv
    from reviewer.paths import sqlite_url
    from reviewer.storage.migrate import open_database

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(sqlite_url(Path(tmp) / "bench.sqlite3"))
        try:
            inv_id, _ = _build(db)
            entries = len(inv.investigation_timeline(db, inv_id))
            return {
                "investigation_timeline_ms": _median_ms(lambda: inv.investigation_timeline(db, inv_id)),
                "investigation_view_ms": _median_ms(lambda: inv.get_investigation(db, inv_id)),
                "investigation_timeline_entries": float(entries),
            }
        finally:
            db.dispose()


if __name__ == "__main__":
    with busy_load(load_requested()):  # --load: one busy process beside it
        print(json.dumps(run(), indent=2))
