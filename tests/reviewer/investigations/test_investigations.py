"""Investigations core: each write, its refusals, and the audit log after a sequence of them."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from reviewer.audit import verify
from reviewer.identity import ensure_reviewer
from reviewer.investigations import (
    Findings,
    InvestigationClosed,
    InvestigationError,
    InvestigationNotFound,
    StaleFindings,
    account_of_case,
    add_account,
    add_case,
    add_item,
    add_note,
    close_investigation,
    create_investigation,
    find_investigation,
    get_investigation,
    investigations_of_case,
    list_investigations,
    remove_member,
    reopen,
    save_findings,
)
from reviewer.models import AuditEvent, InvestigationMember, Item, Reviewer
from reviewer.storage.database import Database

MakeCases = Callable[..., list[uuid.UUID]]


def _kinds(db: Database) -> list[str]:
    with db.read() as s:
        return list(
            s.execute(select(AuditEvent.kind).order_by(AuditEvent.created_at, AuditEvent.seq)).scalars()
        )


def test_create_add_and_view(db: Database, reviewer_row: Reviewer, make_cases: MakeCases) -> None:
    a, b = make_cases(2)
    inv = create_investigation(db, reviewer_row, "  Ring of   accounts ")
    first = add_case(db, reviewer_row, inv, a, note="seed")
    again = add_case(db, reviewer_row, inv, a)
    assert first.added and not again.added and again.member_id == first.member_id
    account = account_of_case(db, b)
    assert account is not None
    assert add_account(db, reviewer_row, inv, account).added
    with db.read() as s:
        item_id = s.execute(select(Item.id).where(Item.case_id == b)).scalar_one()
    added_item = add_item(db, reviewer_row, inv, item_id)
    assert added_item.added and added_item.label.endswith("item 1")
    add_note(db, reviewer_row, inv, "first look", case_id=a)

    view = get_investigation(db, inv)
    assert view.title == "Ring of accounts" and view.status == "open" and view.created_by == "tester"
    assert [m.kind for m in view.members] == ["case", "account", "item"]
    assert view.members[0].label == first.label and view.members[0].channel == "partner"
    assert view.members[1].label.startswith("photoapp:@acct")
    assert [n.body for n in view.notes] == ["first look"] and view.notes[0].external_id == first.label
    [summary] = list_investigations(db)
    assert (summary.members, summary.notes) == (3, 1)
    assert _kinds(db)[-5:] == [
        "investigation.create",
        "investigation.add_case",
        "investigation.add_account",
        "investigation.add_item",
        "investigation.note",
    ]
    assert verify(db).ok


def test_remove_member_keeps_the_row(db: Database, reviewer_row: Reviewer, make_cases: MakeCases) -> None:
    [a] = make_cases(1)
    inv = create_investigation(db, reviewer_row, "x")
    member = add_case(db, reviewer_row, inv, a)
    assert remove_member(db, reviewer_row, inv, member.member_id)
    assert not remove_member(db, reviewer_row, inv, member.member_id)
    assert get_investigation(db, inv).members == ()
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(InvestigationMember)).scalar() == 1
    # Added again after removal: a new member row.
    assert add_case(db, reviewer_row, inv, a).added
    assert verify(db).ok


def test_findings_stale_and_closed(db: Database, reviewer_row: Reviewer) -> None:
    inv = create_investigation(db, reviewer_row, "findings")
    read = get_investigation(db, inv).updated_at
    text = Findings(summary="S", risk_assessment="high", findings_md="# Heading\n\nbody")
    saved = save_findings(db, reviewer_row, inv, text, expected_updated_at=read)
    assert saved > read
    assert get_investigation(db, inv).findings == text
    with pytest.raises(StaleFindings):
        save_findings(db, reviewer_row, inv, Findings(summary="late"), expected_updated_at=read)
    assert get_investigation(db, inv).findings == text
    close_investigation(db, reviewer_row, inv)
    closed = get_investigation(db, inv)
    with pytest.raises(InvestigationClosed):
        save_findings(db, reviewer_row, inv, Findings(), expected_updated_at=closed.updated_at)
    with pytest.raises(InvestigationClosed):
        add_note(db, reviewer_row, inv, "no")
    with pytest.raises(InvestigationError):
        close_investigation(db, reviewer_row, inv)
    assert [i.id for i in list_investigations(db, status="closed")] == [inv]
    assert list_investigations(db, status="open") == []
    reopen(db, reviewer_row, inv)
    assert get_investigation(db, inv).is_open
    assert verify(db).ok


def test_refusals(db: Database, reviewer_row: Reviewer) -> None:
    with pytest.raises(InvestigationError):
        create_investigation(db, reviewer_row, "   ")
    with pytest.raises(InvestigationError):
        create_investigation(db, reviewer_row, "x" * 201)
    inv = create_investigation(db, reviewer_row, "r")
    with pytest.raises(InvestigationError):
        add_case(db, reviewer_row, inv, uuid.uuid4())
    with pytest.raises(InvestigationError):
        add_note(db, reviewer_row, inv, "  ")
    with pytest.raises(InvestigationNotFound):
        get_investigation(db, uuid.uuid4())
    with pytest.raises(InvestigationNotFound):
        add_note(db, reviewer_row, uuid.uuid4(), "text")
    assert verify(db).ok


def test_edited_row_fails_verify(db: Database, reviewer_row: Reviewer) -> None:
    create_investigation(db, reviewer_row, "tamper")
    assert verify(db).ok
    with db.write() as s:
        s.connection().exec_driver_sql("UPDATE investigation SET summary = 'edited'")
    assert not verify(db).ok


def test_investigations_of_case_and_find(db: Database, reviewer_row: Reviewer, make_cases: MakeCases) -> None:
    a, b = make_cases(2)  # same account
    [other] = make_cases(1)
    by_case = create_investigation(db, reviewer_row, "by case")
    add_case(db, reviewer_row, by_case, a)
    by_account = create_investigation(db, reviewer_row, "by account")
    account = account_of_case(db, b)
    assert account is not None
    add_account(db, reviewer_row, by_account, account)
    assert {i.id for i in investigations_of_case(db, a)} == {by_case, by_account}
    assert {i.id for i in investigations_of_case(db, b)} == {by_account}
    assert investigations_of_case(db, other) == []

    assert find_investigation(db, by_case.hex[:6]) == by_case
    assert find_investigation(db, str(by_account)) == by_account
    assert find_investigation(db, "by case") == by_case
    with pytest.raises(InvestigationNotFound):
        find_investigation(db, "nothing")
    twin = create_investigation(db, reviewer_row, "by case")
    assert twin != by_case
    with pytest.raises(InvestigationError, match="matches 2"):
        find_investigation(db, "by case")


def test_other_reviewer_is_the_actor(db: Database, reviewer_row: Reviewer) -> None:
    other = ensure_reviewer(db, "second")
    create_investigation(db, other, "theirs")
    with db.read() as s:
        actor = s.execute(
            select(AuditEvent.actor).where(AuditEvent.kind == "investigation.create")
        ).scalar_one()
    assert actor == "second"
    assert list_investigations(db)[0].created_by == "second"
