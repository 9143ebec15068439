"""The pull: what changed on the team server since the last pull, copied into the working copy.

One REPEATABLE READ transaction on the server reads the change feed window ``[cursor, xmin)`` (every
transaction below the snapshot's ``xmin`` has finished, so a slow one that commits later is picked up by a
later pull, never skipped) and the current rows it names. They are written locally in batches, each ONE
local transaction with its ``sync.pull`` audit event (snapshots of every audited row written), the last
one also storing the new cursor (``sync_state`` ``pull_xid``). Order: reviewers, pack versions, sessions,
cases (with channels, accounts, items, media and their decisions), decisions, conflicts.

Cases pulled: those in the workstation's queues (channel codes; all when none), those leased to a session
of this workstation, those a conflict names, and those the working copy holds already. A case whose local
chain has events the server has not seen yet (local seq above the server's head for this source) keeps its
local state: the next push carries it first. Texts are sealed and media stored sealed, as an import does.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, text, update

from reviewer.audit.chain import append_event_core, lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.audit.snapshots import CASE_STATE_COLUMNS, INITIAL_CASE_STATE, snapshot
from reviewer.importing.writing import sink_for
from reviewer.media.store import MediaStore
from reviewer.models import AuditEvent, ChangeLog, MediaBlob, table_of
from reviewer.storage.database import Database
from reviewer.sync import pull_rows as R
from reviewer.sync.state import get_value, set_value
from reviewer.vault.opening import ensure_vault

PULL_CURSOR = "pull_xid"
PULL_KIND = "sync.pull"
#: No server statement may hang a pull (a lock held by an admin's open transaction, a dead link).
STATEMENT_TIMEOUT_MS = 30_000
FEED_PAGE = 20_000
MEDIA_CHUNK = 32  # media_blob rows fetched per query (bytes in memory: keep it small)

Progress = Callable[[str, int, int], None]
_events = table_of(AuditEvent)
_log = table_of(ChangeLog)
_blobs = table_of(MediaBlob)
_STATE = CASE_STATE_COLUMNS[1:]


@dataclass(frozen=True)
class PullReport:
    reviewers: int = 0
    sessions: int = 0
    cases: int = 0
    decisions: int = 0
    conflicts: int = 0
    media_files: int = 0
    media_bytes: int = 0
    states: int = 0
    skipped_unpushed: int = 0
    policy_versions: int = 0

    @property
    def written(self) -> int:
        """Rows written (media files not counted)."""
        skip = {"media_files", "media_bytes", "skipped_unpushed"}
        return sum(getattr(self, f.name) for f in fields(self) if f.name not in skip)


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
    found: set[uuid.UUID] = set()
    events = conn.execute(
        select(_events.c.payload).where(
            _events.c.source_id == source_id, _events.c.seq > server_head, _events.c.kind != PULL_KIND
        )
    ).scalars()
    for payload in events:
        rows = json.loads(payload).get("rows", {})
        found.update(uuid.UUID(s["id"]) for s in rows.get("case", []))
        found.update(uuid.UUID(s["case_id"]) for s in rows.get("decision", []))
    return found


class _Pull:
    def __init__(self, local: Database, server: Connection, source_id: uuid.UUID, lo: int, hi: int) -> None:
        self.local, self.server, self.source_id, self.lo, self.hi = local, server, source_id, lo, hi
        self.vault = ensure_vault(local)
        self.store = MediaStore(local.media_dir, self.vault)
        self.ids = R.IdMap()
        self.counts: dict[str, int] = {f.name: 0 for f in fields(PullReport)}
        self.unpushed: set[uuid.UUID] = set()
        self.wanted_channels: set[uuid.UUID] | None = None
        self.own_sessions: set[uuid.UUID] = set()
        self.conflict_cases: set[uuid.UUID] = set()

    # -- one local transaction per batch ------------------------------------------------------------
    def commit(self, work: Callable[[Any, Connection], dict[str, list[dict[str, Any]]]], final: bool) -> None:
        with self.local.write() as session:
            conn = session.connection()
            lock_chain(conn, self.source_id)
            snaps = work(session, conn)
            if any(snaps.values()):
                written = sum(len(v) for v in snaps.values())
                append_event_core(
                    conn,
                    actor="sync",
                    kind=PULL_KIND,
                    subject=f"{written} rows from the server",
                    payload={"xid": [self.lo, self.hi]},
                    rows=snaps,
                    locked=True,
                    source_id=self.source_id,
                )
            if final:
                set_value(conn, PULL_CURSOR, str(self.hi))
        if any(snaps.values()):
            note_appended(self.local)

    def plain_rows(self, table: str, ids: Sequence[str]) -> Callable[[Any, Connection], dict[str, Any]]:
        def work(_session: Any, conn: Connection) -> dict[str, list[dict[str, Any]]]:
            rows = R.fetch(self.server, R.TABLES[table], "id", [uuid.UUID(i) for i in ids])
            if table in ("decision", "sync_conflict"):
                local_cases = self.local_case_ids(conn, {r["case_id"] for r in rows})
                rows = sorted((r for r in rows if r["case_id"] in local_cases), key=lambda r: r["created_at"])
            written = R.upsert_rows(conn, table, rows, self.ids, append_only=table == "decision")
            key = {
                "reviewer": "reviewers",
                "review_session": "sessions",
                "policy_pack_version": "policy_versions",
                "decision": "decisions",
                "sync_conflict": "conflicts",
            }[table]
            self.counts[key] += len(written)
            if table == "sync_conflict":
                return {}
            return {table: [snapshot(table, r) for r in written]}

        return work

    def local_case_ids(self, conn: Connection, ids: set[uuid.UUID]) -> set[uuid.UUID]:
        found: set[uuid.UUID] = set()
        for part in R.chunks(list(ids)):
            found.update(conn.execute(select(R.CASES.c.id).where(R.CASES.c.id.in_(part))).scalars())
        return found

    def wanted(self, row: dict[str, Any]) -> bool:
        return (
            self.wanted_channels is None
            or row["channel_id"] in self.wanted_channels
            or row["claimed_by"] in self.own_sessions
            or row["id"] in self.conflict_cases
        )

    def cases(self, ids: Sequence[str]) -> Callable[[Any, Connection], dict[str, Any]]:
        def work(session: Any, conn: Connection) -> dict[str, list[dict[str, Any]]]:
            rows = R.fetch(self.server, R.CASES, "id", [uuid.UUID(i) for i in ids])
            state_cols = [R.CASES.c[c] for c in CASE_STATE_COLUMNS]
            here = {
                r.id: r
                for part in R.chunks([r["id"] for r in rows])
                for r in conn.execute(select(*state_cols).where(R.CASES.c.id.in_(part)))
            }
            new = [r for r in rows if r["id"] not in here and self.wanted(r)]
            new = self.without_taken_external_ids(conn, new)
            case_snaps = self.insert_cases(session, conn, new)
            for row in rows:
                if row["id"] in here:
                    snap = self.update_state(conn, row, here[row["id"]])
                    if snap is not None:
                        case_snaps.append(snap)
            decisions = R.fetch(self.server, R.DECISIONS, "case_id", [r["id"] for r in new])
            decisions.sort(key=lambda r: r["created_at"])
            written = R.upsert_rows(conn, "decision", decisions, self.ids, append_only=True)
            self.counts["decisions"] += len(written)
            return {"case": case_snaps, "decision": [snapshot("decision", r) for r in written]}

        return work

    def without_taken_external_ids(self, conn: Connection, new: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """A case imported into this copy on its own under the same external id stays as it is."""
        taken: set[str] = set()
        for part in R.chunks([r["external_id"] for r in new]):
            query = select(R.CASES.c.external_id).where(R.CASES.c.external_id.in_(part))
            taken.update(conn.execute(query).scalars())
        return [r for r in new if r["external_id"] not in taken]

    def insert_cases(self, session: Any, conn: Connection, new: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not new:
            return []
        channels = self.match(conn, R.CHANNELS, ("code",), {r["channel_id"] for r in new})
        accounts = self.match(
            conn, R.ACCOUNTS, ("platform", "handle"), {r["account_id"] for r in new if r["account_id"]}
        )
        for r in new:
            r["channel_id"] = channels[0].get(r["channel_id"], r["channel_id"])
            if r["account_id"] is not None:
                r["account_id"] = accounts[0].get(r["account_id"], r["account_id"])
        items = R.fetch(self.server, R.ITEMS, "case_id", [r["id"] for r in new])
        self.fetch_media({i["media_sha256"] for i in items if i["media_sha256"]})
        sink_for(session, self.vault).write(
            [R.channel_tuple(c) for c in channels[1]],
            [R.account_tuple(a) for a in accounts[1]],
            [R.case_tuple(r) for r in new],
            [R.item_tuple(i) for i in items],
        )
        self.counts["cases"] += len(new)
        snaps = []
        for r in new:
            if any(r[c] != INITIAL_CASE_STATE[c] for c in _STATE):
                self.write_state(conn, r["id"], {c: r[c] for c in _STATE})
            snaps.append(snapshot("case", r))
        return snaps

    def match(
        self, conn: Connection, table: Any, natural: tuple[str, ...], server_ids: set[uuid.UUID]
    ) -> tuple[dict[uuid.UUID, uuid.UUID], list[dict[str, Any]]]:
        """Server ids → local ids of the same natural key, and the server rows missing locally."""
        mapped: dict[uuid.UUID, uuid.UUID] = {}
        missing: list[dict[str, Any]] = []
        for row in R.fetch(self.server, table, "id", list(server_ids)):
            found = conn.execute(select(table.c.id).where(*(table.c[k] == row[k] for k in natural))).scalar()
            if found is None:
                missing.append(row)
            elif found != row["id"]:
                mapped[row["id"]] = found
        return mapped, missing

    def fetch_media(self, shas: set[str]) -> None:
        """Media bytes this copy lacks, from ``media_blob``, checked against their name, stored sealed."""
        wanted = sorted(s for s in shas if not self.store.has(s))
        for part in R.chunks(wanted, MEDIA_CHUNK):
            for sha, data in self.server.execute(
                select(_blobs.c.sha256, _blobs.c.data).where(_blobs.c.sha256.in_(part))
            ):
                if hashlib.sha256(data).hexdigest() != sha:
                    continue  # a damaged or forged blob is never stored under a name it does not match
                self.store.put_bytes(data)
                self.counts["media_files"] += 1
                self.counts["media_bytes"] += len(data)

    def update_state(self, conn: Connection, server: dict[str, Any], mine: Any) -> dict[str, Any] | None:
        """Bring a local case to the server's state; None when it already is, or keeps unpushed changes."""
        same = all(server[c] == getattr(mine, c) for c in _STATE if c != "state_seq")
        if same and mine.state_seq >= server["state_seq"]:
            return None
        if server["id"] in self.unpushed:
            self.counts["skipped_unpushed"] += 1
            return None
        values = {c: server[c] for c in _STATE}
        # A working copy's seq may have run ahead (its own events the server folded in): stay above it,
        # so the newest snapshot of the case is this one.
        values["state_seq"] = max(server["state_seq"], mine.state_seq + (0 if same else 1))
        self.write_state(conn, server["id"], values)
        self.counts["states"] += 1
        return snapshot("case", {"id": server["id"], **values})

    def write_state(self, conn: Connection, case_id: uuid.UUID, values: dict[str, Any]) -> None:
        conn.execute(update(R.CASES).where(R.CASES.c.id == case_id).values(**values))


