"""The hand-off note an escalation must carry, and who holds an escalation and why (escalation_of),
its tier SLA with an injected clock, and the list of open escalations."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from reviewer.conflicts import DecisionError
from reviewer.decisions import record_decision, record_decision_in, undo_last
from reviewer.escalations import escalation_line, escalation_of, open_escalations
from reviewer.identity import ensure_reviewer, start_session
from reviewer.leases import try_claim
from reviewer.models import Decision, Reviewer
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from reviewer.tiers import HandoffNoteRequired, check_handoff_note, needs_handoff_note

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
Cases = Callable[..., list[uuid.UUID]]


def _decisions(db: Database) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(Decision.action)))


@pytest.mark.parametrize("note", ["", "   \n\t "])
def test_an_escalation_without_a_hand_off_note_is_refused_and_writes_nothing(
    db: Database, make_cases: Cases, reviewer_row: Reviewer, pack: PolicyPack, note: str
) -> None:
    (cid,) = make_cases(1)
    with pytest.raises(HandoffNoteRequired, match="an escalation needs a hand-off note"):
        record_decision(db, case_id=cid, reviewer=reviewer_row, action="escalate", rationale=note, pack=pack)
    with pytest.raises(DecisionError, match="hand-off note"), db.write() as session:  # inside a bulk write
        record_decision_in(session, case_id=cid, reviewer=reviewer_row, action="escalate", rationale=note)
    assert _decisions(db) == []
    record_decision(db, case_id=cid, reviewer=reviewer_row, action="escalate", rationale=" why ", pack=pack)
    with db.read() as s:
        assert s.execute(select(Decision.rationale)).scalar_one() == "why"


def test_only_an_escalation_needs_a_hand_off_note() -> None:
    assert needs_handoff_note("escalate")
    assert not any(needs_handoff_note(a) for a in ("keep", "remove", "skip", "note", "undo"))
    check_handoff_note("keep", "")  # nothing to say: no error
    with pytest.raises(HandoffNoteRequired):
        check_handoff_note("escalate", " ")


def test_escalation_of_says_where_who_why_and_the_tier_sla(
    db: Database, make_cases: Cases, reviewer_row: Reviewer, pack: PolicyPack
) -> None:
    a, b = make_cases(2)
    assert escalation_of(db, a, pack) is None  # never escalated
    record_decision(db, case_id=a, reviewer=reviewer_row, action="escalate", rationale="organised\nnetwork?",
                    pack=pack, now=T0)  # fmt: skip
    esc = escalation_of(db, a, pack, now=T0 + timedelta(hours=2))
    assert esc is not None
    assert (esc.case_id, esc.tier, esc.tier_name, esc.from_tier) == (a, 2, "Tier 2 — senior review", 1)
    assert (esc.escalated_at, esc.escalated_by, esc.note) == (T0, "tester", "organised\nnetwork?")
    assert esc.case_status == "escalated" and esc.open
    assert esc.sla_deadline == T0 + timedelta(hours=pack.tier(2).sla_hours)  # 8 h in the shipped pack
    assert esc.sla_left == timedelta(hours=6) and not esc.overdue
    assert esc.holder is None and not esc.held  # the decision left the case unheld
    line = escalation_line(esc)
    assert line == (
        "Tier 2 — senior review · escalated by tester 2 h 00 min ago: «organised network?» · not held · "
        "tier SLA 6 h 00 min left"
    )
    late = esc.as_of(T0 + timedelta(hours=8, minutes=25))
    assert late.overdue and late.sla_left == -timedelta(minutes=25)
    assert escalation_line(late).endswith("tier SLA overdue by 25 min")
    assert escalation_of(db, a, pack, now=T0 + timedelta(hours=8)).overdue  # type: ignore[union-attr]
    assert escalation_of(db, b, pack) is None


def test_the_holder_is_the_session_that_claimed_the_case_and_a_decision_stops_the_sla(
    db: Database, make_cases: Cases, reviewer_row: Reviewer, pack: PolicyPack
) -> None:
    (cid,) = make_cases(1)
    record_decision(db, case_id=cid, reviewer=reviewer_row, action="escalate", to_tier=3,
                    rationale="legal question", pack=pack, now=T0)  # fmt: skip
    bob = ensure_reviewer(db, "bob\u202eevil")
    session = start_session(db, bob, now=T0 + timedelta(minutes=5))
    assert try_claim(db, cid, session, now=T0 + timedelta(minutes=5)).ok
    esc = escalation_of(db, cid, pack, now=T0 + timedelta(minutes=10))
    assert esc is not None and esc.tier == 3 and esc.tier_name == "Policy / Legal" and esc.from_tier == 1
    assert esc.holder == "bob\u202eevil" and esc.held
    assert esc.lease_expires_at == T0 + timedelta(minutes=20)
    assert "held by bob⟨U+202E⟩evil until 09:20 UTC" in escalation_line(esc)  # hidden characters shown
    assert not esc.as_of(T0 + timedelta(minutes=21)).held  # the lease ran out
    record_decision(db, case_id=cid, reviewer=bob, action="keep", session_id=session, pack=pack,
                    policy_code="NV-0", now=T0 + timedelta(days=3))  # fmt: skip
    done = escalation_of(db, cid, pack, now=T0 + timedelta(days=4))
    assert done is not None and done.case_status == "decided" and not done.open and not done.overdue
    assert escalation_line(done).endswith("tier SLA stopped (decided)")


def test_an_undone_escalation_is_gone_and_the_one_before_stands(
    db: Database, make_cases: Cases, reviewer_row: Reviewer, pack: PolicyPack
) -> None:
    (cid,) = make_cases(1)
    record_decision(
        db, case_id=cid, reviewer=reviewer_row, action="escalate", rationale="first", pack=pack, now=T0
    )
    undo_last(db, reviewer=reviewer_row, session_id=None, now=T0 + timedelta(minutes=1))
    assert escalation_of(db, cid, pack) is None
    record_decision(db, case_id=cid, reviewer=reviewer_row, action="escalate", rationale="second", pack=pack,
                    now=T0 + timedelta(minutes=2))  # fmt: skip
    with db.read() as s:  # a session is accepted too
        esc = escalation_of(s, cid, pack)
    assert esc is not None and esc.note == "second"


def test_open_escalations_by_tier_and_overdue_most_urgent_first(
    db: Database, make_cases: Cases, reviewer_row: Reviewer, pack: PolicyPack
) -> None:
    a, b, c, d = make_cases(4)
    for cid, to_tier, at in ((a, 2, T0), (b, 3, T0), (c, 2, T0 - timedelta(hours=9)), (d, 2, T0)):
        record_decision(db, case_id=cid, reviewer=reviewer_row, action="escalate", to_tier=to_tier,
                        rationale=f"note {to_tier}", pack=pack, now=at)  # fmt: skip
    lead = ensure_reviewer(db, "lead")
    session = start_session(db, lead)
    assert try_claim(db, d, session).ok
    record_decision(
        db, case_id=d, reviewer=lead, action="remove", policy_code="VIO-1", pack=pack, session_id=session
    )  # fmt: skip  (decided: no longer waiting)
    now = T0 + timedelta(hours=1)
    assert [e.case_id for e in open_escalations(db, pack, now=now)] == [c, a, b]  # c is overdue
    assert [e.case_id for e in open_escalations(db, pack, tier=2, now=now)] == [c, a]
    assert [e.case_id for e in open_escalations(db, pack, tier=3, now=now)] == [b]
    assert [e.case_id for e in open_escalations(db, pack, overdue_only=True, now=now)] == [c]
    assert open_escalations(db, pack, tier=1, now=now) == []
