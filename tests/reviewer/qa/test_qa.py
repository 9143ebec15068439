"""Blind second review in the core: the sample (deterministic, at its rate), the blind queue, the second
reviewer differing from the first, agreement, and a lead's adjudication as a decision; every write audited."""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from reviewer.audit.verify import verify
from reviewer.clock import utcnow
from reviewer.decisions import record_decision, undo_last
from reviewer.identity import ensure_reviewer, set_role
from reviewer.models import Decision, QaReview, Reviewer, table_of
from reviewer.policy import PolicyPack
from reviewer.qa.reviews import adjudicate, list_items, qa_queue, record_verdict
from reviewer.qa.sampling import (
    DEFAULT_RATE,
    QaError,
    in_sample,
    rate_for,
    sample_new_decisions,
    set_rate,
)
from reviewer.storage.database import Database


def _lead(db: Database, handle: str = "lena") -> Reviewer:
    ensure_reviewer(db, handle)
    return set_role(db, handle, "lead", actor="test")


def _decided(db: Database, pack: PolicyPack, case_id: uuid.UUID, who: Reviewer) -> uuid.UUID:
    return record_decision(
        db, case_id=case_id, reviewer=who, action="remove", policy_code="VIO-1", pack=pack
    ).decision_id


def test_the_sample_rate_holds_within_its_confidence_bound_on_10000_decisions(
    db: Database, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    cases = make_cases(20)
    me = ensure_reviewer(db, "tester")
    rng = random.Random(16)
    now = utcnow()
    rows = [
        {
            "id": uuid.UUID(int=rng.getrandbits(128), version=4),
            "case_id": cases[i % len(cases)],
            "reviewer_id": me.id,
            "action": "keep",
            "tier": 1,
            "note": "",
            "handle_ms": 0,
            "revealed": False,
            "rationale": "",
            "created_at": now + timedelta(microseconds=i),
        }
        for i in range(10_000)
    ]
    with db.write() as s:
        s.connection().execute(insert(table_of(Decision)), rows)
    result = sample_new_decisions(db)
    n, p = 10_000, DEFAULT_RATE
    bound = 3.29 * math.sqrt(n * p * (1 - p))  # two-sided 99.9 % normal bound on a binomial count
    assert result.considered == n
    assert abs(result.sampled - n * p) <= bound, (result.sampled, n * p, bound)
    with db.read() as s:
        sampled = set(s.execute(select(QaReview.decision_id)).scalars())
    assert sampled == {r["id"] for r in rows if in_sample(r["id"], p)}  # the rule, and only it
    assert sample_new_decisions(db).sampled == 0  # idempotent: nothing twice


def test_a_rate_for_a_policy_and_channel_wins_over_the_wider_ones(db: Database) -> None:
    set_rate(db, 0.2, actor="test")
    set_rate(db, 0.5, actor="test", policy_code="VIO-1")
    set_rate(db, 0.9, actor="test", policy_code="VIO-1", channel_code="partner")
    from reviewer.qa.sampling import current_rates

    rates = {(r.policy_code, r.channel_code): r.rate for r in current_rates(db)}
    assert rate_for(rates, "VIO-1", "partner") == 0.9
    assert rate_for(rates, "VIO-1", "web") == 0.5
    assert rate_for(rates, "HAT-1", "web") == 0.2
    assert rate_for({}, "HAT-1", "web") == DEFAULT_RATE
    with pytest.raises(QaError, match="fraction from 0 to 1"):
        set_rate(db, 5, actor="test")


def test_second_review_is_blind_by_another_reviewer_and_a_lead_adjudicates(
    db: Database, pack: PolicyPack, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    set_rate(db, 1.0, actor="test")
    first, second, lead = ensure_reviewer(db, "tester"), ensure_reviewer(db, "sam"), _lead(db)
    a, b = make_cases(2)
    da, db_ = _decided(db, pack, a, first), _decided(db, pack, b, first)
    assert qa_queue(db, first) == []  # never one's own decisions
    tasks = qa_queue(db, second)
    assert {t.case_id for t in tasks} == {a, b}
    assert not any(hasattr(t, "first_action") or hasattr(t, "first_reviewer") for t in tasks)  # blind
    item_a = next(t.id for t in tasks if t.case_id == a)
    item_b = next(t.id for t in tasks if t.case_id == b)
    with pytest.raises(QaError, match="another reviewer"):
        record_verdict(db, item_a, reviewer=first, action="remove", policy_code="VIO-1", pack=pack)
    agreed = record_verdict(db, item_a, reviewer=second, action="remove", policy_code="VIO-2", pack=pack)
    assert agreed.status == "agreed" and agreed.agreed and agreed.policy_match is False
    with pytest.raises(QaError, match="agreed already"):
        record_verdict(db, item_a, reviewer=second, action="keep", pack=pack)
    differs = record_verdict(db, item_b, reviewer=second, action="keep", pack=pack)
    assert differs.status == "disagreed" and differs.agreed is False
    assert [i.id for i in list_items(db, status="disagreed")] == [item_b]
    with pytest.raises(QaError, match="not a lead"):
        adjudicate(db, item_b, lead=second, action="keep", note="fine")
    done = adjudicate(db, item_b, lead=lead, action="keep", note="satire, no threat")
    assert done.status == "adjudicated" and done.adjudicated_by == "lena"
    with db.read() as s:
        made = s.get(Decision, done.adjudication_decision_id)
        undone = s.execute(select(Decision.reverses_id).where(Decision.reverses_id == db_)).scalar()
    assert made is not None and made.action == "keep" and made.reviewer_id == lead.id
    assert undone == db_  # the first decision was replaced (an override), never edited
    assert da not in {i.adjudication_decision_id for i in list_items(db)}
    assert verify(db).ok


def test_a_confirming_adjudication_is_a_new_decision_beside_the_first(
    db: Database, pack: PolicyPack, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    set_rate(db, 1.0, actor="test")
    first, second, lead = ensure_reviewer(db, "tester"), ensure_reviewer(db, "sam"), _lead(db)
    (a,) = make_cases(1)
    original = _decided(db, pack, a, first)
    (task,) = qa_queue(db, second)
    record_verdict(db, task.id, reviewer=second, action="keep", pack=pack)
    done = adjudicate(
        db, task.id, lead=lead, action="remove", policy_code="VIO-1", pack=pack, note="first was right"
    )
    with db.read() as s:
        undos = s.execute(select(Decision.id).where(Decision.reverses_id == original)).all()
    assert undos == [] and done.adjudication_decision_id not in (None, original)
    assert verify(db).ok


def test_an_undone_decision_leaves_the_sample(
    db: Database, pack: PolicyPack, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    set_rate(db, 1.0, actor="test")
    first, second = ensure_reviewer(db, "tester"), ensure_reviewer(db, "sam")
    (a,) = make_cases(1)
    _decided(db, pack, a, first)
    assert len(qa_queue(db, second)) == 1
    undo_last(db, reviewer=first, session_id=None)
    assert qa_queue(db, second) == []
    assert [i.status for i in list_items(db)] == ["withdrawn"]
