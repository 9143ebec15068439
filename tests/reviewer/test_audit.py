from __future__ import annotations

from sqlalchemy import text

from reviewer.audit import verify
from reviewer.decisions import record_decision, undo_last
from reviewer.storage.database import Database


def _history(db: Database, make_cases, reviewer_row) -> None:
    for cid in make_cases(4):
        record_decision(db, case_id=cid, reviewer=reviewer_row, action="keep")
    undo_last(db, reviewer=reviewer_row, session_id=None)


def _raw(db: Database, sql: str) -> None:
    with db.write_engine.begin() as conn:
        conn.execute(text(sql))


def test_an_untouched_log_verifies(db, make_cases, reviewer_row) -> None:
    _history(db, make_cases, reviewer_row)
    report = verify(db)
    assert report.ok and report.events == 5 and report.decisions == 5, report


def test_an_edited_event_is_caught(db, make_cases, reviewer_row) -> None:
    _history(db, make_cases, reviewer_row)
    _raw(db, "UPDATE audit_event SET actor = 'mallory' WHERE seq = 3")
    report = verify(db)
    assert not report.ok and "#3" in str(report.problem) and "altered" in str(report.problem)


def test_a_deleted_event_is_caught(db, make_cases, reviewer_row) -> None:
    _history(db, make_cases, reviewer_row)
    _raw(db, "DELETE FROM audit_event WHERE seq = 2")
    report = verify(db)
    assert not report.ok and "#2 is missing" in str(report.problem)


def test_an_edited_decision_is_caught(db, make_cases, reviewer_row) -> None:
    _history(db, make_cases, reviewer_row)
    _raw(
        db,
        "UPDATE decision SET action = 'remove' WHERE action = 'keep' AND rowid = (SELECT min(rowid) FROM decision)",
    )
    report = verify(db)
    assert not report.ok and "differs from its audit record" in str(report.problem)


def test_a_deleted_decision_is_caught(db, make_cases, reviewer_row) -> None:
    _history(db, make_cases, reviewer_row)
    _raw(db, "DELETE FROM decision WHERE action = 'undo'")
    report = verify(db)
    assert not report.ok and "was deleted" in str(report.problem)


def test_rewriting_an_event_and_its_hash_still_breaks_the_next_link(db, make_cases, reviewer_row) -> None:
    _history(db, make_cases, reviewer_row)
    _raw(
        db,
        "UPDATE audit_event SET hash = (CASE WHEN substr(hash, 1, 1) = 'f' THEN 'e' ELSE 'f' END) || substr(hash, 2) WHERE seq = 2",
    )
    report = verify(db)
    assert not report.ok and ("#2" in str(report.problem) or "#3" in str(report.problem))
