"""Applying a pushed chain to a target database: the team server, or the origin of a work pack's return.

A workstation's audit events arrive verbatim (same id, source, seq and hash) and continue the target's
copy of that chain. The rows they vouch for are re-made from their snapshots, and the decisions among
them are applied to the cases under the same rules a local decision follows, inside one transaction
per batch:

* A decision is applied when the case is still as the workstation saw it: not closed by a decision of
  another workstation, and at the tier the decision was made at. Otherwise it is **kept but not
  applied**: the row is inserted and a ``sync_conflict`` names it and the decision that stands, for a
  lead to settle (``reviewer.sync.conflicts``). Nothing is overwritten, nothing is lost.
* An undo applies when the decision it reverses stands; the undo of a decision that was kept as a
  conflict withdraws that conflict.
* A claim, renewal or release applies when the case is workable and free, expired, or held by the same
  workstation.
* The workstation's own review sessions are updated (their end); anything else it sends that differs
  from the target's rows (a reviewer's role, say) is not taken, and the target re-asserts its row.

The target records what it derived in its own chain (``reviewer.sync.state.server_source_id``): one
``sync.apply`` event per batch with the new state of every case it touched, numbered above every state
the workstation sent, so ``verify`` finds each row equal to its newest snapshot on both sides. Events
of kind ``sync.pull`` (a workstation's record of what it pulled) are stored and change nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, insert, select, update

from reviewer.actions import ACTION_KINDS, UNDO
from reviewer.audit.chain import GENESIS, append_event_core, lock_chain
from reviewer.audit.snapshots import snapshot
from reviewer.clock import utcnow
from reviewer.decisions import derive_state
from reviewer.leases import DEFAULT_LEASE, CaseState, read_state, write_state
from reviewer.models import (
    AuditEvent,
    AuditSource,
    Decision,
    PolicyPackVersion,
    Reviewer,
    ReviewSession,
    SyncConflict,
    table_of,
)
from reviewer.storage.database import Database
from reviewer.sync.rows import event_record, event_rows, row_values
from reviewer.sync.state import server_source_id

Progress = Callable[[str, int, int], None]

_events = table_of(AuditEvent)
_sources = table_of(AuditSource)
_decisions = table_of(Decision)
_sessions = table_of(ReviewSession)
_conflicts = table_of(SyncConflict)
_ROW_TABLES = {
    "reviewer": table_of(Reviewer),
    "policy_pack_version": table_of(PolicyPackVersion),
    "review_session": _sessions,
    "decision": _decisions,
}
PULL_KIND = "sync.pull"
APPLY_KIND = "sync.apply"


class ChainMismatch(Exception):
    """The events cannot continue the target's copy of the chain (a gap, another history), or refer to
    what the target does not hold; nothing of the batch was written."""


@dataclass(frozen=True)
class ApplyReport:
    events: int = 0  # events written
    decisions: int = 0  # decision rows written
    applied: int = 0  # of which changed their case
    conflicts: int = 0  # of which were kept as conflicts
    skipped: int = 0  # events the target already held

    def __add__(self, other: ApplyReport) -> ApplyReport:
        return ApplyReport(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


def head_in(conn: Connection, source_id: uuid.UUID) -> tuple[int, str]:
    """The last ``(seq, hash)`` of ``source_id``'s chain in this database; ``(0, GENESIS)`` when none."""
    row = conn.execute(
        select(_events.c.seq, _events.c.hash)
        .where(_events.c.source_id == source_id)
        .order_by(_events.c.seq.desc())
        .limit(1)
    ).first()
    return (row.seq, row.hash) if row is not None else (0, GENESIS)


def source_head(target: Database, source_id: uuid.UUID) -> tuple[int, str]:
    with target.read() as session:
        return head_in(session.connection(), source_id)


