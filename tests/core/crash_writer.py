"""Child process for the crash tests: records decisions as fast as it can, printing each id once committed.

Usage: python crash_writer.py DB_URL  — reads case ids from stdin (one per line) first.
"""

from __future__ import annotations

import sys
import uuid

from reviewer.decisions import record_decision
from reviewer.identity import ensure_reviewer
from reviewer.storage.migrate import open_database


def main() -> None:
    db = open_database(sys.argv[1])
    me = ensure_reviewer(db, "crash-writer")
    case_ids = [uuid.UUID(line.strip()) for line in sys.stdin if line.strip()]
    print("READY", flush=True)
    n = 0
    while True:
        for cid in case_ids:
            res = record_decision(db, case_id=cid, reviewer=me, action="note", note=f"n{n}")
            # Acknowledge only after the commit returned: this is what the screen would show.
            sys.stdout.write(f"{res.decision_id}\n")
            sys.stdout.flush()
            n += 1


if __name__ == "__main__":
    main()
