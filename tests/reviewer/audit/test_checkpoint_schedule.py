"""When checkpoints are written: a pure schedule (no clock of its own), inline or from the window's timer."""

from __future__ import annotations

from datetime import timedelta

from reviewer.audit.checkpoints import CheckpointSchedule, checkpoint_if_due, latest_checkpoint, schedule_of
from reviewer.clock import utcnow
from reviewer.decisions import record_decision


def test_the_first_append_then_every_interval_or_count() -> None:
    t0 = utcnow()
    s = CheckpointSchedule(every=timedelta(seconds=30), every_events=3)
    assert not s.due(t0)  # nothing to anchor
    s.note()
    assert s.due(t0)  # the first append of a process
    s.done(t0)
    s.note(2)
    assert not s.due(t0 + timedelta(seconds=29))
    assert s.due(t0 + timedelta(seconds=30))
    s.note()
    assert s.due(t0 + timedelta(seconds=1))  # three events pending


def test_off_the_decision_path_the_window_calls_checkpoint_if_due(db, make_cases, reviewer_row) -> None:
    schedule = schedule_of(db)
    schedule.inline = False
    schedule.done(utcnow())  # as if one was just written
    before = _latest(db)
    for cid in make_cases(3):
        record_decision(db, case_id=cid, reviewer=reviewer_row, action="keep")
    assert _latest(db) == before and schedule.pending == 3  # decisions never wait for an anchor
    assert checkpoint_if_due(db, now=utcnow() + timedelta(minutes=1)) is not None
    assert _latest(db) != before and schedule.pending == 0


def _latest(db):  # type: ignore[no-untyped-def]
    with db.read() as s:
        return latest_checkpoint(s.connection())
