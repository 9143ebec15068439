"""The QA queue (blind), the second reviewer's verdict, and a lead's adjudication of a disagreement.

Rules, here once:

- The second reviewer differs from the first (checked in the write). The QA queue a reviewer reads
  (``qa_queue``) holds only other reviewers' decisions and carries nothing of the first decision: not its
  action, policy, reviewer, rationale or time (``QaTask``). Whoever shows it must not show the case's
  decision history either.
- Agreement is the same *action*; the policy cited need not match (two sections often both fit; the
  action is what the user sees). ``policy_match`` is kept for the reader.
- A disagreement waits for a lead (``reviewer.overrides.may_override``), who is neither of the two
  reviewers. The adjudication is a decision on the case: the same action and policy as the standing first
  decision → a new decision beside it (``reviewer.followup``, confirm); anything else → a lead's override
  (undo of the standing decision + the new one, ``reviewer.overrides.override_decision``). Either way in
  one transaction with the QA item's update and audit event (``qa.adjudicate``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, select, update
from sqlalchemy.orm import aliased

from reviewer.audit.chain import lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.clock import utcnow
from reviewer.decisions import validate_action
from reviewer.followup import DECIDING_ACTIONS, FollowUp, follow_decision
from reviewer.models import Case, Decision, QaReview, Reviewer, table_of
from reviewer.overrides import may_override, override_decision
from reviewer.policy import PolicyPack
from reviewer.qa.records import audit_rows
from reviewer.qa.sampling import QaError, sample_new_decisions
from reviewer.storage.database import Database

VERDICT_KIND, ADJUDICATE_KIND = "qa.verdict", "qa.adjudicate"
_qa, _c, _d, _r = table_of(QaReview), table_of(Case), table_of(Decision), table_of(Reviewer)


@dataclass(frozen=True)
class QaTask:
    """One item of the blind QA queue: nothing of the first decision."""

    id: uuid.UUID
    case_id: uuid.UUID
    case_external_id: str
    channel_code: str
    sampled_at: datetime


@dataclass(frozen=True)
class QaItem:
    """A QA item in full (for leads, the CLI and the metrics): both decisions and the adjudication."""

    id: uuid.UUID
    decision_id: uuid.UUID
    case_id: uuid.UUID
    case_external_id: str
    channel_code: str
    first_reviewer: str
    first_action: str
    first_policy: str | None
    status: str
    second_reviewer: str | None
    verdict_action: str | None
    verdict_policy: str | None
    agreed: bool | None
    adjudicated_by: str | None
    adjudication_decision_id: uuid.UUID | None
    adjudication_note: str
    sampled_at: datetime

    @property
    def policy_match(self) -> bool | None:
        return None if self.verdict_action is None else self.first_policy == self.verdict_policy


def qa_queue(db: Database, reviewer: Reviewer, *, sample: bool = True, limit: int = 500) -> list[QaTask]:
    """Open QA items ``reviewer`` may decide (never their own decisions), oldest first; the sampling step
    runs first unless ``sample`` is False."""
    if sample:
        sample_new_decisions(db)
    q = (
        select(_qa.c.id, _qa.c.case_id, _c.c.external_id, _qa.c.channel_code, _qa.c.sampled_at)
        .join(_c, _c.c.id == _qa.c.case_id)
        .where(_qa.c.status == "open", _qa.c.first_reviewer_id != reviewer.id)
        .order_by(_qa.c.sampled_at, _qa.c.id)
        .limit(limit)
    )
    with db.read() as session:
        return [QaTask(*tuple(row)) for row in session.execute(q)]


def list_items(
    db: Database, *, status: str | None = None, item_id: uuid.UUID | None = None, limit: int = 5000
) -> list[QaItem]:
    """QA items in full, oldest first (``status`` narrows: e.g. ``disagreed``, the leads' list)."""
    first, second, lead = aliased(_r), aliased(_r), aliased(_r)
    q = (
        select(
            _qa.c.id,
            _qa.c.decision_id,
            _qa.c.case_id,
            _c.c.external_id,
            _qa.c.channel_code,
            first.c.handle,
            _qa.c.first_action,
            _qa.c.first_policy,
            _qa.c.status,
            second.c.handle,
            _qa.c.verdict_action,
            _qa.c.verdict_policy,
            _qa.c.agreed,
            lead.c.handle,
            _qa.c.adjudication_decision_id,
            _qa.c.adjudication_note,
            _qa.c.sampled_at,
        )
        .join(_c, _c.c.id == _qa.c.case_id)
        .join(first, first.c.id == _qa.c.first_reviewer_id)
        .outerjoin(second, second.c.id == _qa.c.second_reviewer_id)
        .outerjoin(lead, lead.c.id == _qa.c.adjudicated_by)
        .order_by(_qa.c.sampled_at, _qa.c.id)
        .limit(limit)
    )
    if status is not None:
        q = q.where(_qa.c.status == status)
    if item_id is not None:
        q = q.where(_qa.c.id == item_id)
    with db.read() as session:
        return [QaItem(*tuple(row)) for row in session.execute(q)]


def find_item(items: list[QaItem] | list[QaTask], key: str) -> uuid.UUID:
    """The id of the item whose id starts with ``key`` (8+ characters); QaError otherwise."""
    key = key.strip().lower()
    found = [i.id for i in items if str(i.id).startswith(key)] if len(key) >= 8 else []
    if len(found) != 1:
        raise QaError(f"no QA item {key!r} (list them with: reviewer qa list)")
    return found[0]


def _item(conn: Connection, item_id: uuid.UUID) -> Row[Any]:
    row = conn.execute(select(_qa).where(_qa.c.id == item_id)).first()
    if row is None:
        raise QaError("that QA item is not in this database")
    return row


def _undone(conn: Connection, decision_id: uuid.UUID) -> bool:
    return conn.execute(select(_d.c.id).where(_d.c.reverses_id == decision_id).limit(1)).first() is not None


def record_verdict(
    db: Database,
    item_id: uuid.UUID,
    *,
    reviewer: Reviewer,
    action: str,
    policy_code: str | None = None,
    pack: PolicyPack | None = None,
    now: datetime | None = None,
) -> QaItem:
    """The second reviewer's blind verdict on a QA item; returns the item (agreed or disagreed)."""
    if action not in DECIDING_ACTIONS:
        raise QaError(f"a QA verdict decides the case; '{action}' does not")
    validate_action(action, policy_code, pack)
    when = now or utcnow()
    with db.write() as session:
        conn = session.connection()
        lock_chain(conn)
        item = _item(conn, item_id)
        if item.first_reviewer_id == reviewer.id:
            raise QaError("a second review is made by another reviewer than the one who decided")
        if item.status != "open":
            raise QaError(f"that QA item is {item.status} already")
        if _undone(conn, item.decision_id):
            raise QaError("the sampled decision was undone; it has left the QA sample")
        agreed = action == item.first_action
        conn.execute(
            update(_qa)
            .where(and_(_qa.c.id == item_id, _qa.c.status == "open"))
            .values(
                status="agreed" if agreed else "disagreed",
                second_reviewer_id=reviewer.id,
                verdict_action=action,
                verdict_policy=policy_code,
                verdict_at=when,
                agreed=agreed,
                updated_at=when,
            )
        )
        _audit(conn, reviewer.handle, VERDICT_KIND, item_id)
    note_appended(db)
    return _one(db, item_id)


def adjudicate(
    db: Database,
    item_id: uuid.UUID,
    *,
    lead: Reviewer,
    action: str,
    note: str,
    policy_code: str | None = None,
    pack: PolicyPack | None = None,
    now: datetime | None = None,
) -> QaItem:
    """A lead settles a disagreement with a decision on the case (see the module's rules)."""
    if not may_override(lead):
        raise QaError(f"{lead.handle} is not a lead; only a lead adjudicates a QA disagreement")
    note = note.strip()
    if not note:
        raise QaError("an adjudication needs a note: why this decision")
    with db.read() as session:
        item = _item(session.connection(), item_id)
    if item.status != "disagreed":
        raise QaError(f"that QA item is {item.status}; only a disagreement is adjudicated")
    if lead.id in (item.first_reviewer_id, item.second_reviewer_id):
        raise QaError("a lead adjudicates other reviewers' disagreement, not one of their own")
    when = now or utcnow()

    def settle(conn: Connection, decision_id: uuid.UUID) -> None:
        done = conn.execute(
            update(_qa)
            .where(and_(_qa.c.id == item_id, _qa.c.status == "disagreed"))
            .values(
                status="adjudicated",
                adjudicated_by=lead.id,
                adjudication_decision_id=decision_id,
                adjudicated_at=when,
                adjudication_note=note,
                updated_at=when,
            )
        )
        if not done.rowcount:
            raise QaError("that QA item was adjudicated meanwhile")
        _audit(conn, lead.handle, ADJUDICATE_KIND, item_id)

    if (action, policy_code) == (item.first_action, item.first_policy):
        follow_decision(
            db,
            case_id=item.case_id,
            reviewer=lead,
            original=item.decision_id,
            action=action,
            policy_code=policy_code,
            pack=pack,
            note=f"qa adjudication: {note}",
            replace=False,
            kind="qa.adjudication",
            also=lambda conn, made: settle(conn, _made(made)),
            now=when,
        )
    else:
        override_decision(
            db,
            case_id=item.case_id,
            lead=lead,
            replaces=item.decision_id,
            action=action,
            reason=f"QA adjudication: {note}",
            policy_code=policy_code,
            pack=pack,
            now=when,
            also=settle,
        )
    return _one(db, item_id)


def _made(made: FollowUp) -> uuid.UUID:
    return made.decision_id


def _one(db: Database, item_id: uuid.UUID) -> QaItem:
    return list_items(db, item_id=item_id)[0]


def _audit(conn: Connection, actor: str, kind: str, item_id: uuid.UUID) -> None:
    row = dict(_item(conn, item_id)._mapping)
    audit_rows(conn, actor=actor, kind=kind, table="qa_review", rows=[row])
