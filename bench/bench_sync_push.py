"""Benchmark: pushing a workstation's decisions to the team server (``reviewer.sync.push``).

A fresh schema on the tests' PostgreSQL (``tests/support/pg.py``) and a SQLite working copy hold the same
5,000 cases (as a pull leaves them); 2,000 decisions are made on the working copy with
``record_decision``, then pushed in one ``push`` (batches of 500 events, each one server transaction:
the events, the decision rows, the case states, the server's own event). Reported: decisions/s of the
push, and a second push with nothing new. Without a server: ``sync_push_skipped`` = 1.

    .venv/bin/python bench/bench_sync_push.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import busy_load, load_requested, server_schema

CASES = 5000
DECISIONS = 2000


def _seed(db: object, ids: list[uuid.UUID], channel: uuid.UUID) -> None:
    from sqlalchemy import insert

    from reviewer.clock import utcnow
    from reviewer.models import Case, Channel, table_of

    now = utcnow()
    with db.write() as session:  # type: ignore[attr-defined]
        conn = session.connection()
        conn.execute(insert(table_of(Channel)).values(id=channel, code="partner", name="Partner"))
        conn.execute(
            insert(table_of(Case)),
            [
                {
                    "id": i,
                    "external_id": f"B-{n}",
                    "channel_id": channel,
                    "category": "violence",
                    "priority": 2,
                    "sla_deadline": now + timedelta(hours=1),
                    "risk_rank": 500,
                    "reporter": "",
                    "report_text": "",
                    "scores": {},
                    "created_at": now,
                    "status": "open",
                    "tier": 1,
                    "state_seq": 0,
                }
                for n, i in enumerate(ids)
            ],
        )


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-push-") as tmp:
        folder = Path(tmp)
        os.environ["REVIEWER_DATA_DIR"] = str(folder / "data")
        (folder / "data").mkdir()
        from reviewer.decisions import record_decision
        from reviewer.identity import ensure_reviewer, start_session
        from reviewer.paths import sqlite_url
        from reviewer.storage.migrate import open_database
        from reviewer.sync.push import push

        with server_schema(folder) as url:
            if url is None:
                return {"sync_push_skipped": 1}
            server = open_database(url)
            local = open_database(sqlite_url(folder / "work.sqlite3"))
            ids = [uuid.uuid4() for _ in range(CASES)]
            channel = uuid.uuid4()
            _seed(server, ids, channel)
            _seed(local, ids, channel)
            me = ensure_reviewer(local, "bench")
            session = start_session(local, me)
            for case_id in ids[:DECISIONS]:
                record_decision(local, case_id=case_id, reviewer=me, action="keep", session_id=session)
            t0 = time.perf_counter()
            report = push(local, server)
            seconds = time.perf_counter() - t0
            assert report.decisions == DECISIONS, report
            t0 = time.perf_counter()
            again = push(local, server)
            idle_ms = (time.perf_counter() - t0) * 1000
            assert again.events == 0, again
            local.dispose()
            server.dispose()
    return {
        "sync_push_decisions": DECISIONS,
        "sync_push_s": round(seconds, 2),
        "sync_push_decisions_per_s": round(DECISIONS / seconds, 1),
        "sync_push_nothing_new_ms": round(idle_ms, 1),
    }


if __name__ == "__main__":
    with busy_load(load_requested()):  # --load: one busy process beside it
        print(run())
