from __future__ import annotations

from datetime import timedelta

import pytest

from reviewer.clock import ManualClock
from reviewer.decisions import record_decision, undo_last
from reviewer.models import Base, ReviewSession
from reviewer.wellbeing.breaks import BreakLog
from reviewer.wellbeing.exposure import ExposureLedger, ExposureTotals
from reviewer.wellbeing.settings import DEFAULT_SUPPORT_TEXT
from reviewer.wellbeing.summary import session_summary


def test_summary_numbers_match_hand_computed_values(db, make_cases, reviewer_row, pack) -> None:
    import reviewer.models.wellbeing  # noqa: F401  (registers break_record until the migration exists)

    Base.metadata.create_all(db.engine)
    clock = ManualClock()
    with db.write() as s:
        rs = ReviewSession(reviewer_id=reviewer_row.id, started_at=clock.now())
        s.add(rs)
        s.flush()
        sid = rs.id
    c1, c2, c3, c4 = make_cases(4)
    code = pack.for_category("violence")[0].code
    common = {"db": db, "reviewer": reviewer_row, "session_id": sid}

    def decide(case_id, action, handle_ms, **kw):
        clock.advance(60)
        record_decision(**common, case_id=case_id, action=action, handle_ms=handle_ms, now=clock.now(), **kw)

    decide(c1, "remove", 30_000, policy_code=code, pack=pack)
    decide(c2, "keep", 10_000)
    decide(c3, "note", 5_000, note="context")  # notes are not decisions
    decide(c3, "keep", 50_000)
    decide(c4, "escalate", 20_000, rationale="needs tier 2")
    clock.advance(60)
    undo_last(db, reviewer=reviewer_row, session_id=sid, now=clock.now())  # reverses the escalate on c4
    decide(c4, "skip", 2_000)

    ledger = ExposureLedger(db, reviewer_row.id, clock, session_id=sid)
    ledger.record_reveal(c1, None, "hold", clock.now(), 4_000, 2.5)
    ledger.record_reveal(c2, None, "toggle", clock.now(), 2_000, 1.0)
    log = BreakLog(db)
    bid = log.start(reviewer_row.id, "reminder", "reminder", clock.now(), session_id=sid)
    clock.advance(600)
    log.end(bid, clock.now())

    summary = session_summary(db, reviewer_row.id, sid, clock)
    assert summary.cases_decided == 3  # c1, c2, c3; c4 only skipped
    assert summary.decisions == 4
    assert summary.actions == {"remove": 1, "keep": 2, "skip": 1}
    assert summary.figures.median_handle_s == pytest.approx(20.0)  # 2, 10, 30, 50
    assert summary.figures.mean_handle_s == pytest.approx(23.0)
    assert summary.exposure == ExposureTotals(6.0, 12.0, 2)
    assert summary.breaks == 1 and summary.breaks_by_kind == {"reminder": 1}
    assert summary.break_time == timedelta(minutes=10)
    assert summary.duration == timedelta(minutes=17)  # 7 one-minute steps, then the 10-minute break

    text = summary.as_text(DEFAULT_SUPPORT_TEXT)
    assert "Cases decided: 3" in text and "Escalated: 0 · skipped: 1 · undone: 1" in text
    assert "Keep (no violation): 2" in text
    assert "median 20 s, mean 23 s" in text
    assert "Breaks: 1 (reminder 1), 10 min in all" in text
    assert text.rstrip().endswith(DEFAULT_SUPPORT_TEXT)


def test_empty_session_summary(db, reviewer_row) -> None:
    import reviewer.models.wellbeing  # noqa: F401

    Base.metadata.create_all(db.engine)
    clock = ManualClock()
    with db.write() as s:
        rs = ReviewSession(reviewer_id=reviewer_row.id, started_at=clock.now())
        s.add(rs)
        s.flush()
        sid = rs.id
    clock.advance(90)
    summary = session_summary(db, reviewer_row.id, sid, clock)
    assert (summary.cases_decided, summary.decisions, summary.breaks) == (0, 0, 0)
    assert summary.figures.median_handle_s is None and summary.duration == timedelta(seconds=90)
    assert "Actions: none" in summary.as_text("Support: ask your lead.")
