from __future__ import annotations

from datetime import timedelta

import pytest

from reviewer.clock import ManualClock
from reviewer.models import Base, ReviewSession
from reviewer.models.wellbeing import BreakRecord
from reviewer.storage.database import Database
from reviewer.wellbeing.breaks import (
    BreakError,
    BreakLog,
    BreakOver,
    BreakScheduler,
    CapWarning,
    EnforcedBreak,
    ReminderDue,
    planned_end,
)
from reviewer.wellbeing.exposure import DAY_REST
from reviewer.wellbeing.settings import WellbeingSettings


def _work(scheduler: BreakScheduler, clock: ManualClock, minutes: int, every_s: int = 60) -> list:
    """Act every ``every_s`` seconds for ``minutes``, ticking after each action."""
    events: list = []
    for _ in range(minutes * 60 // every_s):
        clock.advance(every_s)
        scheduler.on_activity()
        events += scheduler.tick()
    return events


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def scheduler(clock: ManualClock) -> BreakScheduler:
    return BreakScheduler(WellbeingSettings(), clock)


def test_reminder_after_sixty_active_minutes(scheduler: BreakScheduler, clock: ManualClock) -> None:
    scheduler.on_activity()
    assert _work(scheduler, clock, 59) == []
    events = _work(scheduler, clock, 1)
    assert events == [ReminderDue(60.0)]
    assert _work(scheduler, clock, 30) == []  # not repeated every tick


def test_idle_gaps_do_not_count(scheduler: BreakScheduler, clock: ManualClock) -> None:
    scheduler.on_activity()
    assert _work(scheduler, clock, 40) == []
    clock.advance(6 * 60)  # an idle gap longer than 5 minutes, shorter than a break
    scheduler.on_activity()
    assert scheduler.active_minutes == pytest.approx(40)
    assert _work(scheduler, clock, 19) == []
    assert _work(scheduler, clock, 1) == [ReminderDue(60.0)]


def test_a_long_idle_gap_counts_as_a_break(scheduler: BreakScheduler, clock: ManualClock) -> None:
    scheduler.on_activity()
    _work(scheduler, clock, 50)
    clock.advance(15 * 60)
    scheduler.on_activity()
    assert scheduler.active_minutes == 0
    assert _work(scheduler, clock, 50) == []


def test_voluntary_break_resets_the_reminder_only_when_long_enough(
    scheduler: BreakScheduler, clock: ManualClock
) -> None:
    scheduler.on_activity()
    _work(scheduler, clock, 50)
    scheduler.start_break("voluntary")
    clock.advance(60)
    assert scheduler.end_break() == BreakOver("voluntary", "voluntary")  # may end early
    assert scheduler.active_minutes == pytest.approx(50)
    scheduler.start_break("reminder")
    clock.advance(10 * 60)
    scheduler.end_break()
    assert scheduler.active_minutes == 0


def test_hour_cap_warns_at_80_percent_then_enforces_a_break(
    scheduler: BreakScheduler, clock: ManualClock
) -> None:
    scheduler.on_exposure(479, 479)
    assert scheduler.tick() == []
    scheduler.on_exposure(480, 480)
    assert scheduler.tick() == [CapWarning("hour", 0.8)]
    scheduler.on_exposure(500, 500)
    assert scheduler.tick() == []  # warned once
    clears = clock.now() + timedelta(minutes=25)
    scheduler.on_exposure(600, 600, hour_clears_at=clears)
    assert scheduler.tick() == [EnforcedBreak("hour_cap", clears, "hour")]
    assert scheduler.in_break and scheduler.break_kind == "enforced" and not scheduler.day_over


def test_hour_cap_break_lasts_at_least_the_break_length(
    scheduler: BreakScheduler, clock: ManualClock
) -> None:
    scheduler.on_exposure(650, 650)
    (event,) = scheduler.tick()
    assert isinstance(event, EnforcedBreak) and event.until == clock.now() + timedelta(minutes=10)


def test_enforced_break_cannot_end_early(scheduler: BreakScheduler, clock: ManualClock) -> None:
    scheduler.on_exposure(600, 600)
    (event,) = scheduler.tick()
    clock.advance(9 * 60)
    with pytest.raises(BreakError, match="in 1 minute"):
        scheduler.end_break()
    scheduler.on_activity()  # activity during a break changes nothing
    assert scheduler.tick() == []
    clock.advance(60)
    assert scheduler.tick() == [BreakOver("enforced", "hour_cap")]
    assert not scheduler.in_break
    assert scheduler.tick() == []  # stale totals are not judged again
    scheduler.on_exposure(100, 700)
    assert scheduler.tick() == []


def test_day_cap_ends_review_for_the_working_day(scheduler: BreakScheduler, clock: ManualClock) -> None:
    scheduler.on_exposure(100, 2880)
    assert scheduler.tick() == [CapWarning("day", 0.8)]
    scheduler.on_exposure(100, 3600)
    (event,) = scheduler.tick()
    assert event == EnforcedBreak("day_cap", clock.now() + DAY_REST, "day")
    assert scheduler.day_over
    clock.advance(4 * 3600)
    with pytest.raises(BreakError):
        scheduler.end_break()
    clock.advance(4 * 3600)
    assert scheduler.tick() == [BreakOver("enforced", "day_cap")]
    assert not scheduler.day_over


def test_day_cap_wins_over_hour_cap_and_uses_the_ledger_time(
    scheduler: BreakScheduler, clock: ManualClock
) -> None:
    rest_over = clock.now() + timedelta(hours=3)  # e.g. after a restart part-way through the rest
    scheduler.on_exposure(700, 4000, day_clears_at=rest_over)
    assert scheduler.tick() == [EnforcedBreak("day_cap", rest_over, "day")]


def test_stricter_personal_settings_change_the_schedule(clock: ManualClock) -> None:
    settings = WellbeingSettings()
    settings.set("breaks.reminder_minutes", 30)
    settings.set("exposure.cap_hour_seconds", 300)
    scheduler = BreakScheduler(settings, clock)
    scheduler.on_activity()
    assert _work(scheduler, clock, 30) == [ReminderDue(30.0)]
    scheduler.on_exposure(300, 300)
    assert isinstance(scheduler.tick()[0], EnforcedBreak)


def test_manual_break_kinds(scheduler: BreakScheduler) -> None:
    with pytest.raises(BreakError):
        scheduler.start_break("enforced")
    with pytest.raises(BreakError):
        scheduler.end_break()
    scheduler.start_break()
    with pytest.raises(BreakError, match="already"):
        scheduler.start_break()


def test_break_log_records_start_and_end(db: Database, reviewer_row, clock: ManualClock) -> None:
    Base.metadata.create_all(db.engine)
    with db.write() as s:
        rs = ReviewSession(reviewer_id=reviewer_row.id)
        s.add(rs)
        s.flush()
        sid = rs.id
    log = BreakLog(db)
    bid = log.start(reviewer_row.id, "enforced", "hour_cap", clock.now(), session_id=sid)
    clock.advance(600)
    log.end(bid, clock.now())
    log.end(bid, clock.now() + timedelta(hours=1))  # a second end keeps the first
    (row,) = log.in_session(sid)
    assert isinstance(row, BreakRecord)
    assert (row.kind, row.reason, row.ended_at - row.started_at) == (
        "enforced",
        "hour_cap",
        timedelta(minutes=10),
    )
    with pytest.raises(ValueError, match="kind"):
        log.start(reviewer_row.id, "nap", "", clock.now())


def _session(db: Database, reviewer_id) -> object:
    with db.write() as s:
        rs = ReviewSession(reviewer_id=reviewer_id)
        s.add(rs)
        s.flush()
        return rs.id


def test_planned_end_is_the_rule_the_scheduler_uses(clock: ManualClock) -> None:
    settings = WellbeingSettings()
    start = clock.now()
    length = timedelta(minutes=settings.get("breaks.break_minutes"))
    assert planned_end("voluntary", "voluntary", start, settings) == start + length
    assert planned_end("enforced", "hour_cap", start, settings) == start + length
    later = start + timedelta(minutes=47)
    assert planned_end("enforced", "hour_cap", start, settings, hour_clears_at=later) == later
    assert planned_end("enforced", "day_cap", start, settings) == start + DAY_REST
    scheduler = BreakScheduler(settings, clock)
    scheduler.on_exposure(settings.get("exposure.cap_hour_seconds"), 0, hour_clears_at=later)
    (event,) = scheduler.tick()
    assert isinstance(event, EnforcedBreak) and event.until == later


def test_recover_resumes_a_running_enforced_break_in_its_own_record(
    db: Database, reviewer_row, clock: ManualClock
) -> None:
    settings = WellbeingSettings()
    log = BreakLog(db)
    started = clock.now()
    bid = log.start(reviewer_row.id, "enforced", "hour_cap", started, session_id=_session(db, reviewer_row.id))
    clock.advance(4 * 60)  # the app died four minutes in; it starts again now
    resumed = log.recover(reviewer_row.id, clock.now(), settings)
    assert resumed is not None and resumed.id == bid
    assert resumed.until == started + timedelta(minutes=settings.get("breaks.break_minutes"))
    assert resumed.until - clock.now() == timedelta(minutes=settings.get("breaks.break_minutes") - 4)
    with db.read() as s:
        assert s.get(BreakRecord, bid).ended_at is None  # still running
    scheduler = BreakScheduler(settings, clock)
    scheduler.resume(resumed.kind, resumed.reason, resumed.started_at, resumed.until)
    with pytest.raises(BreakError, match="ends at"):
        scheduler.end_break()
    clock.advance(6 * 60)
    assert isinstance(scheduler.tick()[0], BreakOver)


def test_recover_closes_open_records_of_a_killed_session(db: Database, reviewer_row, clock: ManualClock) -> None:
    settings = WellbeingSettings()
    length = timedelta(minutes=settings.get("breaks.break_minutes"))
    log = BreakLog(db)
    sid = _session(db, reviewer_row.id)
    t0 = clock.now()
    over = log.start(reviewer_row.id, "enforced", "hour_cap", t0, session_id=sid)  # planned end passed
    clock.advance(3 * 3600)
    t1 = clock.now()
    short = log.start(reviewer_row.id, "voluntary", "voluntary", t1, session_id=sid)  # killed 3 min in
    clock.advance(3 * 60)
    assert log.recover(reviewer_row.id, clock.now(), settings) is None
    with db.read() as s:
        assert s.get(BreakRecord, over).ended_at == t0 + length  # its planned end, earlier than now
        assert s.get(BreakRecord, short).ended_at == clock.now()  # now, earlier than its planned end
        assert s.query(BreakRecord).filter(BreakRecord.ended_at.is_(None)).count() == 0
    assert log.recover(reviewer_row.id, clock.now(), settings) is None  # nothing left open
