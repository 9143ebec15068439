"""Recording decisions: validated, audited and committed durably in one transaction.

Nothing is updated in place: an undo is a new decision that reverses an earlier one, and the case's
status is recomputed from the decisions that still stand.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from reviewer.actions import ACTION_KINDS, UNDO
from reviewer.audit import append_event, decision_payload
from reviewer.clock import utcnow
from reviewer.models import Case, Decision, PolicyPackVersion, Reviewer
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database

DEFAULT_LEASE = timedelta(minutes=15)


class DecisionError(ValueError):
    """The decision cannot be recorded as asked (unknown action, missing or wrong policy code, …)."""


@dataclass(frozen=True)
class DecisionResult:
    decision_id: uuid.UUID
    case_id: uuid.UUID
    action: str
    case_status: str
    reverses_id: uuid.UUID | None = None
    policy_code: str | None = None


def pack_version_id(session: Session, pack: PolicyPack) -> uuid.UUID:
    """The row for this pack version, added the first time it is cited."""
    row = session.execute(
        select(PolicyPackVersion).where(
            PolicyPackVersion.pack_id == pack.pack_id, PolicyPackVersion.version == pack.version
        )
    ).scalar_one_or_none()
    if row is None:
        row = PolicyPackVersion(pack_id=pack.pack_id, version=pack.version, sha256=pack.sha256)
        session.add(row)
        session.flush()
    return row.id


def _validate(action: str, policy_code: str | None, pack: PolicyPack | None) -> None:
    kind = ACTION_KINDS.get(action)
    if kind is None:
        raise DecisionError(f"unknown action {action!r}")
    if policy_code is None:
        if kind.needs_policy:
            raise DecisionError(f"{kind.label} needs a policy code")
        return
    if pack is None:
        raise DecisionError("a policy code was given but no policy pack is loaded")
    try:
        section = pack.section(policy_code)
    except KeyError:
        raise DecisionError(f"policy code {policy_code!r} is not in pack {pack.version}") from None
    if action not in ("escalate", "note", "skip") and not section.allows(action):
        raise DecisionError(f"{policy_code} does not allow '{action}' (allows: {', '.join(section.actions)})")


def _standing(session: Session, case_id: uuid.UUID) -> list[Decision]:
    """Decisions on a case that have not been undone, oldest first."""
    rows = list(
        session.execute(
            select(Decision).where(Decision.case_id == case_id).order_by(Decision.created_at)
        ).scalars()
    )
    reversed_ids = {d.reverses_id for d in rows if d.action == UNDO}
    return [d for d in rows if d.action != UNDO and d.id not in reversed_ids]


def _derive_state(standing: list[Decision]) -> tuple[str, int]:
    status, tier = "open", 1
    for d in standing:
        kind = ACTION_KINDS[d.action]
        if kind.status is not None:
            status = kind.status
        if d.action == "escalate":
            tier += 1
    return status, tier


def record_decision(
    db: Database,
    *,
    case_id: uuid.UUID,
    reviewer: Reviewer,
    action: str,
    policy_code: str | None = None,
    pack: PolicyPack | None = None,
    note: str = "",
    session_id: uuid.UUID | None = None,
    handle_ms: int = 0,
    revealed: bool = False,
    now: datetime | None = None,
) -> DecisionResult:
    """Validate, write and commit one decision with its audit event. Returns only once durable."""
    _validate(action, policy_code, pack)
    with db.write() as session:
        return record_decision_in(
            session,
            case_id=case_id,
            reviewer=reviewer,
            action=action,
            policy_code=policy_code,
            pack=pack,
            note=note,
            session_id=session_id,
            handle_ms=handle_ms,
            revealed=revealed,
            now=now,
        )


def record_decision_in(
    session: Session,
    *,
    case_id: uuid.UUID,
    reviewer: Reviewer,
    action: str,
    policy_code: str | None = None,
    pack: PolicyPack | None = None,
    note: str = "",
    session_id: uuid.UUID | None = None,
    handle_ms: int = 0,
    revealed: bool = False,
    now: datetime | None = None,
) -> DecisionResult:
    """``record_decision`` inside the caller's write transaction (several decisions, one commit)."""
    _validate(action, policy_code, pack)
    now = now or utcnow()
    case = session.get(Case, case_id)
    if case is None:
        raise DecisionError(f"case {case_id} does not exist")
    standing = _standing(session, case_id)
    _, tier = _derive_state(standing)
    decision = Decision(
        id=uuid.uuid4(),
        case_id=case_id,
        reviewer_id=reviewer.id,
        session_id=session_id,
        action=action,
        policy_code=policy_code,
        policy_pack_version_id=pack_version_id(session, pack) if (pack and policy_code) else None,
        policy_version=pack.version if (pack and policy_code) else None,
        note=note,
        tier=tier,
        handle_ms=handle_ms,
        revealed=revealed,
        created_at=now,
    )
    session.add(decision)
    status, new_tier = _derive_state([*standing, decision])
    case.status, case.tier = status, new_tier
    if status != "open":
        case.claimed_by, case.claim_expires_at = None, None
    append_event(
        session,
        actor=reviewer.handle,
        kind="decision",
        subject=str(decision.id),
        payload=decision_payload(decision),
        now=now,
    )
    return DecisionResult(decision.id, case_id, action, status)


