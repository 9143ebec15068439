"""Benchmark: the first pull of a team server into an empty working copy (``reviewer.sync.pull``).

The server is a fresh schema on the PostgreSQL the tests use (``tests/support/pg.py``: 127.0.0.1:5432 or
``REVIEWER_PG_URL``), filled as an import into it leaves it: 2,000 cases with one 64 KiB image each
(media in ``media_blob``), plain texts. Measured: the first pull's wall time and cases/s (texts sealed,
media fetched, checked and stored sealed, one ``sync.pull`` event per batch of 500), and a second pull
with nothing new. Without a server the bench reports ``sync_pull_skipped`` = 1.

    .venv/bin/python bench/bench_sync_pull.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import busy_load, load_requested, server_schema

CASES = 2000
IMAGE_BYTES = 64 << 10
PER_TRANSACTION = 500


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-pull-") as tmp:
        folder = Path(tmp)
        os.environ["REVIEWER_DATA_DIR"] = str(folder / "data")
        (folder / "data").mkdir()
        from reviewer.paths import sqlite_url
        from reviewer.storage.migrate import open_database
        from reviewer.sync.pull import pull
        from tests.support import server_data as S

        with server_schema(folder) as url:
            if url is None:
                return {"sync_pull_skipped": 1}
            server = S.open_server(url)
            for start in range(0, CASES, PER_TRANSACTION):
                S.add_cases(server, PER_TRANSACTION, start=start, image_bytes=IMAGE_BYTES)
            local = open_database(sqlite_url(folder / "work.sqlite3"))
            source = uuid.uuid4()
            t0 = time.perf_counter()
            first = S.caught_up(local, server, source_id=source)
            seconds = time.perf_counter() - t0
            assert first.cases == CASES, first
            t0 = time.perf_counter()
            again = pull(local, server, source_id=source)
            idle_ms = (time.perf_counter() - t0) * 1000
            assert again.written == 0, again
            local.dispose()
            server.dispose()
            return {
                "sync_pull_2k_cases_s": round(seconds, 2),
                "sync_pull_cases_per_s": round(CASES / seconds, 1),
                "sync_pull_media_mb_per_s": round(first.media_bytes / seconds / (1 << 20), 1),
                "sync_pull_nothing_new_ms": round(idle_ms, 1),
            }


def main() -> None:
    for key, value in run().items():
        print(f"{key:40} {value}")


if __name__ == "__main__":
    with busy_load(load_requested()):  # --load: one busy process beside it
        main()
