"""Child process: one workstation reviewing its working copy and syncing now and then, as the app would.

Usage: ``python -m tests.support.sync_worker DECISIONS SYNC_EVERY`` with ``REVIEWER_DATA_DIR`` naming the
workstation (connected before). It decides the first DECISIONS open cases of its working copy (skipping
those it may not decide), tries a sync after every SYNC_EVERY decisions (an unreachable server is
normal: it goes on offline), then prints ``DONE decided offline_syncs ok_syncs``. With SYNC_EVERY 0 it
only syncs once, printing ``SYNCING`` first (the kill -9 test).

With ``SYNC_WORKER_OUTAGES=N`` it does not finish before its syncs have met N distinct outages (a failed
sync after a good one): once its decisions are made it goes on syncing, with nothing new to push, until
then (at most two minutes). A fast machine otherwise makes its decisions within the test's first outage.
"""

from __future__ import annotations

import os
import sys
import time

from sqlalchemy import select

from reviewer.conflicts import CaseConflict
from reviewer.decisions import record_decision
from reviewer.identity import current_handle, ensure_reviewer, start_session
from reviewer.models import Case
from reviewer.paths import default_db_url
from reviewer.storage.migrate import open_database
from reviewer.sync.engine import sync_once
from reviewer.sync.remote import ServerUnavailable


def _sync(db: object) -> bool:
    started = time.monotonic()
    try:
        sync_once(db)  # type: ignore[arg-type]
        print(f"SYNCED in {time.monotonic() - started:.2f} s", flush=True)
        return True
    except ServerUnavailable as exc:
        print(f"OFFLINE after {time.monotonic() - started:.2f} s: {str(exc)[:60]}", flush=True)
        return False
    except Exception as exc:  # a cut in the middle of a sync: the next one resumes
        print(f"SYNC-ERROR after {time.monotonic() - started:.2f} s {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", flush=True)
        return False


def main() -> None:
    wanted, every = int(sys.argv[1]), int(sys.argv[2])
    db = open_database(default_db_url())
    if every == 0:
        print("SYNCING", flush=True)
        print("DONE 0 0", int(_sync(db)), flush=True)
        return
    me = ensure_reviewer(db, current_handle())
    session_id = start_session(db, me)
    with db.read() as s:
        ids = list(
            s.execute(
                select(Case.id).where(Case.status == "open").order_by(Case.priority, Case.sla_deadline, Case.id)
            ).scalars()
        )
    decided = offline = ok = outages = 0
    was_ok = True

    def attempt() -> None:
        nonlocal offline, ok, outages, was_ok
        if _sync(db):
            ok += 1
            was_ok = True
        else:
            offline += 1
            outages += int(was_ok)
            was_ok = False

    for case_id in ids:
        if decided >= wanted:
            break
        try:
            record_decision(db, case_id=case_id, reviewer=me, action="keep", session_id=session_id)
        except CaseConflict:
            continue
        decided += 1
        if decided % every == 0:
            attempt()
    wanted_outages = int(os.environ.get("SYNC_WORKER_OUTAGES", "0"))
    deadline = time.monotonic() + 120
    while outages < wanted_outages and time.monotonic() < deadline:
        time.sleep(0.05)
        attempt()
    print("DONE", decided, offline, ok, flush=True)


if __name__ == "__main__":
    main()
