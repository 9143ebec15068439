"""Conflicts: decisions the server kept but did not apply, listed for a lead and settled by one.

A conflict names the pushed decision and the one that stood on the server. A lead settles it on the
working copy (conflicts arrive with the pull), and the settlement travels with the next push like any
decision: **keep** the standing decision (the pushed one stays on record, unapplied), or **take** the
pushed one (a lead override replacing the standing decision with the pushed action, policy and
rationale, in the same transaction as the settlement). Either way the lead gives a reason, the settlement
is an audit event (``conflict.resolve``), and nothing is deleted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select, update
from sqlalchemy.orm import aliased

from reviewer.audit.chain import append_event_core, lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.clock import utcnow
from reviewer.conflicts import DecisionError, NotALead
from reviewer.decisions import DecisionResult
from reviewer.models import Case, Decision, Reviewer, SyncConflict, table_of
from reviewer.overrides import OVERRIDE_ACTIONS, may_override, override_decision
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database

RESOLVE_KIND = "conflict.resolve"
_conflicts = table_of(SyncConflict)
_decisions = table_of(Decision)
_reviewers = table_of(Reviewer)
_cases = table_of(Case)


@dataclass(frozen=True)
class DecisionSide:
    id: uuid.UUID
    action: str
    policy_code: str | None
    handle: str
    created_at: datetime
    rationale: str


@dataclass(frozen=True)
class ConflictRow:
    id: uuid.UUID
    case_id: uuid.UUID
    external_id: str
    created_at: datetime
    pushed: DecisionSide
    standing: DecisionSide | None
    resolution: str = ""
    resolved_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.resolved_at is None


def _side(row: Any, prefix: str) -> DecisionSide | None:
    m = row._mapping
    if m[f"{prefix}_id"] is None:
        return None
    return DecisionSide(
        m[f"{prefix}_id"],
        m[f"{prefix}_action"],
        m[f"{prefix}_policy"],
        m[f"{prefix}_handle"] or "?",
        m[f"{prefix}_at"],
        m[f"{prefix}_rationale"] or "",
    )


def _query(open_only: bool) -> Any:
    pushed, standing = aliased(_decisions), aliased(_decisions)
    pushed_by, standing_by = aliased(_reviewers), aliased(_reviewers)
    columns = []
    for prefix, d, r in (("p", pushed, pushed_by), ("s", standing, standing_by)):
        columns += [
            d.c.id.label(f"{prefix}_id"),
            d.c.action.label(f"{prefix}_action"),
            d.c.policy_code.label(f"{prefix}_policy"),
            r.c.handle.label(f"{prefix}_handle"),
            d.c.created_at.label(f"{prefix}_at"),
            d.c.rationale.label(f"{prefix}_rationale"),
        ]
    stmt = (
        select(_conflicts, _cases.c.external_id, *columns)
        .select_from(
            _conflicts.join(_cases, _cases.c.id == _conflicts.c.case_id)
            .join(pushed, pushed.c.id == _conflicts.c.decision_id)
            .outerjoin(pushed_by, pushed_by.c.id == pushed.c.reviewer_id)
            .outerjoin(standing, standing.c.id == _conflicts.c.standing_id)
            .outerjoin(standing_by, standing_by.c.id == standing.c.reviewer_id)
        )
        .order_by(_conflicts.c.created_at, _conflicts.c.id)
    )
    return stmt.where(_conflicts.c.resolved_at.is_(None)) if open_only else stmt


def list_conflicts(db: Database, *, open_only: bool = True, limit: int = 1000) -> list[ConflictRow]:
    """Conflicts, oldest first (the open ones unless ``open_only`` is False)."""
    with db.read() as session:
        rows = session.connection().execute(_query(open_only).limit(limit)).all()
    found = []
    for row in rows:
        pushed = _side(row, "p")
        assert pushed is not None  # joined, not outer-joined
        found.append(
            ConflictRow(
                row.id,
                row.case_id,
                row.external_id,
                row.created_at,
                pushed,
                _side(row, "s"),
                row.resolution,
                row.resolved_at,
            )
        )
    return found


def open_count(db: Database) -> int:
    with db.read() as session:
        return int(
            session.execute(
                select(func.count()).select_from(_conflicts).where(_conflicts.c.resolved_at.is_(None))
            ).scalar()
            or 0
        )


def _settle(
    conn: Connection,
    conflict: ConflictRow,
    lead: Reviewer,
    resolution: str,
    reason: str,
    decision_id: uuid.UUID | None,
    now: datetime,
) -> None:
    done = conn.execute(
        update(_conflicts)
        .where(and_(_conflicts.c.id == conflict.id, _conflicts.c.resolved_at.is_(None)))
        .values(
            resolved_at=now,
            resolved_by=lead.id,
            resolution=resolution,
            resolution_note=reason,
            resolution_decision_id=decision_id,
        )
    )
    if not done.rowcount:
        raise DecisionError(f"the conflict on case {conflict.external_id} was settled meanwhile")
    append_event_core(
        conn,
        actor=lead.handle,
        kind=RESOLVE_KIND,
        subject=str(conflict.pushed.id),
        payload={
            "decision_id": str(conflict.pushed.id),
            "resolution": resolution,
            "reason": reason,
            "resolved_by": str(lead.id),
            "resolution_decision_id": str(decision_id) if decision_id else None,
        },
        now=now,
        locked=True,
    )


def _checked(db: Database, conflict_id: uuid.UUID, lead: Reviewer, reason: str) -> tuple[ConflictRow, str]:
    if not may_override(lead):
        raise NotALead(f"{lead.handle} is not a lead; only a lead settles a conflict")
    reason = reason.strip()
    if not reason:
        raise DecisionError("settling a conflict needs a reason")
    found = next((c for c in list_conflicts(db) if c.id == conflict_id), None)
    if found is None:
        raise DecisionError("that conflict is settled already, or is not in this database")
    return found, reason


def keep_standing(db: Database, conflict_id: uuid.UUID, *, lead: Reviewer, reason: str) -> None:
    """The standing decision stays; the pushed one stays on record, unapplied."""
    conflict, reason = _checked(db, conflict_id, lead, reason)
    with db.write() as session:
        conn = session.connection()
        lock_chain(conn)
        _settle(conn, conflict, lead, "kept", reason, None, utcnow())
    note_appended(db)


def take_pushed(
    db: Database,
    conflict_id: uuid.UUID,
    *,
    lead: Reviewer,
    reason: str,
    pack: PolicyPack | None = None,
    session_id: uuid.UUID | None = None,
) -> DecisionResult:
    """Replace the standing decision with the pushed one's action and policy (a lead override)."""
    conflict, reason = _checked(db, conflict_id, lead, reason)
    if conflict.standing is None:
        raise DecisionError(f"case {conflict.external_id} has no standing decision to replace")
    if conflict.pushed.action not in OVERRIDE_ACTIONS:
        raise DecisionError(f"a pushed '{conflict.pushed.action}' cannot replace a decision")
    now = utcnow()
    return override_decision(
        db,
        case_id=conflict.case_id,
        lead=lead,
        replaces=conflict.standing.id,
        action=conflict.pushed.action,
        reason=reason,
        policy_code=conflict.pushed.policy_code,
        pack=pack if conflict.pushed.policy_code else None,
        session_id=session_id,
        now=now,
        also=lambda conn, decision_id: _settle(conn, conflict, lead, "replaced", reason, decision_id, now),
    )


def settle_from_event(conn: Connection, payload: dict[str, Any], now: datetime) -> None:
    """Apply a pushed ``conflict.resolve`` to this database's copy of the conflict (if still open)."""
    try:
        decision_id = uuid.UUID(str(payload["decision_id"]))
        resolved_by = uuid.UUID(str(payload["resolved_by"]))
        made = payload.get("resolution_decision_id")
        values = {
            "resolved_at": now,
            "resolved_by": resolved_by,
            "resolution": str(payload["resolution"])[:16],
            "resolution_note": str(payload.get("reason", "")),
            "resolution_decision_id": uuid.UUID(str(made)) if made else None,
        }
    except (KeyError, ValueError, TypeError):
        return  # a malformed settlement changes nothing (the event itself is kept and hashed)
    close_open(conn, decision_id, **values)


def close_open(conn: Connection, decision_id: uuid.UUID, **values: Any) -> None:
    """Settle the conflict of the kept ``decision_id`` with ``values`` (the resolution columns), unless it
    was settled already: the first settlement stands."""
    conn.execute(
        update(_conflicts)
        .where(and_(_conflicts.c.decision_id == decision_id, _conflicts.c.resolved_at.is_(None)))
        .values(**values)
    )
