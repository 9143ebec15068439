"""Leases where decisions are written: claims, renewals, release at quit, restart, typed refusals, override."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from reviewer.audit import verify
from reviewer.clock import utcnow
from reviewer.conflicts import CaseAlreadyDecided, CaseHeld, DecisionError, NotALead
from reviewer.decisions import record_decision, undo_last
from reviewer.duplicates import apply_to_group
from reviewer.identity import end_session, ensure_reviewer, set_role, start_session
from reviewer.leases import claim_case, release_session_leases, renew_lease, try_claim
from reviewer.models import Case, Decision
from reviewer.overrides import override_decision
from reviewer.storage.database import Database


def _case(db: Database, case_id: uuid.UUID) -> Case:
    with db.read() as s:
        case = s.get(Case, case_id)
        assert case is not None
        s.expunge(case)
        return case


def test_a_decision_on_a_case_another_session_holds_is_refused_and_says_who(db, make_cases) -> None:
    (cid,) = make_cases(1)
    alice, bob = ensure_reviewer(db, "alice"), ensure_reviewer(db, "bob")
    a, b = start_session(db, alice), start_session(db, bob)
    assert claim_case(db, cid, a)
    with pytest.raises(CaseHeld) as held:
        record_decision(db, case_id=cid, reviewer=bob, action="keep", session_id=b)
    assert held.value.holder.reviewer_handle == "alice" and held.value.holder.session_id == a
    assert "alice holds this case" in str(held.value)
    record_decision(db, case_id=cid, reviewer=alice, action="keep", session_id=a)
    with pytest.raises(CaseAlreadyDecided) as decided:
        record_decision(
            db, case_id=cid, reviewer=bob, action="escalate", rationale="needs tier 2", session_id=b
        )
    standing = decided.value.standing
    assert standing is not None and standing.reviewer_handle == "alice" and standing.action == "keep"
    assert "alice decided keep" in str(decided.value)
    with db.read() as s:
        assert len(s.execute(select(Decision).where(Decision.case_id == cid)).all()) == 1
    assert verify(db).ok


def test_claims_refuse_decided_cases_and_say_why(db, make_cases) -> None:
    (cid,) = make_cases(1)
    me = ensure_reviewer(db, "alice")
    sid = start_session(db, me)
    record_decision(db, case_id=cid, reviewer=me, action="keep", session_id=sid)
    result = try_claim(db, cid, start_session(db, me))
    assert not result.ok and result.status == "decided" and result.standing is not None
    assert result.standing.reviewer_handle == "alice"


def test_an_expired_lease_taken_over_makes_the_old_holder_lose_it(db, make_cases) -> None:
    (cid,) = make_cases(1)
    alice, bob = ensure_reviewer(db, "alice"), ensure_reviewer(db, "bob")
    a, b = start_session(db, alice), start_session(db, bob)
    t0 = utcnow()
    assert claim_case(db, cid, a, lease=timedelta(minutes=1), now=t0)
    assert claim_case(db, cid, b, now=t0 + timedelta(minutes=2))  # expired: taken over
    assert not renew_lease(db, cid, a, now=t0 + timedelta(minutes=2))
    with pytest.raises(CaseHeld):
        record_decision(db, case_id=cid, reviewer=alice, action="keep", session_id=a)
    record_decision(db, case_id=cid, reviewer=bob, action="keep", session_id=b)


def test_renewal_keeps_the_lease_alive(db, make_cases) -> None:
    (cid,) = make_cases(1)
    me, other = ensure_reviewer(db, "alice"), ensure_reviewer(db, "bob")
    a, b = start_session(db, me), start_session(db, other)
    t0 = utcnow()
    assert claim_case(db, cid, a, lease=timedelta(minutes=15), now=t0)
    assert renew_lease(db, cid, a, now=t0 + timedelta(minutes=10))
    assert not claim_case(db, cid, b, now=t0 + timedelta(minutes=20))  # renewed until t0 + 25 min
    assert _case(db, cid).claim_expires_at == t0 + timedelta(minutes=25)


def test_quitting_releases_every_lease_of_the_session(db, make_cases) -> None:
    ids = make_cases(3)
    me = ensure_reviewer(db, "alice")
    sid = start_session(db, me)
    for cid in ids:
        assert claim_case(db, cid, sid)
    end_session(db, me, sid)
    assert all(_case(db, cid).claimed_by is None for cid in ids)
    assert release_session_leases(db, sid) == 0
    assert verify(db).ok


def test_after_a_restart_the_reviewers_own_leases_are_theirs_at_once(db, make_cases) -> None:
    """A crash (no end_session): the next session of the same reviewer on this workstation holds them."""
    ids = make_cases(16, priority=1)
    me, other = ensure_reviewer(db, "alice"), ensure_reviewer(db, "bob")
    before = start_session(db, me)
    for cid in ids:
        assert claim_case(db, cid, before)
    after = start_session(db, me)  # the restart
    assert all(_case(db, cid).claimed_by == after for cid in ids)
    assert all(claim_case(db, cid, after) for cid in ids)  # in the reviewer's queue at once
    record_decision(db, case_id=ids[0], reviewer=me, action="keep", session_id=after)
    someone_else = start_session(db, other)  # another reviewer adopts nothing
    assert not claim_case(db, ids[1], someone_else)
    with pytest.raises(CaseHeld):  # and the crashed session cannot decide any more
        record_decision(db, case_id=ids[2], reviewer=me, action="keep", session_id=before)
    assert verify(db).ok


def test_escalated_cases_need_an_explicit_claim(db, make_cases) -> None:
    (cid,) = make_cases(1)
    alice, bob = ensure_reviewer(db, "alice"), ensure_reviewer(db, "bob")
    a, b = start_session(db, alice), start_session(db, bob)
    record_decision(
        db, case_id=cid, reviewer=alice, action="escalate", rationale="needs tier 2", session_id=a
    )
    with pytest.raises(CaseAlreadyDecided):  # B still thinks it is open: refused
        record_decision(db, case_id=cid, reviewer=bob, action="keep", session_id=b)
    assert claim_case(db, cid, b)  # tier 2 takes it on purpose
    result = record_decision(db, case_id=cid, reviewer=bob, action="keep", session_id=b)
    assert result.case_status == "decided"


def test_undo_is_refused_when_someone_else_holds_the_reopened_case(db, make_cases) -> None:
    (cid,) = make_cases(1)
    alice, bob = ensure_reviewer(db, "alice"), ensure_reviewer(db, "bob")
    a, b = start_session(db, alice), start_session(db, bob)
    record_decision(
        db, case_id=cid, reviewer=alice, action="escalate", rationale="needs tier 2", session_id=a
    )
    assert claim_case(db, cid, b)
    with pytest.raises(CaseHeld):
        undo_last(db, reviewer=alice, session_id=a)
    assert _case(db, cid).status == "escalated"


def test_undo_reopens_the_case_for_the_undoing_session(db, make_cases) -> None:
    (cid,) = make_cases(1)
    me = ensure_reviewer(db, "alice")
    sid = start_session(db, me)
    record_decision(db, case_id=cid, reviewer=me, action="keep", session_id=sid)
    undone = undo_last(db, reviewer=me, session_id=sid)
    assert undone is not None and undone.case_status == "open"
    assert _case(db, cid).claimed_by == sid


def test_bulk_apply_refuses_a_target_another_session_holds(db, make_cases, pack) -> None:
    source, t1, t2 = make_cases(3)
    alice, bob = ensure_reviewer(db, "alice"), ensure_reviewer(db, "bob")
    a, b = start_session(db, alice), start_session(db, bob)
    record_decision(db, case_id=source, reviewer=alice, action="keep", session_id=a)
    assert claim_case(db, t2, b)
    with pytest.raises(CaseHeld):
        apply_to_group(
            db, source_case_id=source, target_case_ids=[t1, t2], reviewer=alice, pack=pack, session_id=a
        )
    assert _case(db, t1).status == "open"  # all or nothing


def test_a_lead_overrides_a_decided_case_with_a_reason(db, make_cases, pack) -> None:
    (cid,) = make_cases(1)
    alice = ensure_reviewer(db, "alice")
    lead = ensure_reviewer(db, "lead")
    sid = start_session(db, alice)
    kept = record_decision(db, case_id=cid, reviewer=alice, action="keep", session_id=sid)
    with pytest.raises(NotALead):
        override_decision(
            db, case_id=cid, lead=lead, replaces=kept.decision_id, action="escalate", reason="x"
        )
    lead = set_role(db, "lead", "lead", actor="admin")
    with pytest.raises(DecisionError, match="reason"):
        override_decision(
            db, case_id=cid, lead=lead, replaces=kept.decision_id, action="escalate", reason=" "
        )
    code = pack.for_category("violence")[0].code
    result = override_decision(
        db,
        case_id=cid,
        lead=lead,
        replaces=kept.decision_id,
        action="remove",
        policy_code=code,
        pack=pack,
        reason="graphic violence missed",
    )
    assert result.case_status == "decided"
    with pytest.raises(CaseAlreadyDecided):  # a second override of the same decision is not a race
        override_decision(
            db, case_id=cid, lead=lead, replaces=kept.decision_id, action="keep", reason="again"
        )
    assert undo_last(db, reviewer=alice, session_id=sid) is None  # the overridden decision is undone
    with db.read() as s:
        notes = [d.note for d in s.execute(select(Decision).where(Decision.case_id == cid)).scalars()]
    assert notes.count("lead override: graphic violence missed") == 2
    assert verify(db).ok


def test_the_window_can_ask_who_decided_or_holds_a_case_without_writing(db, make_cases) -> None:
    from reviewer.leases import case_outlook

    held, decided, free = make_cases(3)
    alice, bob = ensure_reviewer(db, "alice"), ensure_reviewer(db, "bob")
    a, b = start_session(db, alice), start_session(db, bob)
    assert claim_case(db, held, a)
    record_decision(db, case_id=decided, reviewer=alice, action="keep", session_id=a)
    seen = case_outlook(db, held, b)
    assert not seen.ok and seen.holder is not None and seen.holder.reviewer_handle == "alice"
    assert case_outlook(db, held, a).ok  # one's own lease
    closed = case_outlook(db, decided, b)
    assert not closed.ok and closed.standing is not None and closed.standing.action == "keep"
    assert case_outlook(db, free, b).ok


def test_claims_and_decisions_commit_on_one_connection(db, make_cases) -> None:
    """A commit on another connection empties SQLite's page cache of every other connection, so the K
    flow (claim the next case, decide it, claim the next…) writes all of it on the decisions' kept
    connection: the decision then finds the pages the claim just wrote still cached."""
    if not db.is_sqlite:
        pytest.skip("SQLite's page cache; a server database has no such per-connection cache")
    from sqlalchemy import event

    commits: list[int] = []

    def traced(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        def trace(sql: str, conn_id: int = id(dbapi_conn)) -> None:
            if sql.strip().upper().startswith("COMMIT"):
                commits.append(conn_id)

        dbapi_conn.set_trace_callback(trace)

    db.release_core()
    db.write_engine.dispose()  # new connections from here, each traced
    event.listen(db.write_engine, "connect", traced)
    reviewer = ensure_reviewer(db, "kay")
    session_id = start_session(db, reviewer)
    first, second = make_cases(2)
    commits.clear()
    for cid in (first, second):
        assert claim_case(db, cid, session_id)
        assert renew_lease(db, cid, session_id)
        record_decision(db, case_id=cid, reviewer=reviewer, action="keep", session_id=session_id)
    assert len(commits) == 6 and len(set(commits)) == 1, commits
    (third,) = make_cases(1)
    commits.clear()
    assert claim_case(db, third, session_id)
    assert release_session_leases(db, session_id) == 1
    assert len(commits) == 2 and len(set(commits)) == 1, commits
    assert verify(db).ok
