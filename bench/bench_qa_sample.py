"""Benchmark: the QA sampling step (``reviewer.qa.sampling.sample_new_decisions``).

A fresh database gets N final decisions (bulk-inserted, random uuid4 ids, 10 per case); the step runs
three times: the first pass considers every decision, the next ones only what was added since
(``qa_sample_mark``), i.e. nothing. Reported: each pass's time, how many were considered and sampled.

    .venv/bin/python bench/bench_qa_sample.py [N]     (default 100,000)
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert


def main(n: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-qa-"))
    os.environ["REVIEWER_DATA_DIR"] = str(folder)
    os.environ.setdefault("REVIEWER_USER", "bench")
    from reviewer.clock import utcnow
    from reviewer.identity import ensure_reviewer
    from reviewer.models import Account, Case, Channel, Decision, table_of
    from reviewer.paths import sqlite_url
    from reviewer.qa.sampling import sample_new_decisions
    from reviewer.storage.migrate import open_database

    db = open_database(sqlite_url(folder / "bench.sqlite3"))
    now = utcnow()
    with db.write() as s:
        channel = Channel(code="partner", name="partner")
        account = Account(platform="x", handle="@bench", risk_score=0.1)
        s.add_all([channel, account])
        s.flush()
        cases = [
            Case(external_id=f"B-{i}", channel_id=channel.id, account_id=account.id, category="violence",
                 priority=2, sla_deadline=now, risk_rank=1, report_text="r")
            for i in range(max(1, n // 10))
        ]  # fmt: skip
        s.add_all(cases)
        s.flush()
        case_ids = [c.id for c in cases]
    me = ensure_reviewer(db, "bench")
    rng = random.Random(1)
    rows = [
        {"id": uuid.UUID(int=rng.getrandbits(128), version=4), "case_id": case_ids[i % len(case_ids)],
         "reviewer_id": me.id, "action": "remove", "policy_code": "VIO-1", "tier": 1, "note": "",
         "handle_ms": 0, "revealed": False, "rationale": "", "created_at": now + timedelta(microseconds=i)}
        for i in range(n)
    ]  # fmt: skip
    with db.write() as s:
        conn = s.connection()
        for k in range(0, n, 5000):
            conn.execute(insert(table_of(Decision)), rows[k : k + 5000])
    for run in range(3):
        t0 = time.perf_counter()
        result = sample_new_decisions(db)
        ms = (time.perf_counter() - t0) * 1000
        print(f"pass {run + 1}: {ms:,.0f} ms, {result.considered:,} considered, {result.sampled:,} sampled")
    print(f"load average: {os.getloadavg()[0]:.1f}")
    db.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
