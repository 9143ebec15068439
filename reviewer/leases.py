"""Leases (claims): a review session holds a case for a limited time so that nobody else decides it.

Every rule is checked inside the write transaction that acts on it (SQLite ``BEGIN IMMEDIATE``; on
PostgreSQL the chain's advisory lock and then ``SELECT … FOR UPDATE`` on the case row), and every change
of a case's state bumps ``case.state_seq`` and is recorded in the audit chain with the full new state.

* A claim refuses a decided case and a case another session holds unexpired.
* Leases renew while a reviewer works (``renew_lease``), are released at the end of a session
  (``release_session_leases``), and a new session of the same reviewer on the same workstation takes
  back the unexpired leases of that reviewer's earlier sessions there (``adopt_own_leases``), so a
  restart after a crash does not hide the cases they were working on.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from reviewer.actions import UNDO
from reviewer.audit.chain import append_event_core, lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.audit.snapshots import CASE_STATE_COLUMNS, snapshot
from reviewer.clock import utcnow
from reviewer.conflicts import CaseAlreadyDecided, CaseHeld, LeaseHolder, StandingDecision
from reviewer.models import Case, Decision, Reviewer, ReviewSession, SyncConflict, table_of
from reviewer.storage.database import Database
from reviewer.storage.prepared import Prepared

DEFAULT_LEASE = timedelta(minutes=15)
#: How often the window should call ``renew_lease`` while a case stays on screen.
RENEW_EVERY = timedelta(minutes=5)

_cases = table_of(Case)
_decisions = table_of(Decision)
_sessions = table_of(ReviewSession)
_reviewers = table_of(Reviewer)

_READ_STATE = (
    select(*(_cases.c[name] for name in CASE_STATE_COLUMNS))
    .where(_cases.c.id == bindparam("b_case"))
    .with_for_update()
)
_WRITE_STATE = Prepared(
    update(_cases)
    .where(_cases.c.id == bindparam("b_case"))
    .values(
        status=bindparam("b_status"),
        tier=bindparam("b_tier"),
        claimed_by=bindparam("b_holder"),
        claim_expires_at=bindparam("b_expires"),
        state_seq=bindparam("b_seq"),
    )
)
_SESSION_HANDLE = (
    select(_reviewers.c.handle)
    .select_from(_sessions.join(_reviewers, _reviewers.c.id == _sessions.c.reviewer_id))
    .where(_sessions.c.id == bindparam("b_session"))
)
_CASE_DECISIONS = (
    select(
        _decisions.c.id,
        _decisions.c.action,
        _decisions.c.reverses_id,
        _decisions.c.policy_code,
        _decisions.c.created_at,
        _reviewers.c.handle,
    )
    .select_from(_decisions.join(_reviewers, _reviewers.c.id == _decisions.c.reviewer_id))
    .where(
        _decisions.c.case_id == bindparam("b_case"),
        _decisions.c.id.not_in(select(table_of(SyncConflict).c.decision_id)),  # kept, never applied
    )
    .order_by(_decisions.c.created_at)
)


#: The case-state columns of a row (a SQLAlchemy Row or a PreparedSelect row), by attribute.
_state_columns = attrgetter(*CASE_STATE_COLUMNS)


@dataclass(frozen=True)
class CaseState:
    """A case's current state: what the lease and decision rules look at and what each event records."""

    id: uuid.UUID
    status: str
    tier: int
    claimed_by: uuid.UUID | None
    claim_expires_at: datetime | None
    state_seq: int

    @classmethod
    def of(cls, row: Any) -> CaseState:
        return cls(*_state_columns(row))

    def held_by_other(self, session_id: uuid.UUID | None, now: datetime) -> bool:
        return (
            self.claimed_by is not None
            and self.claimed_by != session_id
            and self.claim_expires_at is not None
            and self.claim_expires_at > now
        )

    def snapshot(self) -> dict[str, Any]:
        return snapshot("case", self.__dict__)


def read_state(conn: Connection, case_id: uuid.UUID) -> CaseState | None:
    """The case's state, row-locked on PostgreSQL until the transaction ends."""
    row = conn.execute(_READ_STATE, {"b_case": case_id}).first()
    return CaseState.of(row) if row is not None else None


