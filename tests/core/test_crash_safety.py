"""A decision acknowledged before a SIGKILL is in the database exactly once, and the file stays sound."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.audit import verify
from reviewer.models import Decision
from reviewer.paths import sqlite_url
from reviewer.storage.migrate import open_database

WRITER = Path(__file__).with_name("crash_writer.py")
KILLS = int(os.environ.get("REVIEWER_CRASH_KILLS", "12"))


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_no_acknowledged_decision(db_path: Path, make_cases) -> None:
    case_ids = make_cases(5)
    url = sqlite_url(db_path)
    rng = random.Random(1234)
    acknowledged: set[str] = set()
    for _ in range(KILLS):
        child = subprocess.Popen(
            [sys.executable, str(WRITER), url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdin and child.stdout
        child.stdin.write("\n".join(str(c) for c in case_ids) + "\n")
        child.stdin.close()
        assert child.stdout.readline().strip() == "READY"
        deadline = time.monotonic() + rng.uniform(0.01, 0.4)
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            acknowledged.add(line.strip())
        child.send_signal(signal.SIGKILL)
        child.wait()
        rest = child.stdout.read()
        child.stdout.close()
        # Whole lines printed before death were acknowledged; a torn last line was not.
        acknowledged.update(x.strip() for x in rest.splitlines(keepends=True) if x.endswith("\n"))
        db = open_database(url)
        try:
            with db.read() as s:
                stored = [str(i) for i in s.execute(select(Decision.id)).scalars()]
            assert acknowledged <= set(stored)
            assert len(stored) == len(set(stored))
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert verify(db).ok
        finally:
            db.dispose()
    assert len(acknowledged) > KILLS