def apply_chain(
    target: Database,
    events: Sequence[Mapping[str, Any]],
    *,
    batch: int = 500,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ApplyReport:
    """Write ``events`` (one source's, in seq order; those the target holds are skipped) and apply them.

    Raises BadEvent for an event whose hash does not cover it, ChainMismatch for events that do not
    continue the target's chain; each batch is one transaction, so a failure or a kill keeps every
    earlier batch whole and writes nothing of its own.
    """
    records = [event_record(e) for e in events]
    if not records:
        return ApplyReport()
    source = records[0]["source_id"]
    for before, after in zip(records, records[1:], strict=False):
        if after["source_id"] != source or after["seq"] != before["seq"] + 1:
            raise ChainMismatch("the events sent are not one unbroken run of one workstation's chain")
    report = ApplyReport()
    for start in range(0, len(records), batch):
        chunk = records[start : start + batch]
        with target.write() as session:
            report += _apply_batch(session.connection(), source, chunk, now or utcnow())
        if progress is not None:
            progress("audit events", start + len(chunk), len(records))
    return report


def _apply_batch(
    conn: Connection, source: uuid.UUID, chunk: list[dict[str, Any]], now: datetime
) -> ApplyReport:
    lock_chain(conn, source)
    head_seq, head_hash = head_in(conn, source)
    held = [e for e in chunk if e["seq"] <= head_seq]
    if held:
        stored = dict(
            conn.execute(
                select(_events.c.seq, _events.c.hash).where(
                    _events.c.source_id == source, _events.c.seq.in_([e["seq"] for e in held])
                )
            ).all()
        )
        if any(stored.get(e["seq"]) != e["hash"] for e in held):
            raise ChainMismatch(
                f"workstation {str(source)[:8]}'s chain here differs from the one sent (its database was "
                "restored from an older copy or replaced); nothing was written"
            )
    fresh = [e for e in chunk if e["seq"] > head_seq]
    if not fresh:
        return ApplyReport(skipped=len(chunk))
    if fresh[0]["seq"] != head_seq + 1 or fresh[0]["prev_hash"] != head_hash:
        raise ChainMismatch(
            f"workstation {str(source)[:8]}'s events #{head_seq + 1}.. are missing before #{fresh[0]['seq']} "
            "(or follow another history); nothing was written"
        )
    merge = server_source_id(conn)
    lock_chain(conn, merge)
    if conn.execute(select(_sources.c.id).where(_sources.c.id == source)).first() is None:
        conn.execute(insert(_sources).values(id=source, kind="workstation", host="", created_at=now))
    conn.execute(insert(_events), fresh)
    work = _Batch(conn, source, now)
    for event in fresh:
        work.apply(event)
    work.finish(merge, fresh)
    return ApplyReport(
        events=len(fresh),
        decisions=work.decisions,
        applied=work.applied,
        conflicts=len(work.conflicts),
        skipped=len(held),
    )


@dataclass
class _Batch:
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

    # -- events ---------------------------------------------------------------------------------------

    def apply(self, event: Mapping[str, Any]) -> None:
        created = event["created_at"]
        self.latest = created if self.latest is None else max(self.latest, created)
        rows = event_rows(event)
        copy = event["kind"] == PULL_KIND
        for table in ("reviewer", "policy_pack_version", "review_session"):
            for snap in rows.get(table, []):
                self._row(table, snap, copy)
        decided: set[str] = set()
        for snap in rows.get("decision", []):
            if self._row("decision", snap, copy):
                decided.add(str(snap.get("case_id")))
        if copy:
            return
        for snap in rows.get("case", []):
            case_id = uuid.UUID(str(snap["id"]))
            seq = int(snap.get("state_seq", 0))
            self.pushed_seq[case_id] = max(seq, self.pushed_seq.get(case_id, -1))
            if str(case_id) not in decided:
                self._claim(case_id, snap)

    def _row(self, table: str, snap: Mapping[str, Any], copy: bool) -> bool:
        """Insert the row if the target lacks it (a decision: apply it); True for a new decision."""
        t = _ROW_TABLES[table]
        values = row_values(table, snap)
        found = self.conn.execute(select(t).where(t.c.id == values["id"])).first()
        if found is None:
            if copy and table == "decision":
                return False  # a pulled copy of a decision the target no longer has: nothing to apply
            self._check_unique(table, values)
            if table == "decision":
                self._decision(values)
                return True
            self.conn.execute(insert(t).values(**values))
            return False
        mine = table == "review_session" and not copy and found._mapping["source_id"] == self.source
        if snapshot(table, dict(found._mapping)) != snapshot(table, {**found._mapping, **values}):
            if mine:  # the workstation's own session: its end, as the workstation recorded it
                self.conn.execute(update(t).where(t.c.id == values["id"]).values(**values))
            else:
                self.reassert[(table, str(values["id"]))] = None
        return False

    def _check_unique(self, table: str, values: Mapping[str, Any]) -> None:
        if table == "reviewer":
            t = _ROW_TABLES[table]
            other = self.conn.execute(select(t.c.id).where(t.c.handle == values["handle"])).first()
            if other is not None:
                raise ChainMismatch(
                    f"workstation {str(self.source)[:8]} sent reviewer {values['handle']!r} with another id "
                    "than this database's; connect the workstation with a fresh data folder"
                )
        elif table == "policy_pack_version":
            t = _ROW_TABLES[table]
            other = self.conn.execute(
                select(t.c.id).where(t.c.pack_id == values["pack_id"], t.c.version == values["version"])
            ).first()
            if other is not None:
                raise ChainMismatch(
                    f"policy pack {values['pack_id']} version {values['version']} has other content here "
                    "than on the workstation; give the edited pack a new version"
                )

    # -- decisions ------------------------------------------------------------------------------------

    def _state(self, case_id: uuid.UUID, *, required: bool = True) -> CaseState | None:
        if case_id not in self.current:
            state = read_state(self.conn, case_id)
            if state is None:
                if not required:
                    return None
                raise ChainMismatch(
                    f"case {case_id} of a decision sent by workstation {str(self.source)[:8]} is not in this "
                    "database; nothing was written"
                )
            self.original[case_id] = self.current[case_id] = state
        return self.current[case_id]

    def _history(self, case_id: uuid.UUID) -> tuple[list[Any], set[uuid.UUID]]:
        """The case's decisions here, oldest first, with their sessions' source; and those kept as
        conflicts (never applied)."""
        rows = self.conn.execute(
            select(
                _decisions.c.id,
                _decisions.c.action,
                _decisions.c.reverses_id,
                _decisions.c.to_tier,
                _sessions.c.source_id,
            )
            .select_from(_decisions.outerjoin(_sessions, _sessions.c.id == _decisions.c.session_id))
            .where(_decisions.c.case_id == case_id)
            .order_by(_decisions.c.created_at)
        ).all()
        kept = set(
            self.conn.execute(
                select(_conflicts.c.decision_id).where(_conflicts.c.case_id == case_id)
            ).scalars()
        )
        return [r for r in rows if r.id not in kept], kept

    def _decision(self, values: dict[str, Any]) -> None:
        case_id = values["case_id"]
        state = self._state(case_id)
        assert state is not None
        history, kept = self._history(case_id)
        self.conn.execute(insert(_decisions).values(**values))
        self.decisions += 1
        undone = {r.reverses_id for r in history if r.action == UNDO}
        standing = [r for r in history if r.action != UNDO and r.id not in undone]
        action = values["action"]
        if action == UNDO:
            target = values["reverses_id"]
            if target in kept:
                self._withdraw(target, values)
                return
            if target not in {r.id for r in standing}:
                return  # reverses what no longer stands here: recorded, changes nothing
            steps = [(r.action, r.to_tier) for r in standing if r.id != target]
        else:
            status, tier = derive_state((r.action, r.to_tier) for r in standing)
            closing = [r for r in standing if ACTION_KINDS[r.action].status == "decided"]
            foreign = status == "decided" and closing and closing[-1].source_id != self.source
            if foreign or (action != "note" and values["tier"] != tier):
                deciding = [r for r in standing if r.action != "note"]
                self._conflict(values, deciding[-1].id if deciding else None)
                return
            steps = [*((r.action, r.to_tier) for r in standing), (action, values.get("to_tier"))]
        status, tier = derive_state(steps)
        session_id = values.get("session_id")
        lease = (
            (session_id, values["created_at"] + DEFAULT_LEASE)
            if status == "open" and session_id is not None
            else (None, None)
        )
        self.current[case_id] = replace(
            state, status=status, tier=tier, claimed_by=lease[0], claim_expires_at=lease[1]
        )
        self.applied += 1

    def _conflict(self, values: Mapping[str, Any], standing_id: uuid.UUID | None) -> None:
        self.conn.execute(
            insert(_conflicts).values(
                id=uuid.uuid4(),
                case_id=values["case_id"],
                decision_id=values["id"],
                standing_id=standing_id,
                source_id=self.source,
                created_at=self.now,
                resolution="",
                resolution_note="",
            )
        )
        self.conflicts.append(values["id"])

    def _withdraw(self, decision_id: uuid.UUID, undo: Mapping[str, Any]) -> None:
        self.conn.execute(
            update(_conflicts)
            .where(and_(_conflicts.c.decision_id == decision_id, _conflicts.c.resolved_at.is_(None)))
            .values(
                resolved_at=self.now,
                resolved_by=undo["reviewer_id"],
                resolution="withdrawn",
                resolution_note="undone on the workstation that made it",
                resolution_decision_id=undo["id"],
            )
        )

    # -- claims ---------------------------------------------------------------------------------------

    def _claim(self, case_id: uuid.UUID, snap: Mapping[str, Any]) -> None:
        wanted = row_values("case", snap) if "claimed_by" in snap else {}
        state = self._state(case_id, required=False)
        if state is None or state.status == "decided" or "claimed_by" not in wanted:
            return
        holder, expires = state.claimed_by, state.claim_expires_at
        free = holder is None or expires is None or expires <= self.now or holder == wanted["claimed_by"]
        if not free and not self._session_of_source(holder):
            return  # held by another workstation's session: the holder keeps it
        self.current[case_id] = replace(
            state, claimed_by=wanted["claimed_by"], claim_expires_at=wanted.get("claim_expires_at")
        )

    def _session_of_source(self, session_id: uuid.UUID | None) -> bool:
        if session_id is None:
            return False
        found = self.conn.execute(select(_sessions.c.source_id).where(_sessions.c.id == session_id)).scalar()
        return found == self.source

    # -- the target's own record ----------------------------------------------------------------------

    def finish(self, merge: uuid.UUID, fresh: list[dict[str, Any]]) -> None:
        states = []
        for case_id, orig in self.original.items():
            new = self.current[case_id]
            pushed = self.pushed_seq.get(case_id, -1)
            changed = _fields(new) != _fields(orig)
            if changed or pushed >= orig.state_seq:
                base = replace(orig, state_seq=max(orig.state_seq, pushed))
                states.append(write_state(self.conn, base, **_fields(new)))
        rows: dict[str, list[dict[str, Any]]] = {"case": [s.snapshot() for s in states]}
        for table, row_id in self.reassert:
            t = _ROW_TABLES[table]
            found = self.conn.execute(select(t).where(t.c.id == uuid.UUID(row_id))).first()
            if found is not None:
                rows.setdefault(table, []).append(snapshot(table, dict(found._mapping)))
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
