"""The investigation timeline: cases of its accounts across channels, member cases, decisions (undo and
escalation shown as such), notes; oldest first, bounded."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from reviewer.clock import utcnow
from reviewer.decisions import record_decision, undo_last
from reviewer.investigations import (
    InvestigationNotFound,
    add_account,
    add_case,
    add_note,
    create_investigation,
    investigation_timeline,
)
from reviewer.models import Account, Case, Channel, Reviewer
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database


def _account_with_cases(
    db: Database, handle: str, cases: list[tuple[str, str, datetime]]
) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """An account and its cases: (external id, channel code, created_at) each."""
    ids = []
    with db.write() as s:
        account = Account(platform="photoapp", handle=handle)
        s.add(account)
        s.flush()
        for ext, code, at in cases:
            channel = s.query(Channel).filter_by(code=code).one_or_none()
            if channel is None:
                channel = Channel(code=code, name=code)
                s.add(channel)
                s.flush()
            case = Case(
                external_id=ext,
                channel_id=channel.id,
                account_id=account.id,
                category="violence",
                sla_deadline=at + timedelta(hours=1),
                created_at=at,
            )
            s.add(case)
            s.flush()
            ids.append(case.id)
        return account.id, ids


def test_merges_channels_oldest_first(db: Database, reviewer_row: Reviewer, pack: PolicyPack) -> None:
    t0 = utcnow() - timedelta(days=3)
    account, (p1, m1) = _account_with_cases(
        db, "@ring", [("P-1", "partner", t0), ("M-1", "media", t0 + timedelta(hours=2))]
    )
    _, (lone,) = _account_with_cases(db, "@other", [("S-1", "staff", t0 + timedelta(hours=1))])
    _, (unrelated,) = _account_with_cases(db, "@nobody", [("U-1", "partner", t0 + timedelta(hours=3))])
    inv = create_investigation(db, reviewer_row, "ring")
    add_account(db, reviewer_row, inv, account)
    add_case(db, reviewer_row, inv, lone)

    record_decision(
        db,
        case_id=p1,
        reviewer=reviewer_row,
        action="remove",
        policy_code="VIO-1",
        pack=pack,
        now=t0 + timedelta(hours=4),
        rationale="graphic",
    )
    record_decision(
        db,
        case_id=m1,
        reviewer=reviewer_row,
        action="escalate",
        pack=pack,
        rationale="same clip reposted: senior review",
        now=t0 + timedelta(hours=5),
    )
    record_decision(
        db, case_id=lone, reviewer=reviewer_row, action="keep", pack=pack, now=t0 + timedelta(hours=6)
    )
    undo_last(db, reviewer=reviewer_row, session_id=None, now=t0 + timedelta(hours=7))
    add_note(db, reviewer_row, inv, "same ring", case_id=m1)

    timeline = investigation_timeline(db, inv)
    got = [(e.kind, e.external_id, e.action) for e in timeline]
    assert got == [
        ("case", "P-1", ""),
        ("case", "S-1", ""),
        ("case", "M-1", ""),
        ("decision", "P-1", "remove"),
        ("escalation", "M-1", "escalate"),
        ("decision", "S-1", "keep"),
        ("decision", "S-1", "undo"),
        ("note", "M-1", ""),
    ]
    assert [e.at for e in timeline] == sorted(e.at for e in timeline)
    assert {e.channel for e in timeline if e.kind == "case"} == {"partner", "media", "staff"}
    remove = timeline[3]
    assert (remove.policy_code, remove.actor, remove.account) == ("VIO-1", "tester", "photoapp:@ring")
    assert remove.policy_version and "graphic" in remove.text
    assert timeline[6].text.startswith("undoes keep")
    assert timeline[-1].text == "same ring" and timeline[-1].channel == "media"
    assert "U-1" not in {e.external_id for e in timeline}


def test_bounded_to_the_newest(db: Database, reviewer_row: Reviewer) -> None:
    t0 = utcnow() - timedelta(days=1)
    account, _ = _account_with_cases(
        db, "@many", [(f"C-{i:03d}", "partner", t0 + timedelta(minutes=i)) for i in range(30)]
    )
    inv = create_investigation(db, reviewer_row, "many")
    add_account(db, reviewer_row, inv, account)
    timeline = investigation_timeline(db, inv, limit=10)
    assert [e.external_id for e in timeline] == [f"C-{i:03d}" for i in range(20, 30)]


def test_unknown_investigation(db: Database) -> None:
    with pytest.raises(InvestigationNotFound):
        investigation_timeline(db, uuid.uuid4())


def test_responses_are_on_the_timeline(db: Database, reviewer_row: Reviewer, pack: PolicyPack) -> None:
    from reviewer.responses.store import finalise, save_draft

    t0 = utcnow() - timedelta(hours=5)
    account, (media_case,) = _account_with_cases(db, "@press", [("MD-1", "media", t0)])
    inv = create_investigation(db, reviewer_row, "press")
    add_account(db, reviewer_row, inv, account)
    record_decision(
        db,
        case_id=media_case,
        reviewer=reviewer_row,
        action="remove",
        policy_code="VIO-1",
        pack=pack,
        now=t0 + timedelta(hours=1),
    )
    draft = save_draft(
        db,
        case_id=media_case,
        reviewer_id=reviewer_row.id,
        template_id="media-actioned",
        subject="Your escalation: action taken",
        body="Dear requester",
        now=t0 + timedelta(hours=2),
    )
    finalise(db, draft.id, reviewer_id=reviewer_row.id, now=t0 + timedelta(hours=3))

    timeline = investigation_timeline(db, inv)
    assert [(e.kind, e.action) for e in timeline] == [
        ("case", ""),
        ("decision", "remove"),
        ("response", "final"),
    ]
    response = timeline[-1]
    assert response.at == t0 + timedelta(hours=3) and response.channel == "media"
    assert response.text == "media-actioned: Your escalation: action taken" and response.actor == "tester"