def undo_last(
    db: Database, *, reviewer: Reviewer, session_id: uuid.UUID | None, now: datetime | None = None
) -> DecisionResult | None:
    """Reverse this reviewer's most recent standing decision in the session; None if nothing is left."""
    now = now or utcnow()
    with db.write() as session:
        query = select(Decision).where(Decision.reviewer_id == reviewer.id, Decision.action != UNDO)
        if session_id is not None:
            query = query.where(Decision.session_id == session_id)
        undone = select(Decision.reverses_id).where(Decision.reverses_id.is_not(None))
        target = session.execute(
            query.where(Decision.id.not_in(undone)).order_by(Decision.created_at.desc()).limit(1)
        ).scalar_one_or_none()
        if target is None:
            return None
        standing = [d for d in _standing(session, target.case_id) if d.id != target.id]
        status, tier = _derive_state(standing)
        undo = Decision(
            id=uuid.uuid4(),
            case_id=target.case_id,
            reviewer_id=reviewer.id,
            session_id=session_id,
            action=UNDO,
            reverses_id=target.id,
            tier=tier,
            note="",
            created_at=now,
        )
        session.add(undo)
        case = session.get(Case, target.case_id)
        assert case is not None
        case.status, case.tier = status, tier
        append_event(
            session,
            actor=reviewer.handle,
            kind="decision",
            subject=str(undo.id),
            payload=decision_payload(undo),
            now=now,
        )
        return DecisionResult(undo.id, target.case_id, UNDO, status, reverses_id=target.id)


def claim_case(
    db: Database,
    case_id: uuid.UUID,
    holder: uuid.UUID,
    *,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
) -> bool:
    """Take the lease on a case unless another holder has a live one. Atomic across processes.

    ``holder`` is the review *session* id, not the reviewer's: two app instances signed in as the same
    reviewer are two holders, so they can never both work on one case.
    """
    now = now or utcnow()
    with db.write() as session:
        result = session.execute(
            update(Case)
            .where(
                Case.id == case_id,
                or_(Case.claimed_by.is_(None), Case.claimed_by == holder, Case.claim_expires_at < now),
            )
            .values(claimed_by=holder, claim_expires_at=now + lease)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def release_claim(db: Database, case_id: uuid.UUID, holder: uuid.UUID) -> None:
    """Give the lease back; does nothing if ``holder`` no longer holds it."""
    with db.write() as session:
        session.execute(
            update(Case)
            .where(Case.id == case_id, Case.claimed_by == holder)
            .values(claimed_by=None, claim_expires_at=None)
            .execution_options(synchronize_session=False)
        )
