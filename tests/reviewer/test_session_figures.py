"""The one set of session figures: from rows (skips, undo, bulk) and from the database."""

from __future__ import annotations

import uuid

import pytest

from reviewer.clock import ManualClock
from reviewer.decisions import record_decision, undo_last
from reviewer.identity import start_session
from reviewer.session_figures import DecisionRow, SessionFigures, figures_from_rows, session_figures


def _row(action: str, handle_ms: int, case: uuid.UUID | None = None, reverses=None, bulk=None) -> DecisionRow:
    return DecisionRow(uuid.uuid4(), case or uuid.uuid4(), action, handle_ms, reverses, bulk)


def test_skips_escalations_and_undos_are_counted_apart() -> None:
    keep, remove = _row("keep", 10_000), _row("remove", 30_000)
    undone = _row("keep", 5_000)
    rows = [
        keep,
        remove,
        undone,
        _row("undo", 0, undone.case_id, undone.id),
        _row("skip", 2_000),
        _row("escalate", 20_000),
        _row("note", 1_000),
    ]
    figures = figures_from_rows(rows)
    assert (figures.decided, figures.escalated, figures.skipped, figures.undone) == (2, 1, 1, 1)
    assert figures.actions == {"keep": 1, "remove": 1, "skip": 1, "escalate": 1} and figures.decisions == 4
    assert figures.median_handle_s == pytest.approx(15.0)  # 2, 10, 20, 30: the undone one is gone
    assert figures.status_text() == "Session: 2 decided · 1 escalated · 1 skipped · 1 undone · median 15 s"


def test_a_bulk_apply_does_not_pull_the_median_to_zero() -> None:
    rows = [_row("keep", 12_000), _row("remove", 20_000)]
    bulk = uuid.uuid4()
    rows += [_row("remove", 0, bulk=bulk) for _ in range(22)]  # one Shift+D: one bulk id
    figures = figures_from_rows(rows)
    assert figures.decided == 24 and figures.bulk == 22 and figures.timed == 2
    assert figures.median_handle_s == pytest.approx(16.0)
    assert figures_from_rows([_row("keep", 0), _row("keep", 0)]).median_handle_s is None
    assert SessionFigures().status_text() == "Session: 0 decided · 0 undone"


def test_figures_read_from_the_database(db, make_cases, reviewer_row) -> None:
    clock = ManualClock()
    sid = start_session(db, reviewer_row, now=clock.now())
    c1, c2, c3 = make_cases(3)
    for case_id, action in ((c1, "keep"), (c2, "skip"), (c3, "keep")):
        clock.advance(30)
        record_decision(
            db,
            reviewer=reviewer_row,
            session_id=sid,
            case_id=case_id,
            action=action,
            handle_ms=8_000,
            now=clock.now(),
        )
    clock.advance(5)
    undo_last(db, reviewer=reviewer_row, session_id=sid, now=clock.now())  # reverses c3's keep
    figures = session_figures(db, reviewer_row.id, sid)
    assert (figures.decided, figures.skipped, figures.undone) == (1, 1, 1)
    assert session_figures(db, reviewer_row.id, uuid.uuid4()) == SessionFigures()
    assert session_figures(db, reviewer_row.id, None) == SessionFigures()