def write_state(conn: Connection, state: CaseState, **changes: Any) -> CaseState:
    """Apply ``changes``, bump ``state_seq``, and return the new state (record its snapshot in an event)."""
    new = replace(state, **changes, state_seq=state.state_seq + 1)
    _WRITE_STATE.run(
        conn,
        {
            "b_case": new.id,
            "b_status": new.status,
            "b_tier": new.tier,
            "b_holder": new.claimed_by,
            "b_expires": new.claim_expires_at,
            "b_seq": new.state_seq,
        },
    )
    return new


def session_handle(conn: Connection, session_id: uuid.UUID | None) -> str:
    if session_id is None:
        return "unknown"
    handle = conn.execute(_SESSION_HANDLE, {"b_session": session_id}).scalar()
    return handle or f"session {str(session_id)[:8]}"


def holder_of(conn: Connection, state: CaseState) -> LeaseHolder:
    assert state.claimed_by is not None and state.claim_expires_at is not None
    return LeaseHolder(state.claimed_by, session_handle(conn, state.claimed_by), state.claim_expires_at)


def standing_decision(conn: Connection, case_id: uuid.UUID) -> StandingDecision | None:
    """The newest decision on the case that was not undone and is not a note."""
    rows = conn.execute(_CASE_DECISIONS, {"b_case": case_id}).all()
    undone = {r.reverses_id for r in rows if r.action == UNDO}
    for r in reversed(rows):
        if r.action not in (UNDO, "note") and r.id not in undone:
            return StandingDecision(r.id, r.handle, r.created_at, r.action, r.policy_code)
    return None


def check_may_decide(conn: Connection, state: CaseState, session_id: uuid.UUID | None, now: datetime) -> None:
    """Raise unless ``session_id`` may decide now: the case is not decided, no other session holds it, and
    it is either this session's (even if its lease ran out, as long as nobody took it) or open and unheld
    (then the decision claims it in the same transaction)."""
    if state.status == "decided":
        raise CaseAlreadyDecided(state.id, standing_decision(conn, state.id), state.status)
    if state.held_by_other(session_id, now):
        raise CaseHeld(state.id, holder_of(conn, state))
    mine = session_id is not None and state.claimed_by == session_id
    if not mine and state.status != "open":
        # Escalated and skipped cases are worked only under an explicit claim: whoever decides them saw
        # them in that state, never in the "open" state someone else has since changed.
        raise CaseAlreadyDecided(state.id, standing_decision(conn, state.id), state.status)


@dataclass(frozen=True)
class ClaimResult:
    """``ok``, or why not: the holder's lease, or the decision that closed the case."""

    ok: bool
    holder: LeaseHolder | None = None
    standing: StandingDecision | None = None
    status: str | None = None


_PEEK_STATE = select(*(_cases.c[name] for name in CASE_STATE_COLUMNS)).where(
    _cases.c.id == bindparam("b_case")
)


def case_outlook(
    db: Database, case_id: uuid.UUID, session_id: uuid.UUID | None = None, *, now: datetime | None = None
) -> ClaimResult:
    """For the window, without writing or locking: may ``session_id`` work on the case now, and if not,
    who decided it (``standing``: reviewer, time, action, policy) or who holds it (``holder``)."""
    now = now or utcnow()
    with db.read() as session:
        conn = session.connection()
        row = conn.execute(_PEEK_STATE, {"b_case": case_id}).first()
        if row is None:
            return ClaimResult(False, status="missing")
        state = CaseState.of(row)
        standing = standing_decision(conn, case_id)
        if state.status == "decided":
            return ClaimResult(False, standing=standing, status=state.status)
        if state.held_by_other(session_id, now):
            return ClaimResult(False, holder=holder_of(conn, state), standing=standing, status=state.status)
        return ClaimResult(True, standing=standing, status=state.status)


def _record(conn: Connection, kind: str, session_id: uuid.UUID | None, states: list[CaseState]) -> None:
    append_event_core(
        conn,
        actor=session_handle(conn, session_id),
        kind=kind,
        subject=str(states[0].id) if len(states) == 1 else f"{len(states)} cases",
        payload={"session_id": str(session_id) if session_id else None},
        rows={"case": [s.snapshot() for s in states]},
        locked=True,
    )


@contextmanager
def _case_under_lock(db: Database, case_id: uuid.UUID) -> Iterator[tuple[Connection, CaseState | None]]:
    """A write transaction holding the chain lock and (PostgreSQL) the case row; anchors after commit.

    On the connection decisions write on (``Database.write_core``): a commit from another connection
    empties SQLite's page cache of every other one, so a claim written through the pool made the next
    decision read every page it touches again (~35 us of its ~0.4 ms)."""
    with db.write_core() as conn:
        lock_chain(conn)
        yield conn, read_state(conn, case_id)
    note_appended(db)