def _scope(p: _Pull, server: Connection, queues: Sequence[str], feed: dict[str, list[str]]) -> None:
    if queues:
        chans = server.execute(select(R.CHANNELS.c.id).where(R.CHANNELS.c.code.in_(list(queues))))
        p.wanted_channels = set(chans.scalars())
    p.own_sessions = set(
        server.execute(select(R.SESSIONS.c.id).where(R.SESSIONS.c.source_id == p.source_id)).scalars()
    )
    conflicts = feed.get("sync_conflict", [])
    for row in R.fetch(server, R.CONFLICTS, "id", [uuid.UUID(i) for i in conflicts]):
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
    with local.read() as session:
        lo = int(get_value(session.connection(), PULL_CURSOR) or 0)
    with server.engine.connect() as conn:
        conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.execute(text(f"SET LOCAL statement_timeout = {int(STATEMENT_TIMEOUT_MS)}"))
            hi = int(conn.execute(text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")).scalar())
            head = conn.execute(
                select(func.max(_events.c.seq)).where(_events.c.source_id == bindparam("s")), {"s": source_id}
            ).scalar()
            feed = _read_feed(conn, lo, hi)
            p = _Pull(local, conn, source_id, lo, hi)
            _scope(p, conn, queues, feed)
            with local.read() as session:
                p.unpushed = unpushed_cases(session.connection(), source_id, int(head or 0))
            work = []
            for table in ("reviewer", "policy_pack_version", "review_session", "case", "decision", "sync_conflict"):
                for part in R.chunks(feed.get(table, []), batch):
                    work.append(p.cases(part) if table == "case" else p.plain_rows(table, part))
            if not work:
                work.append(lambda _s, _c: {})
            for done, step in enumerate(work, 1):
                p.commit(step, final=done == len(work))
                if progress is not None:
                    progress("pull", done, len(work))
    return PullReport(**p.counts)
