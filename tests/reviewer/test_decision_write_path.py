"""The Core write path of decisions: what the ORM used to guarantee must still hold.

The policy pack version id is cached only after a commit (a rolled-back insert never leaves a dangling
id), pending ORM changes in the caller's session are flushed first (the audit chain stays one chain),
a Case already loaded in that session does not keep stale state, and the audit hash is the same one
``verify`` recomputes from the stored rows.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from reviewer import pack_versions
from reviewer.audit import append_event, verify
from reviewer.decisions import DecisionError, record_decision, record_decision_in, undo_last
from reviewer.models import Case, Decision, PolicyPackVersion


def _pack_rows(db) -> int:
    with db.read() as s:
        return s.execute(select(func.count()).select_from(PolicyPackVersion)).scalar_one()


def test_pack_version_id_is_cached_only_after_commit(db, make_cases, reviewer_row, pack) -> None:
    a, b = make_cases(2)
    code = pack.for_category("violence")[0].code

    class Boom(Exception):
        pass

    with pytest.raises(Boom), db.write() as session:
        record_decision_in(
            session, case_id=a, reviewer=reviewer_row, action="remove", policy_code=code, pack=pack
        )
        raise Boom
    assert _pack_rows(db) == 0
    assert not pack_versions._ids.get(db.write_engine)  # nothing remembered from the rollback

    first = record_decision(
        db, case_id=a, reviewer=reviewer_row, action="remove", policy_code=code, pack=pack
    )
    cached = pack_versions._ids[db.write_engine][(pack.pack_id, pack.version, pack.sha256)]
    second = record_decision(
        db, case_id=b, reviewer=reviewer_row, action="remove", policy_code=code, pack=pack
    )
    with db.read() as s:
        ids = {s.get(Decision, r.decision_id).policy_pack_version_id for r in (first, second)}  # type: ignore[union-attr]
    assert ids == {cached} and _pack_rows(db) == 1
    assert first.policy_code == code and first.case_status == "decided"
    assert verify(db).ok


def test_pending_orm_changes_and_orm_events_share_the_chain(db, make_cases, reviewer_row) -> None:
    a, b = make_cases(2)
    with db.write() as session:
        append_event(session, actor="tester", kind="note", subject="before")  # pending, not flushed
        record_decision_in(session, case_id=a, reviewer=reviewer_row, action="keep")
        append_event(session, actor="tester", kind="note", subject="after")
        record_decision_in(session, case_id=b, reviewer=reviewer_row, action="escalate", rationale="needs tier 2")
    report = verify(db)
    assert report.ok and report.events == 5 and report.decisions == 2, report  # + the reviewer's event


def test_a_loaded_case_sees_the_new_state(db, make_cases, reviewer_row) -> None:
    (a,) = make_cases(1)
    with db.write() as session:
        case = session.get(Case, a)
        assert case is not None and case.status == "open"
        record_decision_in(session, case_id=a, reviewer=reviewer_row, action="escalate", rationale="needs tier 2")
        assert (case.status, case.tier) == ("escalated", 2)


def test_missing_case_and_non_utc_times(db, make_cases, reviewer_row) -> None:
    (a,) = make_cases(1)
    with pytest.raises(DecisionError, match="does not exist"):
        record_decision(db, case_id=uuid.uuid4(), reviewer=reviewer_row, action="keep")
    local = datetime(2026, 3, 1, 10, 30, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    record_decision(db, case_id=a, reviewer=reviewer_row, action="keep", now=local)
    undo_last(db, reviewer=reviewer_row, session_id=None, now=local + timedelta(seconds=1))
    with db.read() as s:
        stamps = sorted(s.execute(select(Decision.created_at)).scalars())
    assert stamps[0] == local and stamps[0].tzinfo == UTC
    assert verify(db).ok
    with pytest.raises(ValueError, match="naive"):
        record_decision(db, case_id=a, reviewer=reviewer_row, action="keep", now=datetime(2026, 3, 1))


def test_a_refused_decision_on_the_core_path_caches_and_keeps_nothing(
    db, make_cases, reviewer_row, pack
) -> None:
    """record_decision runs without a Session: the pack row it added before the refusal is rolled back
    and its id is not remembered; the next decision adds the row again and caches it once committed."""
    (a,) = make_cases(1)
    code = pack.for_category("violence")[0].code
    with pytest.raises(DecisionError, match="does not exist"):
        record_decision(
            db, case_id=uuid.uuid4(), reviewer=reviewer_row, action="remove", policy_code=code, pack=pack
        )
    assert _pack_rows(db) == 0
    assert not pack_versions._ids.get(db.write_engine)
    done = record_decision(db, case_id=a, reviewer=reviewer_row, action="remove", policy_code=code, pack=pack)
    cached = pack_versions._ids[db.write_engine][(pack.pack_id, pack.version, pack.sha256)]
    with db.read() as s:
        row = s.get(Decision, done.decision_id)
        assert row is not None and row.policy_pack_version_id == cached
    assert _pack_rows(db) == 1 and verify(db).ok
