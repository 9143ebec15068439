"""One batch of pushed events applied in one transaction, with a handful of statements per batch.

Everything the batch's rules look at is read up front in a few ``IN`` queries (the rows its snapshots
name, the states of its cases, locked, their decisions and conflicts, the sessions holding them); the
events are then applied in order in memory, and the rows written in bulk, in foreign-key order. The
rules are described in ``reviewer.sync.apply``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update

from reviewer.actions import ACTION_KINDS, UNDO
from reviewer.audit.chain import append_event_core
from reviewer.audit.snapshots import CASE_STATE_COLUMNS, snapshot
from reviewer.decisions import derive_state
from reviewer.leases import DEFAULT_LEASE, CaseState, write_state
from reviewer.models import (
    Case,
    Decision,
    PolicyPackVersion,
    Reviewer,
    ReviewSession,
    SyncConflict,
    table_of,
)
from reviewer.sync.apply_records import RecordApplier
from reviewer.sync.conflicts import RESOLVE_KIND, close_open, settle_from_event
from reviewer.sync.records import record_tables
from reviewer.sync.rows import (
    APPLY_KIND,
    PULL_KIND,
    ChainMismatch,
    by_columns,
    chunks,
    event_rows,
    row_values,
)

_cases = table_of(Case)
_decisions = table_of(Decision)
_sessions = table_of(ReviewSession)
_conflicts = table_of(SyncConflict)
ROW_TABLES: dict[str, Table] = {
    "reviewer": table_of(Reviewer),
    "policy_pack_version": table_of(PolicyPackVersion),
    "review_session": _sessions,
    "decision": _decisions,
}
@dataclass
class _Step:
    """One decision of a case as the rules see it."""

    id: uuid.UUID
    action: str
    reverses_id: uuid.UUID | None
    to_tier: int | None
    source_id: uuid.UUID | None


@dataclass
class BatchApplier:
    conn: Connection
    source: uuid.UUID
    now: datetime
    decisions: int = 0
    applied: int = 0
    conflicts: list[uuid.UUID] = field(default_factory=list)
    original: dict[uuid.UUID, CaseState] = field(default_factory=dict)
    current: dict[uuid.UUID, CaseState] = field(default_factory=dict)
    pushed_seq: dict[uuid.UUID, int] = field(default_factory=dict)
    reassert: dict[tuple[str, str], None] = field(default_factory=dict)  # ordered set of (table, id)
    latest: datetime | None = None
    rows: dict[str, dict[uuid.UUID, dict[str, Any]]] = field(default_factory=dict)  # the target's rows
    new_rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    session_updates: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    new_conflicts: list[dict[str, Any]] = field(default_factory=list)
    history: dict[uuid.UUID, list[_Step]] = field(default_factory=dict)
    kept: set[uuid.UUID] = field(default_factory=set)
    session_source: dict[uuid.UUID, uuid.UUID | None] = field(default_factory=dict)
    settlements: list[tuple[dict[str, Any], datetime]] = field(default_factory=list)
    withdrawn: list[tuple[uuid.UUID, Mapping[str, Any]]] = field(default_factory=list)
    #: The pusher's account ids → this database's (records that name an account held here under another id).
    account_map: Mapping[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    records: RecordApplier | None = None

    # -- reading up front -----------------------------------------------------------------------------

    def run(self, events: list[dict[str, Any]], merge: uuid.UUID) -> None:
        parsed = [(e, event_rows(e)) for e in events]
        self._prefetch(parsed)
        self.records = RecordApplier(self.conn, self.source, self.account_map)
        self.records.prefetch(rows for _event, rows in parsed)
        for event, rows in parsed:
            self._apply(event, rows)
        self._write()
        self._finish(merge, events)

    def _prefetch(self, parsed: list[tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]]) -> None:
        named: dict[str, set[uuid.UUID]] = {t: set() for t in ROW_TABLES}
        cases: set[uuid.UUID] = set()
        for _event, rows in parsed:
            for table in ROW_TABLES:
                for snap in rows.get(table, []):
                    named[table].add(uuid.UUID(str(snap["id"])))
            for snap in rows.get("decision", []):
                cases.add(uuid.UUID(str(snap["case_id"])))
            for snap in rows.get("case", []):
                cases.add(uuid.UUID(str(snap["id"])))
        for table, ids in named.items():
            t = ROW_TABLES[table]
            found = self.rows.setdefault(table, {})
            for part in chunks(sorted(ids)):
                for r in self.conn.execute(select(t).where(t.c.id.in_(part))):
                    found[r.id] = dict(r._mapping)
        ordered = sorted(cases)  # one lock order for every writer of these rows
        state_columns = [_cases.c[name] for name in CASE_STATE_COLUMNS]
        for part in chunks(ordered):
            for r in self.conn.execute(
                select(*state_columns).where(_cases.c.id.in_(part)).order_by(_cases.c.id).with_for_update()
            ):
                state = CaseState.of(r)
                self.original[state.id] = self.current[state.id] = state
        known = sorted(self.original)
        for part in chunks(known):
            self.kept.update(
                self.conn.execute(
                    select(_conflicts.c.decision_id).where(_conflicts.c.case_id.in_(part))
                ).scalars()
            )
            for r in self.conn.execute(
                select(
                    _decisions.c.id,
                    _decisions.c.case_id,
                    _decisions.c.action,
                    _decisions.c.reverses_id,
                    _decisions.c.to_tier,
                    _sessions.c.source_id,
                )
                .select_from(_decisions.outerjoin(_sessions, _sessions.c.id == _decisions.c.session_id))
                .where(_decisions.c.case_id.in_(part))
                .order_by(_decisions.c.created_at)
            ):
                self.history.setdefault(r.case_id, []).append(
                    _Step(r.id, r.action, r.reverses_id, r.to_tier, r.source_id)
                )
        holders = sorted({s.claimed_by for s in self.original.values() if s.claimed_by is not None})
        for part in chunks(holders):
            for r in self.conn.execute(
                select(_sessions.c.id, _sessions.c.source_id).where(_sessions.c.id.in_(part))
            ):
                self.session_source[r.id] = r.source_id

    # -- events ---------------------------------------------------------------------------------------

    def _apply(self, event: Mapping[str, Any], rows: dict[str, list[dict[str, Any]]]) -> None:
        created = event["created_at"]
        self.latest = created if self.latest is None else max(self.latest, created)
        if event["kind"] == RESOLVE_KIND:
            try:
                self.settlements.append((json.loads(event["payload"]), created))
            except ValueError:
                pass  # not JSON: stored and hashed as sent, settles nothing
        copy = event["kind"] == PULL_KIND
        for table in ("reviewer", "policy_pack_version", "review_session"):
            for snap in rows.get(table, []):
                self._row(table, snap, copy)
        decided: set[str] = set()
        for snap in rows.get("decision", []):
            if self._row("decision", snap, copy):
                decided.add(str(snap.get("case_id")))
        assert self.records is not None
        for name in record_tables():
            for snap in rows.get(name, []):
                self.records.take(name, snap, copy)
        if copy:
            return
        for snap in rows.get("case", []):
            case_id = uuid.UUID(str(snap["id"]))
            seq = int(snap.get("state_seq", 0))
            self.pushed_seq[case_id] = max(seq, self.pushed_seq.get(case_id, -1))
            if str(case_id) not in decided:
                self._claim(case_id, snap)

    def _row(self, table: str, snap: Mapping[str, Any], copy: bool) -> bool:
        """Take the row if the target lacks it (a decision: apply it); True for a new decision."""
        values = row_values(table, snap)
        have = self.rows[table]
        found = have.get(values["id"])
        if found is None:
            if copy and table == "decision":
                return False  # a pulled copy of a decision the target no longer has: nothing to apply
            self._check_unique(table, values)
            if table == "decision":
                self._decision(values)
            self.new_rows.setdefault(table, []).append(values)
            have[values["id"]] = dict(values)
            return table == "decision"
        merged = {**found, **values}
        if snapshot(table, found) != snapshot(table, merged):
            if table == "review_session" and not copy and found["source_id"] == self.source:
                self.session_updates[values["id"]] = values  # its own session: its end, as it recorded it
                have[values["id"]] = merged
            else:
                self.reassert[(table, str(values["id"]))] = None
        return False

    def _check_unique(self, table: str, values: Mapping[str, Any]) -> None:
        t = ROW_TABLES[table]
        if table == "reviewer":
            clash = any(r["handle"] == values["handle"] for r in self.rows[table].values())
            clash = (
                clash
                or self.conn.execute(select(t.c.id).where(t.c.handle == values["handle"])).first() is not None
            )
            if clash:
                raise ChainMismatch(
                    f"workstation {str(self.source)[:8]} sent reviewer {values['handle']!r} with another id "
                    "than this database's; connect the workstation with a fresh data folder"
                )
        elif table == "policy_pack_version":
            other = self.conn.execute(
                select(t.c.id).where(t.c.pack_id == values["pack_id"], t.c.version == values["version"])
            ).first()
            if other is not None:
                raise ChainMismatch(
                    f"policy pack {values['pack_id']} version {values['version']} has other content here "
                    "than on the workstation; give the edited pack a new version"
                )

    # -- decisions ------------------------------------------------------------------------------------

    def _decision(self, values: dict[str, Any]) -> None:
        case_id = values["case_id"]
        state = self.current.get(case_id)
        if state is None:
            raise ChainMismatch(
                f"case {case_id} of a decision sent by workstation {str(self.source)[:8]} is not in this "
                "database; nothing was written"
            )
        steps = self.history.setdefault(case_id, [])
        live = [s for s in steps if s.id not in self.kept]
        self.decisions += 1
        undone = {s.reverses_id for s in live if s.action == UNDO}
        standing = [s for s in live if s.action != UNDO and s.id not in undone]
        action = values["action"]
        mine = _Step(values["id"], action, values.get("reverses_id"), values.get("to_tier"), self.source)
        steps.append(mine)
        if action == UNDO:
            target = values["reverses_id"]
            if target in self.kept:
                self.withdrawn.append((target, values))
                return
            if target not in {s.id for s in standing}:
                return  # reverses what no longer stands here: recorded, changes nothing
            after = [(s.action, s.to_tier) for s in standing if s.id != target]
        else:
            status, tier = derive_state((s.action, s.to_tier) for s in standing)
            closing = [s for s in standing if ACTION_KINDS[s.action].status == "decided"]
            foreign = status == "decided" and bool(closing) and closing[-1].source_id != self.source
            if foreign or (action != "note" and values["tier"] != tier):
                deciding = [s for s in standing if s.action != "note"]
                self._conflict(values, deciding[-1].id if deciding else None)
                return
            after = [*((s.action, s.to_tier) for s in standing), (action, values.get("to_tier"))]
        status, tier = derive_state(after)
        session_id = values.get("session_id")
        lease = (
            (session_id, values["created_at"] + DEFAULT_LEASE)
            if status == "open" and session_id is not None
            else (None, None)
        )
        if session_id is not None:
            self.session_source[session_id] = self.source
        self.current[case_id] = replace(
            state, status=status, tier=tier, claimed_by=lease[0], claim_expires_at=lease[1]
        )
        self.applied += 1

    def _conflict(self, values: Mapping[str, Any], standing_id: uuid.UUID | None) -> None:
        self.kept.add(values["id"])
        self.new_conflicts.append(
            {
                "id": uuid.uuid4(),
                "case_id": values["case_id"],
                "decision_id": values["id"],
                "standing_id": standing_id,
                "source_id": self.source,
                "created_at": self.now,
                "resolution": "",
                "resolution_note": "",
            }
        )
        self.conflicts.append(values["id"])

    # -- claims ---------------------------------------------------------------------------------------

    def _claim(self, case_id: uuid.UUID, snap: Mapping[str, Any]) -> None:
        state = self.current.get(case_id)
        if state is None or state.status == "decided" or "claimed_by" not in snap:
            return  # a case only the workstation has, or closed here: nothing to claim
        wanted = row_values("case", snap)
        holder, expires = state.claimed_by, state.claim_expires_at
        free = holder is None or expires is None or expires <= self.now or holder == wanted["claimed_by"]
        if not free and self.session_source.get(holder) != self.source:  # type: ignore[arg-type]
            return  # held by another workstation's session: the holder keeps it
        if wanted["claimed_by"] is not None:
            self.session_source.setdefault(wanted["claimed_by"], self.source)
        self.current[case_id] = replace(
            state, claimed_by=wanted["claimed_by"], claim_expires_at=wanted.get("claim_expires_at")
        )

    # -- writing --------------------------------------------------------------------------------------

    def _write(self) -> None:
        for table in ("reviewer", "policy_pack_version", "review_session", "decision"):
            rows = self.new_rows.get(table)
            if rows:
                for column_set in by_columns(rows):
                    self.conn.execute(insert(ROW_TABLES[table]), column_set)
        for session_id, values in self.session_updates.items():
            self.conn.execute(update(_sessions).where(_sessions.c.id == session_id).values(**values))
        if self.new_conflicts:
            self.conn.execute(insert(_conflicts), self.new_conflicts)
        for decision_id, undo in self.withdrawn:
            close_open(
                self.conn,
                decision_id,
                resolved_at=self.now,
                resolved_by=undo["reviewer_id"],
                resolution="withdrawn",
                resolution_note="undone on the workstation that made it",
                resolution_decision_id=undo["id"],
            )
        for payload, created in self.settlements:
            settle_from_event(self.conn, payload, created)
        assert self.records is not None
        self.records.write()

    def _finish(self, merge: uuid.UUID, fresh: list[dict[str, Any]]) -> None:
        """The target's own event: the new state of every case it touched, and rows it re-asserts."""
        states = []
        for case_id, orig in sorted(self.original.items()):
            new = self.current[case_id]
            pushed = self.pushed_seq.get(case_id, -1)
            if _fields(new) != _fields(orig) or pushed >= orig.state_seq:
                base = replace(orig, state_seq=max(orig.state_seq, pushed))
                states.append(write_state(self.conn, base, **_fields(new)))
        rows: dict[str, list[dict[str, Any]]] = {"case": [s.snapshot() for s in states]}
        if self.records is not None:
            rows.update(self.records.snapshots())
        for table, row_id in self.reassert:
            found = self.rows[table].get(uuid.UUID(row_id))
            if found is not None:
                rows.setdefault(table, []).append(snapshot(table, found))
        if not any(rows.values()) and not self.conflicts:
            return
        latest = max(self.now, self.latest or self.now) + timedelta(milliseconds=1)
        append_event_core(
            self.conn,
            actor="sync",
            kind=APPLY_KIND,
            subject=str(self.source),
            payload={
                "source": str(self.source),
                "seq": [fresh[0]["seq"], fresh[-1]["seq"]],
                "conflicts": [str(d) for d in self.conflicts],
            },
            rows=rows,
            now=latest,
            locked=True,
            source_id=merge,
        )


def _fields(state: CaseState) -> dict[str, Any]:
    return {
        "status": state.status,
        "tier": state.tier,
        "claimed_by": state.claimed_by,
        "claim_expires_at": state.claim_expires_at,
    }

