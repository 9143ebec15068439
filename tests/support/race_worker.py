"""Child process for the race tests: decides cases as one app instance would, then reports its counts.

Usage: python -m tests.support.race_worker DB_URL SCENARIO HANDLE SESSION_ID — case ids on the first line of
stdin, then it prints READY, waits for GO, works through the cases and prints ``DONE decided refused``.

Scenarios: ``claim_then_decide`` (decide only after a successful claim), ``decide_without_claim`` (fire
the claim, decide whatever it answered, as a window that does not wait for it), ``expired`` (the session's
lease ran out and the other session took the cases; both decide everything).
"""

from __future__ import annotations

import random
import sys
import uuid

from reviewer.conflicts import CaseConflict
from reviewer.decisions import record_decision
from reviewer.identity import ensure_reviewer
from reviewer.leases import claim_case
from reviewer.storage.migrate import open_database


def main() -> None:
    url, scenario, handle, session = sys.argv[1:5]
    db = open_database(url)
    me = ensure_reviewer(db, handle)
    session_id = uuid.UUID(session)
    ids = [uuid.UUID(x) for x in sys.stdin.readline().split()]
    random.Random(handle).shuffle(ids)
    print("READY", flush=True)
    assert sys.stdin.readline().strip() == "GO"
    decided = refused = 0
    for cid in ids:
        if scenario == "claim_then_decide" and not claim_case(db, cid, session_id):
            continue
        if scenario == "decide_without_claim":
            claim_case(db, cid, session_id)  # the answer is not waited for
        try:
            record_decision(db, case_id=cid, reviewer=me, action="keep", session_id=session_id)
            decided += 1
        except CaseConflict:
            refused += 1
    print("DONE", decided, refused, flush=True)
    db.dispose()


if __name__ == "__main__":
    main()
