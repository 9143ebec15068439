"""Writing investigations: each function is one transaction that checks its rule where it writes and
appends its audit event (kind ``investigation.<verb>``, a snapshot of every row it wrote) in it.

The investigation row is locked first (``FOR UPDATE`` on PostgreSQL; SQLite writes are serial already),
so two reviewers adding the same case, or saving findings at once, are ordered: the second add is a
no-op, the second save is refused as stale. A closed investigation refuses every change but reopening.
``updated_at`` changes with the investigation row itself (title, status, findings), not with members or
notes, so adding a case never makes an open findings editor stale.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, and_, insert, select, update
from sqlalchemy.orm import Session

from reviewer.audit.chain import append_event_core, lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.audit.snapshots import snapshot
from reviewer.clock import utcnow
from reviewer.investigations.views import (
    TITLE_MAX,
    Findings,
    InvestigationClosed,
    InvestigationError,
    InvestigationNotFound,
    MemberResult,
    StaleFindings,
)
from reviewer.models import (
    Account,
    Case,
    Investigation,
    InvestigationMember,
    InvestigationNote,
    Item,
    Reviewer,
    table_of,
)
from reviewer.storage.database import Database

_inv = table_of(Investigation)
_members = table_of(InvestigationMember)
_notes = table_of(InvestigationNote)


def _event(conn: Connection, reviewer: Reviewer, verb: str, subject: uuid.UUID, rows: dict[str, Any]) -> None:
    append_event_core(
        conn,
        actor=reviewer.handle,
        kind=f"investigation.{verb}",
        subject=str(subject),
        rows=rows,
        locked=True,
    )


def _row(conn: Connection, table: Table, row_id: uuid.UUID) -> dict[str, Any]:
    found = conn.execute(select(table).where(table.c.id == row_id)).first()
    assert found is not None
    return dict(found._mapping)


def _locked_investigation(
    conn: Connection, inv_id: uuid.UUID, *, must_be_open: bool = True
) -> dict[str, Any]:
    found = conn.execute(select(_inv).where(_inv.c.id == inv_id).with_for_update()).first()
    if found is None:
        raise InvestigationNotFound("no such investigation")
    row = dict(found._mapping)
    if must_be_open and row["status"] != "open":
        raise InvestigationClosed(f"investigation '{row['title']}' is closed; reopen it to change it")
    return row


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise InvestigationError("an investigation needs a title")
    if len(title) > TITLE_MAX:
        raise InvestigationError(f"a title has at most {TITLE_MAX} characters")
    return title


def _later(previous: datetime) -> datetime:
    """Now, but strictly after ``previous`` (the stale check compares ``updated_at``)."""
    now = utcnow()
    return now if now > previous else previous + timedelta(microseconds=1)


def create_investigation(db: Database, reviewer: Reviewer, title: str) -> uuid.UUID:
    """A new open investigation with an empty head; its id."""
    title = _clean_title(title)
    now = utcnow()
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "title": title,
        "status": "open",
        "created_by": reviewer.id,
        "created_at": now,
        "updated_at": now,
        **{name: "" for name in Findings.FIELDS},
    }
    with db.write() as session:
        conn = session.connection()
        lock_chain(conn)
        conn.execute(insert(_inv), values)
        _event(conn, reviewer, "create", values["id"], {"investigation": [snapshot("investigation", values)]})
    note_appended(db)
    return uuid.UUID(str(values["id"]))


def _add_member(
    db: Database,
    reviewer: Reviewer,
    inv_id: uuid.UUID,
    kind: str,
    target: uuid.UUID,
    note: str,
    label_of: Any,
) -> MemberResult:
    column = f"{kind}_id"
    with db.write() as session:
        conn = session.connection()
        lock_chain(conn)
        _locked_investigation(conn, inv_id)
        label = label_of(session, target)
        existing = conn.execute(
            select(_members.c.id).where(
                and_(
                    _members.c.investigation_id == inv_id,
                    _members.c[column] == target,
                    _members.c.removed_at.is_(None),
                )
            )
        ).first()
        if existing is not None:
            return MemberResult(existing.id, False, label)
        values: dict[str, Any] = {
            "id": uuid.uuid4(),
            "investigation_id": inv_id,
            "kind": kind,
            "account_id": None,
            "case_id": None,
            "item_id": None,
            "added_by": reviewer.id,
            "added_at": utcnow(),
            "removed_at": None,
            "note": note.strip(),
        }
        values[column] = target
        conn.execute(insert(_members), values)
        _event(
            conn,
            reviewer,
            "add_" + kind,
            inv_id,
            {"investigation_member": [snapshot("investigation_member", values)]},
        )
    note_appended(db)
    return MemberResult(values["id"], True, label)


def _case_label(session: Session, case_id: uuid.UUID) -> str:
    found = session.execute(select(Case.external_id).where(Case.id == case_id)).scalar_one_or_none()
    if found is None:
        raise InvestigationError("no such case")
    return str(found)


def _account_label(session: Session, account_id: uuid.UUID) -> str:
    found = session.execute(select(Account.platform, Account.handle).where(Account.id == account_id)).first()
    if found is None:
        raise InvestigationError("no such account")
    return f"{found.platform}:{found.handle}"


def _item_label(session: Session, item_id: uuid.UUID) -> str:
    found = session.execute(
        select(Case.external_id, Item.position).join(Case, Case.id == Item.case_id).where(Item.id == item_id)
    ).first()
    if found is None:
        raise InvestigationError("no such item")
    return f"{found.external_id} item {found.position + 1}"


def add_case(
    db: Database, reviewer: Reviewer, inv_id: uuid.UUID, case_id: uuid.UUID, note: str = ""
) -> MemberResult:
    return _add_member(db, reviewer, inv_id, "case", case_id, note, _case_label)


def add_account(
    db: Database, reviewer: Reviewer, inv_id: uuid.UUID, account_id: uuid.UUID, note: str = ""
) -> MemberResult:
    return _add_member(db, reviewer, inv_id, "account", account_id, note, _account_label)


def add_item(
    db: Database, reviewer: Reviewer, inv_id: uuid.UUID, item_id: uuid.UUID, note: str = ""
) -> MemberResult:
    return _add_member(db, reviewer, inv_id, "item", item_id, note, _item_label)


def remove_member(db: Database, reviewer: Reviewer, inv_id: uuid.UUID, member_id: uuid.UUID) -> bool:
    """Mark a member removed (the row stays); False when it was removed already."""
    with db.write() as session:
        conn = session.connection()
        lock_chain(conn)
        _locked_investigation(conn, inv_id)
        done = conn.execute(
            update(_members)
            .where(
                and_(
                    _members.c.id == member_id,
                    _members.c.investigation_id == inv_id,
                    _members.c.removed_at.is_(None),
                )
            )
            .values(removed_at=utcnow())
        )
        if not done.rowcount:
            return False
        row = _row(conn, _members, member_id)
        _event(
            conn,
            reviewer,
            "remove_member",
            inv_id,
            {"investigation_member": [snapshot("investigation_member", row)]},
        )
    note_appended(db)
    return True


def add_note(
    db: Database, reviewer: Reviewer, inv_id: uuid.UUID, body: str, case_id: uuid.UUID | None = None
) -> uuid.UUID:
    """A note on the investigation (optionally about one case); its id."""
    body = body.strip()
    if not body:
        raise InvestigationError("a note needs some text")
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "investigation_id": inv_id,
        "author_id": reviewer.id,
        "body": body,
        "created_at": utcnow(),
        "case_id": case_id,
    }
    with db.write() as session:
        conn = session.connection()
        lock_chain(conn)
        _locked_investigation(conn, inv_id)
        if case_id is not None:
            _case_label(session, case_id)
        conn.execute(insert(_notes), values)
        _event(
            conn, reviewer, "note", inv_id, {"investigation_note": [snapshot("investigation_note", values)]}
        )
    note_appended(db)
    return uuid.UUID(str(values["id"]))


def _update_head(
    db: Database,
    reviewer: Reviewer,
    inv_id: uuid.UUID,
    verb: str,
    changes: Mapping[str, Any],
    *,
    must_be_open: bool,
    expected: datetime | None = None,
    want_status: str | None = None,
) -> datetime:
    with db.write() as session:
        conn = session.connection()
        lock_chain(conn)
        row = _locked_investigation(conn, inv_id, must_be_open=must_be_open)
        if want_status is not None and row["status"] != want_status:
            raise InvestigationError(f"investigation '{row['title']}' is {row['status']} already")
        if expected is not None and row["updated_at"] != expected:
            raise StaleFindings(
                f"investigation '{row['title']}' was changed since you opened it; reload it before saving"
            )
        updated_at = _later(row["updated_at"])
        conn.execute(update(_inv).where(_inv.c.id == inv_id).values(**changes, updated_at=updated_at))
        new = _row(conn, _inv, inv_id)
        _event(conn, reviewer, verb, inv_id, {"investigation": [snapshot("investigation", new)]})
    note_appended(db)
    return updated_at


def save_findings(
    db: Database, reviewer: Reviewer, inv_id: uuid.UUID, findings: Findings, *, expected_updated_at: datetime
) -> datetime:
    """Store the head and narrative; refused on a closed investigation, and (``StaleFindings``) when its
    ``updated_at`` is no longer ``expected_updated_at`` (the value read with the text being saved).
    Returns the new ``updated_at`` (the next save's expected value)."""
    changes = {name: getattr(findings, name) for name in Findings.FIELDS}
    return _update_head(
        db, reviewer, inv_id, "findings", changes, must_be_open=True, expected=expected_updated_at
    )


def rename_investigation(db: Database, reviewer: Reviewer, inv_id: uuid.UUID, title: str) -> datetime:
    return _update_head(db, reviewer, inv_id, "rename", {"title": _clean_title(title)}, must_be_open=True)


def close_investigation(db: Database, reviewer: Reviewer, inv_id: uuid.UUID) -> datetime:
    return _update_head(
        db, reviewer, inv_id, "close", {"status": "closed"}, must_be_open=False, want_status="open"
    )


def reopen_investigation(db: Database, reviewer: Reviewer, inv_id: uuid.UUID) -> datetime:
    return _update_head(
        db, reviewer, inv_id, "reopen", {"status": "open"}, must_be_open=False, want_status="closed"
    )


#: The brief's short name.
reopen = reopen_investigation
