"""Child process for the crash tests: records decisions as fast as it can, acknowledging each once committed.

Usage: python crash_writer.py DB_URL  — reads case ids from stdin (one per line) first, prints each id.
The crash test runs ``write_forever`` in processes forked from a multiprocessing fork server that has
already imported everything, so a writer starts in milliseconds instead of a second of imports.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable
from multiprocessing.connection import Connection

from reviewer.decisions import record_decision
from reviewer.identity import ensure_reviewer
from reviewer.storage.migrate import open_database


def _record_forever(
    url: str, case_ids: list[uuid.UUID], ready: Callable[[], None], ack: Callable[[str], None]
) -> None:
    db = open_database(url)
    me = ensure_reviewer(db, "crash-writer")
    ready()
    n = 0
    while True:
        for cid in case_ids:
            res = record_decision(db, case_id=cid, reviewer=me, action="note", note=f"n{n}")
            # Acknowledge only after the commit returned: this is what the screen would show.
            ack(str(res.decision_id))
            n += 1


def write_forever(url: str, case_ids: list[str], out: Connection) -> None:
    """Process target: sends "READY", then each committed decision id, until killed."""
    _record_forever(url, [uuid.UUID(c) for c in case_ids], lambda: out.send("READY"), out.send)


def main() -> None:
    case_ids = [uuid.UUID(line.strip()) for line in sys.stdin if line.strip()]

    def ack(text: str) -> None:
        sys.stdout.write(f"{text}\n")
        sys.stdout.flush()

    _record_forever(sys.argv[1], case_ids, lambda: ack("READY"), ack)


if __name__ == "__main__":
    main()
