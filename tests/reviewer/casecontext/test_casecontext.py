"""The account timeline and the related cases, against real rows."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import update

from reviewer.casecontext import account_timeline, related_cases
from reviewer.clock import utcnow
from reviewer.decisions import record_decision
from reviewer.models import Account, Case, Item, Reviewer
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database

SHA = "ab" * 32
PHASH = "0f" * 32
PHASH_NEAR = "0e" + "0f" * 31  # one bit apart
PHASH_FAR = "f0" * 32


def _move(db: Database, case_id: uuid.UUID, **values: object) -> None:
    with db.write() as s:
        s.execute(update(Case).where(Case.id == case_id).values(**values))


def _account_of(db: Database, case_id: uuid.UUID) -> uuid.UUID:
    with db.read() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.account_id is not None
        return case.account_id


def test_timeline_lists_every_case_and_decision_of_the_account_newest_first(
    db: Database, make_cases: Callable[..., list[uuid.UUID]], reviewer_row: Reviewer, pack: PolicyPack
) -> None:
    first, second = make_cases(2, channel="partner")
    (third,) = make_cases(1, channel="app", category="spam")
    (stranger,) = make_cases(1)
    account = _account_of(db, first)
    now = utcnow()
    _move(db, first, created_at=now - timedelta(days=3))
    _move(db, second, created_at=now - timedelta(days=2))
    _move(db, third, created_at=now - timedelta(days=1), account_id=account)
    record_decision(
        db, case_id=first, reviewer=reviewer_row, action="remove", policy_code="VIO-1", pack=pack,
        note="graphic, no news value",
    )  # fmt: skip

    timeline = account_timeline(db, second)

    assert [(e.case_id, e.action) for e in timeline] == [
        (first, "remove"), (third, None), (second, None), (first, None),
    ]  # fmt: skip
    decision = timeline[0]
    assert decision.case_id == first and decision.policy_code == "VIO-1"
    assert decision.note == "graphic, no news value" and decision.reviewer == "tester"
    assert [e.case_id for e in timeline[1:]] == [third, second, first]
    assert {e.channel for e in timeline} == {"partner", "app"}
    assert stranger not in {e.case_id for e in timeline}


def test_timeline_is_bounded_and_empty_without_an_account(
    db: Database, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    ids = make_cases(5)
    assert len(account_timeline(db, ids[0], limit=3)) == 3
    _move(db, ids[0], account_id=None)
    assert account_timeline(db, ids[0]) == []
    assert account_timeline(db, uuid.uuid4()) == []


def test_related_cases_by_media_account_and_reporter_each_once(
    db: Database, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    me, sibling = make_cases(2, with_image=SHA)  # same account and the same media
    (copy,) = make_cases(1, with_image=SHA)
    (near, far) = make_cases(2)
    (reported,) = make_cases(1)
    (unrelated,) = make_cases(1)
    with db.write() as s:
        s.execute(update(Item).where(Item.media_sha256 == SHA).values(phash=PHASH))
        s.add(Item(case_id=near, kind="image", media_sha256="cd" * 32, phash=PHASH_NEAR, position=1))
        s.add(Item(case_id=far, kind="image", media_sha256="ef" * 32, phash=PHASH_FAR, position=1))
    _move(db, me, reporter="trusted-flagger-7")
    _move(db, reported, reporter="trusted-flagger-7")

    related = {r.case_id: r.reasons for r in related_cases(db, me)}

    assert related == {
        sibling: ("same media", "same account"),
        copy: ("same media",),
        near: ("similar media",),
        reported: ("same reporter",),
    }
    assert me not in related and far not in related and unrelated not in related
    assert [r.case_id for r in related_cases(db, me)][-1] == reported  # strongest reason first
    fast = {r.case_id: r.reasons for r in related_cases(db, me, near=False)}  # no PDQ scan
    assert fast == {k: v for k, v in related.items() if k != near}


def test_related_cases_are_bounded_and_ignore_an_empty_reporter(
    db: Database, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    ids = make_cases(6)
    (other,) = make_cases(1)
    assert len(related_cases(db, ids[0], limit=2)) == 2
    with db.write() as s:
        s.execute(update(Account).values(risk_score=0.1))
    assert other not in {r.case_id for r in related_cases(db, ids[0])}  # both reporters are ""
    assert related_cases(db, uuid.uuid4()) == []


def test_rationales_and_notes_show_in_the_history_and_the_timeline(
    db: Database, make_cases: Callable[..., list[uuid.UUID]], reviewer_row: Reviewer, pack: PolicyPack
) -> None:
    from reviewer.casefile import load_case

    (case_id,) = make_cases(1)
    record_decision(
        db, case_id=case_id, reviewer=reviewer_row, action="note", policy_code=None, pack=pack,
        rationale="account linked to the earlier brigading report",
    )  # fmt: skip
    record_decision(
        db, case_id=case_id, reviewer=reviewer_row, action="remove", policy_code="VIO-1", pack=pack,
        rationale="credible threat naming a school",
    )  # fmt: skip

    view = load_case(db, case_id)
    assert view is not None
    assert [h.note for h in view.history] == [
        "account linked to the earlier brigading report", "credible threat naming a school",
    ]  # fmt: skip
    said = {e.note for e in account_timeline(db, case_id) if e.action}
    assert said == {"account linked to the earlier brigading report", "credible threat naming a school"}
