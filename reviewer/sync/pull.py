"""The pull: what changed on the team server since the last pull, copied into the working copy.

One REPEATABLE READ transaction on the server reads the change feed window ``[cursor, xmin)`` (every
transaction below the snapshot's ``xmin`` has finished, so a slow one that commits later is picked up by a
later pull, never skipped) and the current rows it names. They are written locally in batches, each ONE
local transaction with its ``sync.pull`` audit event (snapshots of every audited row written), the last
one also storing the new cursor (``sync_state`` ``pull_xid``). Order: reviewers, pack versions, sessions,
cases (with channels, accounts, items, media and their decisions), decisions, conflicts, then the record
tables (``reviewer.sync.pull_records``).

Cases pulled: those in the workstation's queues (channel codes; all when none), those leased to a session
of this workstation, those a conflict names, and those the working copy holds already. A case whose local
chain has events the server has not seen yet (local seq above the server's head for this source) keeps its
local state: the next push carries it first. Texts are sealed and media stored sealed, as an import does.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from sqlalchemy import Connection, bindparam, func, select, text

from reviewer.audit.snapshots import RECORD_TABLES
from reviewer.models import AuditEvent, ChangeLog, table_of
from reviewer.storage.database import Database
from reviewer.sync import pull_rows as R
from reviewer.sync.pull_records import record_step
from reviewer.sync.pull_writer import PULL_CURSOR, PullReport, PullWriter, Step, add_reports
from reviewer.sync.records import record_tables
from reviewer.sync.rows import PULL_KIND, chunks, fetch, unsent_rows
from reviewer.sync.state import get_value

__all__ = ["PULL_CURSOR", "PULL_KIND", "PullReport", "add_reports", "pull", "pulled_up_to", "unpushed_cases"]

#: No server statement may hang a pull (a lock held by an admin's open transaction, a dead link).
STATEMENT_TIMEOUT_MS = 30_000
FEED_PAGE = 20_000

Progress = Callable[[str, int, int], None]
_events = table_of(AuditEvent)
_log = table_of(ChangeLog)


def pulled_up_to(local: Database) -> int:
    """The pull cursor: every server transaction below it is in this copy."""
    with local.read() as session:
        return int(get_value(session.connection(), PULL_CURSOR) or 0)


def _read_feed(conn: Connection, lo: int, hi: int) -> dict[str, list[str]]:
    """Row ids per table changed by transactions in ``[lo, hi)``, in first-change order (keyset by id)."""
    seen: dict[str, dict[str, None]] = {}
    last = 0
    while True:
        rows = conn.execute(
            select(_log.c.id, _log.c.table_name, _log.c.row_id)
            .where(_log.c.xid >= lo, _log.c.xid < hi, _log.c.id > last)
            .order_by(_log.c.id)
            .limit(FEED_PAGE)
        ).all()
        if not rows:
            return {table: list(ids) for table, ids in seen.items()}
        for _id, table, row_id in rows:
            seen.setdefault(table, {})[row_id] = None
        last = rows[-1][0]


def unpushed_cases(conn: Connection, source_id: uuid.UUID, server_head: int) -> set[uuid.UUID]:
    """Cases named by this source's local events above ``server_head`` (its pulls' own events aside)."""
    return _unpushed(conn, source_id, server_head)[0]


def _unpushed(
    conn: Connection, source_id: uuid.UUID, server_head: int
) -> tuple[set[uuid.UUID], set[tuple[str, uuid.UUID]]]:
    """Cases, and record rows ``(table, id)``, named by this source's events above ``server_head``."""
    cases: set[uuid.UUID] = set()
    records: set[tuple[str, uuid.UUID]] = set()
    for rows in unsent_rows(conn, source_id, server_head):
        cases.update(uuid.UUID(s["id"]) for s in rows.get("case", []))
        cases.update(uuid.UUID(s["case_id"]) for s in rows.get("decision", []))
        for name in RECORD_TABLES:
            records.update((name, uuid.UUID(s["id"])) for s in rows.get(name, []))
    return cases, records


def _scope(p: PullWriter, server: Connection, queues: Sequence[str], feed: dict[str, list[str]]) -> None:
    if queues:
        chans = server.execute(select(R.CHANNELS.c.id).where(R.CHANNELS.c.code.in_(list(queues))))
        p.wanted_channels = set(chans.scalars())
    p.own_sessions = set(
        server.execute(select(R.SESSIONS.c.id).where(R.SESSIONS.c.source_id == p.source_id)).scalars()
    )
    conflicts = feed.get("sync_conflict", [])
    for row in fetch(server, R.CONFLICTS, "id", [uuid.UUID(i) for i in conflicts]):
        p.conflict_cases.add(row["case_id"])


def pull(
    local: Database,
    server: Database,
    *,
    source_id: uuid.UUID,
    queues: Sequence[str] = (),
    progress: Progress | None = None,
    batch: int = 500,
) -> PullReport:
    """Copy what changed on ``server`` since the last pull into ``local``; see the module docstring."""
    lo = pulled_up_to(local)
    with server.engine.connect() as conn:
        conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.execute(text(f"SET LOCAL statement_timeout = {int(STATEMENT_TIMEOUT_MS)}"))
            hi = int(
                conn.execute(
                    text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
                ).scalar_one()
            )
            hi = max(hi, lo)  # never move the cursor back (a server restored from an older backup)
            head = conn.execute(
                select(func.max(_events.c.seq)).where(_events.c.source_id == bindparam("s")), {"s": source_id}
            ).scalar()
            feed = _read_feed(conn, lo, hi)
            p = PullWriter(local, conn, source_id, lo, hi)
            _scope(p, conn, queues, feed)
            with local.read() as session:
                p.unpushed, p.unpushed_records = _unpushed(session.connection(), source_id, int(head or 0))
            work: list[Step] = []
            for table in (
                "reviewer",
                "policy_pack_version",
                "review_session",
                "case",
                "decision",
                "sync_conflict",
                *record_tables(),
            ):
                for part in chunks(feed.get(table, []), batch):
                    if table == "case":
                        work.append(p.cases(part))
                    elif table in RECORD_TABLES:
                        work.append(record_step(p, table, part))
                    else:
                        work.append(p.plain_rows(table, part))
            if not work:
                work.append(lambda: lambda _s, _c: {})
            for done, step in enumerate(work, 1):
                p.commit(step, final=done == len(work))
                if progress is not None:
                    progress("pull", done, len(work))
    return PullReport(**p.counts)