def _change(
    conn: Connection, state: CaseState, kind: str, session_id: uuid.UUID, **changes: Any
) -> CaseState:
    new = write_state(conn, state, **changes)
    _record(conn, kind, session_id, [new])
    return new


def try_claim(
    db: Database,
    case_id: uuid.UUID,
    session_id: uuid.UUID,
    *,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
) -> ClaimResult:
    """Take (or renew) the lease unless the case is decided or another session holds it unexpired."""
    now = now or utcnow()
    with _case_under_lock(db, case_id) as (conn, state):
        if state is None:
            return ClaimResult(False, status="missing")
        if state.status == "decided":
            return ClaimResult(False, standing=standing_decision(conn, case_id), status=state.status)
        if state.held_by_other(session_id, now):
            return ClaimResult(False, holder=holder_of(conn, state), status=state.status)
        fresh = state.claim_expires_at is not None and state.claim_expires_at - now > lease / 2
        if state.claimed_by == session_id and fresh:
            return ClaimResult(True, status=state.status)  # shown again soon after: nothing to write
        new = _change(conn, state, "claim", session_id, claimed_by=session_id, claim_expires_at=now + lease)
    return ClaimResult(True, status=new.status)


def claim_case(
    db: Database,
    case_id: uuid.UUID,
    holder: uuid.UUID,
    *,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
) -> bool:
    """``try_claim`` as a yes/no. ``holder`` is the review *session* id, not the reviewer's: two app
    instances signed in as the same reviewer are two holders, so they never both work on one case."""
    return try_claim(db, case_id, holder, lease=lease, now=now).ok


def renew_lease(
    db: Database,
    case_id: uuid.UUID,
    session_id: uuid.UUID,
    *,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
) -> bool:
    """Extend this session's lease; False if the case is decided or the lease is someone else's now."""
    now = now or utcnow()
    with _case_under_lock(db, case_id) as (conn, state):
        if state is None or state.status == "decided" or state.claimed_by != session_id:
            return False
        _change(conn, state, "renew", session_id, claim_expires_at=now + lease)
    return True


def release_claim(db: Database, case_id: uuid.UUID, holder: uuid.UUID) -> None:
    """Give the lease back; does nothing if ``holder`` no longer holds it."""
    with _case_under_lock(db, case_id) as (conn, state):
        if state is not None and state.claimed_by == holder:
            _change(conn, state, "release", holder, claimed_by=None, claim_expires_at=None)


_HELD_BY = select(_cases.c.id).where(_cases.c.claimed_by == bindparam("b_session")).order_by(_cases.c.id)


def release_session_leases(db: Database, session_id: uuid.UUID) -> int:
    """Release every lease the session holds (at quit); returns how many."""
    with db.write_core() as conn:
        lock_chain(conn)
        released = []
        for case_id in conn.execute(_HELD_BY, {"b_session": session_id}).scalars().all():
            state = read_state(conn, case_id)
            if state is not None and state.claimed_by == session_id:
                released.append(write_state(conn, state, claimed_by=None, claim_expires_at=None))
        if released:
            _record(conn, "release", session_id, released)
    if released:
        note_appended(db)
    return len(released)


def adopt_own_leases(
    conn: Connection,
    *,
    reviewer_id: uuid.UUID,
    source_id: uuid.UUID,
    session_id: uuid.UUID,
    now: datetime,
) -> list[CaseState]:
    """Move the unexpired leases of this reviewer's earlier sessions on this workstation to ``session_id``
    (inside the caller's write transaction, after ``lock_chain``); returns the new states to record.

    A second instance of the same reviewer on the same workstation started later takes them over too; the
    first then gets ``CaseHeld`` on deciding, never a second decision.
    """
    earlier = select(_sessions.c.id).where(
        _sessions.c.reviewer_id == reviewer_id,
        _sessions.c.source_id == source_id,
        _sessions.c.id != session_id,
    )
    held = conn.execute(
        select(_cases.c.id)
        .where(
            _cases.c.claimed_by.in_(earlier),
            _cases.c.claim_expires_at > now,
            _cases.c.status != "decided",
        )
        .order_by(_cases.c.id)
    ).scalars()
    adopted = []
    for case_id in held.all():
        state = read_state(conn, case_id)
        if state is not None:
            adopted.append(write_state(conn, state, claimed_by=session_id))
    return adopted
