"""Working an appeal: the appeals queue, uphold and overturn.

Rules, here once: an appeal is worked by a reviewer other than the one whose decision it appeals (checked
in the write); it ends once. *Uphold*: a new decision with the original's action and policy, beside the
original (``reviewer.followup``, confirm; its note ``appeal upheld: …``). *Overturn*: a different action or
policy; the original is undone and the new decision written in one transaction (``replace``; notes
``appeal overturned: …``, a required reason). Either way the appeal row records the new decision (and
the undo) and its audit event (``appeal.uphold`` / ``appeal.overturn``) in that same transaction. An appeal
whose decision no longer stands (undone or replaced meanwhile) is refused (CaseAlreadyDecided) and can be
withdrawn. Appeals are not blind: the queue shows the original decision and the statement.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, select, update
from sqlalchemy.orm import aliased

from reviewer.clock import utcnow
from reviewer.followup import FollowUp, follow_decision
from reviewer.models import Appeal, Case, Decision, Reviewer, table_of
from reviewer.policy import PolicyPack
from reviewer.qa.records import audit_rows
from reviewer.storage.database import Database
from reviewer.vault.opening import open_vault

UPHOLD, OVERTURN = "uphold", "overturn"
UPHOLD_KIND, OVERTURN_KIND = "appeal.uphold", "appeal.overturn"
_appeals, _cases, _d, _r = table_of(Appeal), table_of(Case), table_of(Decision), table_of(Reviewer)


class AppealError(ValueError):
    """An appeal cannot be worked so (one line for the reviewer)."""


@dataclass(frozen=True)
class AppealRow:
    id: uuid.UUID
    external_id: str
    case_id: uuid.UUID
    case_external_id: str
    statement: str  # opened (plain text: show it only as plain text)
    appealed_at: datetime
    original_decision_id: uuid.UUID
    original_reviewer: str
    original_action: str
    original_policy: str | None
    status: str
    worked_by: str | None
    outcome_decision_id: uuid.UUID | None
    outcome_note: str

    @property
    def open(self) -> bool:
        return self.status == "open"


def list_appeals(
    db: Database,
    *,
    open_only: bool = True,
    not_decided_by: Reviewer | None = None,
    appeal_id: uuid.UUID | None = None,
    limit: int = 5000,
) -> list[AppealRow]:
    """Appeals, oldest first, their statements opened. ``not_decided_by``: the appeals queue of that
    reviewer (never an appeal of their own decision)."""
    original, worker = aliased(_r), aliased(_r)
    q = (
        select(
            _appeals.c.id,
            _appeals.c.external_id,
            _appeals.c.case_id,
            _cases.c.external_id,
            _appeals.c.statement,
            _appeals.c.appealed_at,
            _appeals.c.original_decision_id,
            original.c.handle,
            _d.c.action,
            _d.c.policy_code,
            _appeals.c.status,
            worker.c.handle,
            _appeals.c.outcome_decision_id,
            _appeals.c.outcome_note,
        )
        .join(_cases, _cases.c.id == _appeals.c.case_id)
        .join(original, original.c.id == _appeals.c.original_reviewer_id)
        .join(_d, _d.c.id == _appeals.c.original_decision_id)
        .outerjoin(worker, worker.c.id == _appeals.c.worked_by)
        .order_by(_appeals.c.appealed_at, _appeals.c.id)
        .limit(limit)
    )
    if open_only:
        q = q.where(_appeals.c.status == "open")
    if not_decided_by is not None:
        q = q.where(_appeals.c.original_reviewer_id != not_decided_by.id)
    if appeal_id is not None:
        q = q.where(_appeals.c.id == appeal_id)
    with db.read() as session:
        rows = session.execute(q).all()
    vault = open_vault(db) if rows else None
    out = []
    for r in rows:
        values = list(r)
        if vault is not None:
            values[4] = vault.open_text(r[4], "appeal", "statement", r[0].hex)
        out.append(AppealRow(*values))
    return out


def find_appeal(rows: list[AppealRow], key: str) -> AppealRow:
    """The appeal whose external id is ``key``, or whose id starts with it (8+ characters)."""
    key = key.strip()
    found = [a for a in rows if a.external_id == key]
    if not found and len(key) >= 8:
        found = [a for a in rows if str(a.id).startswith(key.lower())]
    if len(found) != 1:
        raise AppealError(f"no appeal {key!r} (list them with: reviewer appeals list)")
    return found[0]


def _open_appeal(db: Database, appeal_id: uuid.UUID, reviewer: Reviewer) -> tuple[AppealRow, uuid.UUID]:
    with db.read() as session:
        row = session.execute(
            select(_appeals.c.original_reviewer_id).where(_appeals.c.id == appeal_id)
        ).first()
    found = list_appeals(db, open_only=False, appeal_id=appeal_id)
    if row is None or not found:
        raise AppealError("that appeal is not in this database")
    if row.original_reviewer_id == reviewer.id:
        raise AppealError("an appeal is worked by another reviewer than the one who decided the case")
    if not found[0].open:
        raise AppealError(f"that appeal is {found[0].status} already")
    return found[0], row.original_reviewer_id


def decide_appeal(
    db: Database,
    appeal_id: uuid.UUID,
    *,
    reviewer: Reviewer,
    outcome: str,
    pack: PolicyPack | None,
    action: str | None = None,
    policy_code: str | None = None,
    note: str = "",
    now: datetime | None = None,
) -> AppealRow:
    """Uphold (``action``/``policy_code`` ignored: the original's) or overturn (a different action or
    policy and a required ``note``) an open appeal; returns it worked."""
    if outcome not in (UPHOLD, OVERTURN):
        raise AppealError(f"an appeal ends as {UPHOLD} or {OVERTURN}, not {outcome!r}")
    appeal, _ = _open_appeal(db, appeal_id, reviewer)
    note = note.strip()
    if outcome == UPHOLD:
        action, policy_code = appeal.original_action, appeal.original_policy
        text = f"appeal upheld: {note}" if note else "appeal upheld"
    else:
        if action is None:
            raise AppealError("an overturn names the new action")
        if (action, policy_code) == (appeal.original_action, appeal.original_policy):
            raise AppealError("an overturn decides otherwise than the original; this would uphold it")
        if not note:
            raise AppealError("an overturn needs a reason")
        text = f"appeal overturned: {note}"
    when = now or utcnow()
    status, kind = ("upheld", UPHOLD_KIND) if outcome == UPHOLD else ("overturned", OVERTURN_KIND)

    def settle(conn: Connection, made: FollowUp) -> None:
        done = conn.execute(
            update(_appeals)
            .where(and_(_appeals.c.id == appeal_id, _appeals.c.status == "open"))
            .values(
                status=status,
                worked_by=reviewer.id,
                outcome_decision_id=made.decision_id,
                undo_decision_id=made.undo_id,
                decided_at=when,
                outcome_note=note,
                updated_at=when,
            )
        )
        if not done.rowcount:
            raise AppealError("that appeal was worked meanwhile")
        row = dict(conn.execute(select(_appeals).where(_appeals.c.id == appeal_id)).one()._mapping)
        audit_rows(conn, actor=reviewer.handle, kind=kind, table="appeal", rows=[row])

    follow_decision(
        db,
        case_id=appeal.case_id,
        reviewer=reviewer,
        original=appeal.original_decision_id,
        action=action,
        policy_code=policy_code,
        pack=pack,
        note=text,
        replace=outcome == OVERTURN,
        kind=kind.replace("appeal.", "appeal_"),
        also=settle,
        now=when,
    )
    return list_appeals(db, open_only=False, appeal_id=appeal_id)[0]
