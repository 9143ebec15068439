"""An enforced break survives a restart with the right time left; a voluntary one ends with the app."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from reviewer.clock import ManualClock, utcnow
from reviewer.demo import DemoSpec, build_demo
from reviewer.durations import DurationStyle, format_duration
from reviewer.models import BreakRecord
from reviewer.storage.database import Database
from reviewer.wellbeing.settings import WellbeingSettings
from tests.support.waiting import UI_WAIT_MS
from tests.support.windows import open_window
from tests.ui.wellbeing.test_wellbeing_flow import _reveal_for, _to_image
from ui.shell.main_window import MainWindow

SETTINGS = {"exposure.cap_hour_seconds": 60}


def _open(db: Database, pack, qtbot: QtBot, clock: ManualClock) -> MainWindow:
    settings = WellbeingSettings(personal=SETTINGS)
    return open_window(db, pack, qtbot, wellbeing=settings, clock=clock, first_case=False)


def _records(db: Database) -> list[BreakRecord]:
    with db.read() as s:
        return list(s.execute(select(BreakRecord)).scalars())


def test_a_restart_mid_break_resumes_it_with_the_time_left(db: Database, pack, qtbot: QtBot) -> None:
    build_demo(db, DemoSpec(cases=20, seed=9, images=9))
    clock = ManualClock(start=utcnow())
    w = _open(db, pack, qtbot, clock)
    qtbot.waitUntil(lambda: w.review.selection.current is not None, timeout=UI_WAIT_MS)
    _to_image(w, qtbot)
    _reveal_for(w, qtbot, clock, 90)
    qtbot.waitUntil(lambda: w.screens.current == "break", timeout=UI_WAIT_MS)
    until = w.wellbeing.controller.scheduler.break_until
    assert until is not None
    w.ctx.tasks.wait_db_idle()
    w.shutdown()  # quit (or a crash: the record is left open either way)
    w.close()
    (record,) = _records(db)
    assert record.ended_at is None

    clock.advance(4 * 60)
    again = _open(db, pack, qtbot, clock)
    controller = again.wellbeing.controller
    assert again.screens.current == "break" and controller.scheduler.break_kind == "enforced"
    left = round((until - clock.now()).total_seconds())
    assert controller.break_screen.remaining == left
    assert controller.break_screen.countdown_text() == f"Back in {format_duration(left, DurationStyle.CLOCK)}"
    assert not controller.break_screen.can_end
    assert len(_records(db)) == 1  # the same break, not a new one
    clock.advance(left)
    controller.tick()
    assert again.screens.current == "work"
    again.ctx.tasks.wait_db_idle()
    (record,) = _records(db)
    assert record.ended_at == clock.now()
    again.shutdown()


def test_a_voluntary_break_is_closed_at_quit(db: Database, pack, qtbot: QtBot) -> None:
    build_demo(db, DemoSpec(cases=5, seed=2, images=2))
    clock = ManualClock(start=utcnow())
    w = _open(db, pack, qtbot, clock)
    w.wellbeing.controller.take_break()
    clock.advance(120)
    w.shutdown()
    (record,) = _records(db)
    assert record.kind == "voluntary" and record.ended_at == clock.now()
    again = _open(db, pack, qtbot, clock)
    assert again.screens.current == "work"
    again.shutdown()
