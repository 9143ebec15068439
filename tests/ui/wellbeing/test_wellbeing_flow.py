"""Wellbeing in the running window with an injected clock: exposure is recorded, the cap enforces a break
that hides content and blocks decisions until its time is up, and the break is recorded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from reviewer.clock import ManualClock, utcnow
from reviewer.demo import DemoSpec, build_demo
from reviewer.models import BreakRecord, Decision, RevealEvent
from reviewer.storage.database import Database
from reviewer.wellbeing.settings import WellbeingSettings
from tests.support.waiting import UI_WAIT_MS
from ui.shell.context import start_context
from ui.shell.main_window import MainWindow
from ui.wellbeing.controller import BREAK_REFUSAL


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=utcnow())


@pytest.fixture
def window(db: Database, pack, qtbot: QtBot, clock: ManualClock) -> Iterator[MainWindow]:
    build_demo(db, DemoSpec(cases=30, seed=9, images=9))
    settings = WellbeingSettings(personal={"exposure.cap_hour_seconds": 60})
    w = MainWindow(start_context(db, pack, backup=False), wellbeing=settings, clock=clock)
    qtbot.addWidget(w)
    with qtbot.waitExposed(w):
        w.show()
    qtbot.waitUntil(lambda: w.review.selection.current is not None, timeout=UI_WAIT_MS)
    yield w
    w.shutdown()


def _press(qtbot: QtBot, w: MainWindow, key: Qt.Key) -> None:
    qtbot.keyClick(w.focusWidget() or w, key)


def _to_image(w: MainWindow, qtbot: QtBot) -> None:
    for _ in range(40):
        if w.review.selection.current.media_items():
            break
        before = w.review.selection.current
        _press(qtbot, w, Qt.Key.Key_J)
        qtbot.waitUntil(lambda b=before: w.review.selection.current not in (None, b), timeout=UI_WAIT_MS)
    qtbot.waitUntil(w.review.preview.canvas.has_image, timeout=UI_WAIT_MS)


def _reveal_for(w: MainWindow, qtbot: QtBot, clock: ManualClock, seconds: float) -> None:
    _press(qtbot, w, Qt.Key.Key_V)
    if w.review.preview.canvas.reveal_mode is None:  # the most severe content asks for a confirming press
        _press(qtbot, w, Qt.Key.Key_V)
    assert w.review.preview.canvas.reveal_mode == "toggle"
    clock.advance(seconds)
    _press(qtbot, w, Qt.Key.Key_V)
    assert w.review.preview.canvas.reveal_mode is None


def test_reveals_are_recorded_and_shown_on_the_meter(
    window: MainWindow, qtbot: QtBot, db: Database, clock
) -> None:
    w = window
    _to_image(w, qtbot)
    _reveal_for(w, qtbot, clock, 5)
    qtbot.waitUntil(
        lambda: "session exposure 0m05s" in w.wellbeing.controller.exposure_label.text(), timeout=UI_WAIT_MS
    )
    with db.read() as s:
        reveal = s.execute(select(RevealEvent)).scalar_one()
    assert reveal.duration_ms == 5000 and reveal.mode == "toggle" and reveal.severity > 0


def test_reaching_the_hourly_cap_enforces_a_break(
    window: MainWindow, qtbot: QtBot, db: Database, clock
) -> None:
    w = window
    _to_image(w, qtbot)
    _reveal_for(w, qtbot, clock, 90)  # 90 s at weight ≥ 0.5 reaches a 60 s weighted cap
    qtbot.waitUntil(lambda: w.screens.current == "break", timeout=UI_WAIT_MS)
    assert w.wellbeing.controller.scheduler.in_break and (w.screens.overlay == "break")
    assert not w.review.preview.canvas.isVisible()
    # Decisions and reveals are refused during the break (saying why), and Enter cannot end it early.
    for key, action in ((Qt.Key.Key_K, "decision.keep"), (Qt.Key.Key_V, "view.reveal_toggle")):
        with qtbot.waitSignal(w.registry.refused, timeout=UI_WAIT_MS) as refused:
            _press(qtbot, w, key)
        assert refused.args == [action, BREAK_REFUSAL]
        assert w.statusBar().currentMessage() == BREAK_REFUSAL
    assert not w.review.flow.busy and w.review.preview.canvas.reveal_mode is None
    qtbot.keyClick(w.wellbeing.controller.break_screen, Qt.Key.Key_Return)
    assert w.screens.current == "break"
    w.ctx.tasks.wait_db_idle()
    with db.read() as s:
        assert s.execute(select(Decision)).first() is None
    # Time passes: the break ends by itself and the reviewer is back to blurred content.
    clock.advance(3600)
    w.wellbeing.controller.tick()
    assert w.screens.current == "work" and not w.wellbeing.controller.scheduler.in_break
    assert w.review.preview.canvas.reveal_mode is None
    w.ctx.tasks.wait_db_idle()
    with db.read() as s:
        record = s.execute(select(BreakRecord)).scalar_one()
    assert record.kind == "enforced" and record.reason == "hour_cap" and record.ended_at is not None


def test_a_voluntary_break_ends_with_enter(window: MainWindow, qtbot: QtBot, db: Database) -> None:
    w = window
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert w.screens.current == "break"
    qtbot.keyClick(w.wellbeing.controller.break_screen, Qt.Key.Key_Return)
    assert w.screens.current == "work"
    w.ctx.tasks.wait_db_idle()
    with db.read() as s:
        assert s.execute(select(BreakRecord.kind)).scalar_one() == "voluntary"
