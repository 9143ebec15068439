"""A decision acknowledged before a SIGKILL is in the database exactly once, and the file stays sound.

KILLS (default 25, ``REVIEWER_CRASH_KILLS`` to change) writer processes are each killed with SIGKILL at a
random moment while committing decisions as fast as they can. Writers are forked from a multiprocessing
fork server that has the app imported already, so each starts in milliseconds: 25 kills fit in seconds.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.audit import verify
from reviewer.models import Decision
from reviewer.paths import sqlite_url
from reviewer.storage.migrate import open_database
from tests.support.crash_writer import write_forever
from tests.support.waiting import PROCESS_WAIT_S

KILLS = int(os.environ.get("REVIEWER_CRASH_KILLS", "25"))


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_no_acknowledged_decision(db_path: Path, make_cases) -> None:
    case_ids = [str(c) for c in make_cases(5)]
    url = sqlite_url(db_path)
    rng = random.Random(1234)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.support.crash_writer"])
    acknowledged: set[str] = set()
    kills = 0
    for _ in range(KILLS):
        reader, writer = ctx.Pipe(duplex=False)
        child = ctx.Process(target=write_forever, args=(url, case_ids, writer), daemon=True)
        child.start()
        writer.close()  # only the child holds the writing end: its death ends the stream
        try:
            assert reader.poll(PROCESS_WAIT_S) and reader.recv() == "READY"
            # At least one decision acknowledged (a state, however slow the machine), then a random moment.
            assert reader.poll(PROCESS_WAIT_S), "the writer acknowledged no decision"
            acknowledged.add(reader.recv())
            deadline = time.monotonic() + rng.uniform(0.01, 0.4)
            while (left := deadline - time.monotonic()) > 0:
                if reader.poll(left):
                    acknowledged.add(reader.recv())
            child.kill()
            child.join(PROCESS_WAIT_S)
            # Killed while still writing, not dead of some error of its own.
            assert child.exitcode == -signal.SIGKILL
            kills += 1
            # Whole messages sent before death were acknowledged; a torn last one was not.
            while reader.poll(0):
                try:
                    acknowledged.add(reader.recv())
                except EOFError:
                    break
        finally:
            if child.is_alive():
                child.kill()
                child.join()
            reader.close()
            child.close()
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
    print(f"\ncrash safety: {kills} SIGKILLs, {len(acknowledged)} acknowledged decisions, none lost")
    assert kills == KILLS
    assert len(acknowledged) >= KILLS  # at least one per writer, each acknowledged before its kill
