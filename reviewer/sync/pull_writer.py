"""The local half of a pull: server rows written into the working copy, one transaction per batch.

Each batch is ONE local write transaction holding this workstation's chain lock: its rows, their
``sync.pull`` audit event (snapshots of every audited row written; none when nothing changed) and, in the
last batch, the new cursor. Cases come with their channels, accounts, items, media (fetched from
``media_blob``, checked against their name, stored sealed) and decisions; texts are sealed and indexed
by the importer's sink. Rows a batch refers to that this copy lacks are pulled first.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Connection, select, update

from reviewer.audit.chain import append_event_core, lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.audit.snapshots import CASE_STATE_COLUMNS, INITIAL_CASE_STATE, RECORD_TABLES, snapshot
from reviewer.importing.writing import sink_for
from reviewer.media.store import MediaStore
from reviewer.storage.database import Database
from reviewer.sync import pull_rows as R
from reviewer.sync.pull_media import store_missing_media
from reviewer.sync.records import references
from reviewer.sync.rows import PULL_KIND, chunks, fetch, present_ids
from reviewer.sync.state import set_value
from reviewer.vault.opening import ensure_vault

PULL_CURSOR = "pull_xid"

#: A batch's local writes (inside the write transaction) → snapshots of the audited rows written, by table.
Apply = Callable[[Any, Connection], dict[str, list[dict[str, Any]]]]
#: A batch: reads the server (and stores media) outside the local write lock, returns its ``Apply``.
Step = Callable[[], Apply]
_STATE = CASE_STATE_COLUMNS[1:]
#: What a record may refer to that a pull fetches the way a decision's references are fetched.
_REFERABLE = ("reviewer", "review_session", "policy_pack_version")
_COUNTS = {
    "reviewer": "reviewers",
    "review_session": "sessions",
    "policy_pack_version": "policy_versions",
    "decision": "decisions",
    "sync_conflict": "conflicts",
}


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
    records: int = 0  # rows of record tables (investigations, responses …)

    @property
    def written(self) -> int:
        """Rows written (media files not counted)."""
        skip = {"media_files", "media_bytes", "skipped_unpushed"}
        return sum(getattr(self, f.name) for f in fields(self) if f.name not in skip)


def add_reports(a: PullReport, b: PullReport) -> PullReport:
    return PullReport(**{f.name: getattr(a, f.name) + getattr(b, f.name) for f in fields(PullReport)})


class PullWriter:
    """Writes one pull's batches; ``counts`` becomes its ``PullReport``."""

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
        #: Cases records name: pulled whatever the queues (``reviewer.sync.pull_records``).
        self.forced_cases: set[uuid.UUID] = set()
        #: Record rows this workstation changed and has not pushed: they keep the local value.
        self.unpushed_records: set[tuple[str, uuid.UUID]] = set()

    # -- one local transaction per batch ------------------------------------------------------------
    def commit(self, step: Step, final: bool) -> None:
        """Prepare the batch (server reads, media files), then write it in ONE local transaction."""
        apply = step()
        with self.local.write() as session:
            conn = session.connection()
            lock_chain(conn, self.source_id)
            snaps = apply(session, conn)
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

    def plain_rows(self, table: str, ids: Sequence[str]) -> Step:
        def prepare() -> Apply:
            fetched = fetch(self.server, R.TABLES[table], "id", [uuid.UUID(i) for i in ids])

            def apply(_session: Any, conn: Connection) -> dict[str, list[dict[str, Any]]]:
                rows = fetched
                if table in ("decision", "sync_conflict"):
                    local_cases = self.local_case_ids(conn, {r["case_id"] for r in rows})
                    rows = sorted(
                        (r for r in rows if r["case_id"] in local_cases), key=lambda r: r["created_at"]
                    )
                snaps = self.referenced(conn, table, rows)
                written = R.upsert_rows(conn, table, rows, self.ids, append_only=table == "decision")
                self.counts[_COUNTS[table]] += len(written)
                if table != "sync_conflict":
                    snaps.setdefault(table, []).extend(snapshot(table, r) for r in written)
                return snaps

            return apply

        return prepare

    def referenced(
        self, conn: Connection, table: str, rows: list[dict[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        """Rows that ``rows`` refer to and this copy lacks (committed after the window, or pulled before
        its case was wanted), pulled first so the foreign keys hold; their snapshots by table."""
        snaps: dict[str, list[dict[str, Any]]] = {}
        wants: list[tuple[str, str]] = {
            "review_session": [("reviewer", "reviewer_id")],
            "decision": [
                ("review_session", "session_id"),
                ("reviewer", "reviewer_id"),
                ("policy_pack_version", "policy_pack_version_id"),
            ],
        }.get(table, [])
        if table in RECORD_TABLES:
            wants = [(t, c) for c, t in references(table) if t in _REFERABLE]
        for target, column in wants:
            ids = {r[column] for r in rows if r[column] is not None}
            known = set(self.ids.of(target)) if target != "review_session" else set()
            ref = R.TABLES[target]
            known |= present_ids(conn, ref, ids - known)
            missing = fetch(self.server, ref, "id", list(ids - known))
            if not missing:
                continue
            for key, value in self.referenced(conn, target, missing).items():
                snaps.setdefault(key, []).extend(value)
            written = R.upsert_rows(conn, target, missing, self.ids, append_only=False)
            self.counts[_COUNTS[target]] += len(written)
            snaps.setdefault(target, []).extend(snapshot(target, r) for r in written)
        if table == "decision":  # an undo names the decision it reverses: that one goes in first
            ids = {r["reverses_id"] for r in rows if r["reverses_id"] is not None}
            for part in chunks(list(ids)):
                ids -= set(conn.execute(select(R.DECISIONS.c.id).where(R.DECISIONS.c.id.in_(part))).scalars())
            ids -= {r["id"] for r in rows}
            earlier = sorted(
                fetch(self.server, R.DECISIONS, "id", list(ids)), key=lambda r: r["created_at"]
            )
            if earlier:
                for key, value in self.referenced(conn, "decision", earlier).items():
                    snaps.setdefault(key, []).extend(value)
                written = R.upsert_rows(conn, "decision", earlier, self.ids, append_only=True)
                self.counts["decisions"] += len(written)
                snaps.setdefault("decision", []).extend(snapshot("decision", r) for r in written)
        return snaps

    def local_case_ids(self, conn: Connection, ids: set[uuid.UUID]) -> set[uuid.UUID]:
        return present_ids(conn, R.CASES, ids)

    def wanted(self, row: dict[str, Any]) -> bool:
        return (
            self.wanted_channels is None
            or row["channel_id"] in self.wanted_channels
            or row["claimed_by"] in self.own_sessions
            or row["id"] in self.conflict_cases
            or row["id"] in self.forced_cases
        )

    def cases(self, ids: Sequence[str]) -> Step:
        def prepare() -> Apply:
            # Server reads and media files before the local write lock: the review loop never waits on them.
            rows = fetch(self.server, R.CASES, "id", [uuid.UUID(i) for i in ids])
            with self.local.read() as session:
                known = self.local_case_ids(session.connection(), {r["id"] for r in rows})
            wanted = [r for r in rows if r["id"] not in known and self.wanted(r)]
            wanted_ids = [r["id"] for r in wanted]
            items = fetch(self.server, R.ITEMS, "case_id", wanted_ids)
            self.fetch_media({i["media_sha256"] for i in items if i["media_sha256"]})
            decisions = sorted(
                fetch(self.server, R.DECISIONS, "case_id", wanted_ids), key=lambda r: r["created_at"]
            )

            def apply(session: Any, conn: Connection) -> dict[str, list[dict[str, Any]]]:
                state_cols = [R.CASES.c[c] for c in CASE_STATE_COLUMNS]
                here = {
                    r.id: r
                    for part in chunks([r["id"] for r in rows])
                    for r in conn.execute(select(*state_cols).where(R.CASES.c.id.in_(part)))
                }
                new = self.without_taken_external_ids(conn, [r for r in wanted if r["id"] not in here])
                new_ids = {r["id"] for r in new}
                case_snaps = self.insert_cases(
                    session, conn, new, [i for i in items if i["case_id"] in new_ids]
                )
                for row in rows:
                    if row["id"] in here:
                        snap = self.update_state(conn, row, here[row["id"]])
                        if snap is not None:
                            case_snaps.append(snap)
                theirs = [d for d in decisions if d["case_id"] in new_ids]
                snaps = self.referenced(conn, "decision", theirs)
                written = R.upsert_rows(conn, "decision", theirs, self.ids, append_only=True)
                self.counts["decisions"] += len(written)
                snaps.setdefault("decision", []).extend(snapshot("decision", r) for r in written)
                snaps.setdefault("case", []).extend(case_snaps)
                return snaps

            return apply

        return prepare

    def without_taken_external_ids(self, conn: Connection, new: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """A case imported into this copy on its own under the same external id stays as it is."""
        taken: set[str] = set()
        for part in chunks([r["external_id"] for r in new]):
            query = select(R.CASES.c.external_id).where(R.CASES.c.external_id.in_(part))
            taken.update(conn.execute(query).scalars())
        return [r for r in new if r["external_id"] not in taken]

    def insert_cases(
        self, session: Any, conn: Connection, new: list[dict[str, Any]], items: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
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
        for row in fetch(self.server, table, "id", list(server_ids)):
            found = conn.execute(select(table.c.id).where(*(table.c[k] == row[k] for k in natural))).scalar()
            if found is None:
                missing.append(row)
            elif found != row["id"]:
                mapped[row["id"]] = found
        return mapped, missing

    def fetch_media(self, shas: set[str]) -> None:
        files, size = store_missing_media(self.server, self.store, shas)
        self.counts["media_files"] += files
        self.counts["media_bytes"] += size

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
