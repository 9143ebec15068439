"""Reading investigations: the list, one investigation with its members and notes, and lookups by the
references a person types (an id prefix or a title, a case's external id, ``platform:handle``)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from reviewer.investigations.views import (
    Findings,
    InvestigationError,
    InvestigationNotFound,
    InvestigationSummary,
    InvestigationView,
    MemberView,
    NoteView,
)
from reviewer.models import (
    Account,
    Case,
    Channel,
    Investigation,
    InvestigationMember,
    InvestigationNote,
    Item,
    Reviewer,
)
from reviewer.storage.database import Database

#: The shortest id prefix that names an investigation.
MIN_PREFIX = 6


def list_investigations(db: Database, status: str | None = None) -> list[InvestigationSummary]:
    """Investigations (all, or those with ``status``), the most recently changed first."""
    members = (
        select(InvestigationMember.investigation_id, func.count().label("n"))
        .where(InvestigationMember.removed_at.is_(None))
        .group_by(InvestigationMember.investigation_id)
        .subquery()
    )
    notes = (
        select(InvestigationNote.investigation_id, func.count().label("n"))
        .group_by(InvestigationNote.investigation_id)
        .subquery()
    )
    stmt = (
        select(Investigation, Reviewer.handle, members.c.n.label("members"), notes.c.n.label("notes"))
        .join(Reviewer, Reviewer.id == Investigation.created_by)
        .outerjoin(members, members.c.investigation_id == Investigation.id)
        .outerjoin(notes, notes.c.investigation_id == Investigation.id)
        .order_by(Investigation.updated_at.desc(), Investigation.id)
    )
    if status is not None:
        stmt = stmt.where(Investigation.status == status)
    with db.read() as s:
        rows = s.execute(stmt).all()
    return [
        InvestigationSummary(
            inv.id, inv.title, inv.status, handle, inv.created_at, inv.updated_at, int(m or 0), int(n or 0)
        )
        for inv, handle, m, n in rows
    ]


def _members(s: Session, inv_id: uuid.UUID) -> tuple[MemberView, ...]:
    item_case = aliased(Case)
    adder = aliased(Reviewer)
    rows = s.execute(
        select(
            InvestigationMember,
            adder.handle,
            Account.platform,
            Account.handle.label("account_handle"),
            Case.external_id,
            Channel.code,
            Item.position,
            item_case.external_id.label("item_external_id"),
        )
        .join(adder, adder.id == InvestigationMember.added_by)
        .outerjoin(Account, Account.id == InvestigationMember.account_id)
        .outerjoin(Item, Item.id == InvestigationMember.item_id)
        .outerjoin(item_case, item_case.id == Item.case_id)
        .outerjoin(Case, Case.id == InvestigationMember.case_id)
        .outerjoin(Channel, Channel.id == func.coalesce(Case.channel_id, item_case.channel_id))
        .where(InvestigationMember.investigation_id == inv_id, InvestigationMember.removed_at.is_(None))
        .order_by(InvestigationMember.added_at, InvestigationMember.id)
    ).all()
    found = []
    for r in rows:
        m = r[0]
        if m.kind == "account":
            label = f"{r.platform}:{r.account_handle}"
        elif m.kind == "item":
            label = f"{r.item_external_id} item {(r.position or 0) + 1}"
        else:
            label = str(r.external_id)
        found.append(
            MemberView(
                m.id,
                m.kind,
                label,
                m.account_id,
                m.case_id or None,
                m.item_id,
                r.code or "",
                r.handle,
                m.added_at,
                m.note,
            )
        )
    return tuple(found)


def _notes(s: Session, inv_id: uuid.UUID) -> tuple[NoteView, ...]:
    rows = s.execute(
        select(InvestigationNote, Reviewer.handle, Case.external_id)
        .join(Reviewer, Reviewer.id == InvestigationNote.author_id)
        .outerjoin(Case, Case.id == InvestigationNote.case_id)
        .where(InvestigationNote.investigation_id == inv_id)
        .order_by(InvestigationNote.created_at, InvestigationNote.id)
    ).all()
    return tuple(
        NoteView(n.id, handle, n.body, n.created_at, n.case_id, ext or "") for n, handle, ext in rows
    )


def get_investigation(db: Database, inv_id: uuid.UUID) -> InvestigationView:
    """One investigation: head, findings, current members (oldest first), notes (oldest first)."""
    with db.read() as s:
        found = s.execute(
            select(Investigation, Reviewer.handle)
            .join(Reviewer, Reviewer.id == Investigation.created_by)
            .where(Investigation.id == inv_id)
        ).first()
        if found is None:
            raise InvestigationNotFound("no such investigation")
        inv, handle = found
        findings = Findings(**{name: getattr(inv, name) for name in Findings.FIELDS})
        return InvestigationView(
            inv.id,
            inv.title,
            inv.status,
            handle,
            inv.created_at,
            inv.updated_at,
            findings,
            _members(s, inv_id),
            _notes(s, inv_id),
        )


def investigations_of_case(db: Database, case_id: uuid.UUID) -> list[InvestigationSummary]:
    """Investigations the case belongs to: as a member, through one of its items, or through its account."""
    with db.read() as s:
        account_id = s.execute(select(Case.account_id).where(Case.id == case_id)).scalar_one_or_none()
        item_ids = select(Item.id).where(Item.case_id == case_id)
        cond = (InvestigationMember.case_id == case_id) | InvestigationMember.item_id.in_(item_ids)
        if account_id is not None:
            cond = cond | (InvestigationMember.account_id == account_id)
        ids = set(
            s.execute(
                select(InvestigationMember.investigation_id).where(
                    cond, InvestigationMember.removed_at.is_(None)
                )
            ).scalars()
        )
    return [inv for inv in list_investigations(db) if inv.id in ids]


def find_investigation(db: Database, ref: str) -> uuid.UUID:
    """The investigation ``ref`` names: an id prefix of at least :data:`MIN_PREFIX` characters, or an exact
    title. ``InvestigationError`` (one line) when none or several match."""
    ref = ref.strip()
    if not ref:
        raise InvestigationError("name an investigation by its id (at least 6 characters) or its title")
    with db.read() as s:
        matches: list[Any] = []
        hexed = ref.lower().replace("-", "")
        if len(hexed) >= MIN_PREFIX and all(c in "0123456789abcdef" for c in hexed):
            ids = s.execute(select(Investigation.id)).scalars()
            matches = [i for i in ids if i.hex.startswith(hexed)]
        if not matches:
            matches = list(s.execute(select(Investigation.id).where(Investigation.title == ref)).scalars())
    if not matches:
        raise InvestigationNotFound(f"no investigation matches {ref!r}")
    if len(matches) > 1:
        raise InvestigationError(f"{ref!r} matches {len(matches)} investigations; give more of the id")
    return uuid.UUID(str(matches[0]))


def find_case(db: Database, external_id: str) -> uuid.UUID:
    with db.read() as s:
        found = s.execute(select(Case.id).where(Case.external_id == external_id)).scalar_one_or_none()
    if found is None:
        raise InvestigationError(f"no case {external_id!r}")
    return found


def find_account(db: Database, platform_handle: str) -> uuid.UUID:
    """The account ``platform:handle`` names."""
    platform, sep, handle = platform_handle.partition(":")
    if not sep or not platform or not handle:
        raise InvestigationError(f"name an account as PLATFORM:HANDLE, not {platform_handle!r}")
    with db.read() as s:
        found = s.execute(
            select(Account.id).where(Account.platform == platform, Account.handle == handle)
        ).scalar_one_or_none()
    if found is None:
        raise InvestigationError(f"no account {platform_handle!r}")
    return found


def account_of_case(db: Database, case_id: uuid.UUID) -> uuid.UUID | None:
    with db.read() as s:
        return s.execute(select(Case.account_id).where(Case.id == case_id)).scalar_one_or_none()
