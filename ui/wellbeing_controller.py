"""Wellbeing in the review flow: exposure accounting, the meter, reminders, enforced breaks.

Reveals are written through the exposure ledger on the database worker; the scheduler is ticked once a
second on the UI thread with the ledger's totals. A break replaces the whole work area with the break
screen and pauses decisions; when it ends the reviewer comes back to blurred content.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from reviewer.clock import Clock, SystemClock
from reviewer.wellbeing.breaks import (
    BreakError,
    BreakLog,
    BreakOver,
    BreakScheduler,
    CapWarning,
    EnforcedBreak,
    ReminderDue,
)
from reviewer.wellbeing.exposure import ExposureLedger
from reviewer.wellbeing.settings import WellbeingSettings
from reviewer.wellbeing.severity import item_severity

if TYPE_CHECKING:
    from ui.main_window import MainWindow

# Actions still allowed during a break: nothing that shows or decides content.
BREAK_SAFE = ("view.panic", "app.quit", "app.cheatsheet", "app.summary", "app.settings", "app.palette")


def format_seconds(seconds: float) -> str:
    seconds = int(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s"


class WellbeingController(QObject):
    break_started = Signal(str)
    break_ended = Signal()

    def __init__(self, window: MainWindow, settings: WellbeingSettings, clock: Clock | None = None) -> None:
        super().__init__(window)
        self.window, self.settings = window, settings
        self.clock = clock or SystemClock()
        ctx = window.ctx
        self.ledger = ExposureLedger(ctx.db, ctx.reviewer.id, self.clock, ctx.session_id)
        self.scheduler = BreakScheduler(settings, self.clock)
        self.break_log = BreakLog(ctx.db)
        self._break_id: uuid.UUID | None = None
        self._feed_scheduler()
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        window.preview.reveal_finished.connect(self.on_reveal)
        window.break_screen.end_requested.connect(self.end_break)
        self.update_meter()

    # -- exposure ------------------------------------------------------------------------------
    def weight_for(self, category: str, score: float | None) -> float:
        return item_severity(self.window.ctx.pack.severity_for(category), score)

    def on_reveal(self, case_id: uuid.UUID, item_id: uuid.UUID | None, mode: str, duration_ms: int) -> None:
        view = self.window.controller.current
        category = view.category if view is not None and view.id == case_id else "violence"
        score = view.top_score if view is not None and view.id == case_id else None
        weight = self.weight_for(category, score)
        started = self.clock.now() - timedelta(milliseconds=duration_ms)
        ledger = self.ledger

        def write() -> None:
            ledger.record_reveal(case_id, item_id, mode, started, duration_ms, weight)

        self.window.ctx.tasks.run_db(write, lambda _r: self._after_reveal(), self._failed)
        self.scheduler.on_activity()

    def _after_reveal(self) -> None:
        self._feed_scheduler()
        self.update_meter()
        self.tick()

    def _feed_scheduler(self) -> None:
        cap = self.settings.get("exposure.cap_hour_seconds")
        self.scheduler.on_exposure(
            self.ledger.last_hour().weighted,
            self.ledger.today().weighted,
            hour_clears_at=self.ledger.hour_clears_at(cap),
            day_clears_at=self.ledger.day_clears_at(),
        )

    def _failed(self, exc: BaseException) -> None:
        self.window.flash(f"Exposure not recorded: {exc}", 10000)

    def on_activity(self) -> None:
        self.scheduler.on_activity()

    def update_meter(self) -> None:
        fractions = self.scheduler.fractions()
        session = self.ledger.session_total()
        hour, day = fractions["hour"], fractions["day"]
        warn = self.settings.get("exposure.warn_fraction")
        label = self.window.exposure_label
        label.setText(
            f"Exposure: hour {hour:.0%} · day {day:.0%} · session {format_seconds(session.seconds)}"
        )
        label.setToolTip(
            f"Weighted exposure: {self.ledger.last_hour().weighted:.0f}s in the last hour "
            f"(limit {self.settings.get('exposure.cap_hour_seconds')}), {self.ledger.today().weighted:.0f}s "
            f"today (limit {self.settings.get('exposure.cap_day_seconds')}); {session.reveals} reveals this session."
        )
        label.setStyleSheet("color: #c0392b; font-weight: bold;" if max(hour, day) >= warn else "")

    # -- breaks --------------------------------------------------------------------------------
    def tick(self) -> None:
        for event in self.scheduler.tick():
            if isinstance(event, ReminderDue):
                self.window.flash(
                    f"You have reviewed for {event.active_minutes:.0f} active minutes. Take a break: Ctrl+B.",
                    60000,
                )
            elif isinstance(event, CapWarning):
                self.window.flash(
                    f"Exposure at {event.fraction:.0%} of the {event.kind}ly limit — consider lighter work "
                    "or a break (Ctrl+B).",
                    60000,
                )
                self.update_meter()
            elif isinstance(event, EnforcedBreak):
                self._enter_break("enforced", event.reason)
            elif isinstance(event, BreakOver):
                self._leave_break()
        if self.scheduler.in_break and self.scheduler.break_until is not None:
            left = (self.scheduler.break_until - self.clock.now()).total_seconds()
            self.window.break_screen.set_remaining(max(0, int(left)))
            can_end = self.scheduler.break_kind != "enforced" or left <= 0
            self.window.break_screen.set_can_end(can_end)

    def take_break(self) -> None:
        if self.scheduler.in_break:
            return
        try:
            self.scheduler.start_break("voluntary")
        except BreakError as exc:
            self.window.flash(str(exc))
            return
        self._enter_break("voluntary", "voluntary")

    def _enter_break(self, kind: str, reason: str) -> None:
        w = self.window
        w.preview.end_reveal()
        w.controller.paused = True
        w.show_break_screen(
            kind,
            reason,
            self.scheduler.break_until,
            str(self.settings.get("support.text")),
        )
        started = self.clock.now()
        ctx = w.ctx

        def log() -> None:
            # Set on the worker itself, so the "end" job queued behind it always sees the id.
            self._break_id = self.break_log.start(ctx.reviewer.id, kind, reason, started, ctx.session_id)

        ctx.tasks.run_db(log, None, self._failed)
        self.tick()
        self.break_started.emit(reason)

    def end_break(self) -> None:
        if not self.scheduler.in_break:
            return
        try:
            self.scheduler.end_break()
        except BreakError as exc:
            self.window.flash(str(exc))
            return
        self._leave_break()

    def _leave_break(self) -> None:
        ended = self.clock.now()
        ctx = self.window.ctx

        def log() -> None:
            # The start was queued first on the same single worker, so its id is set by now.
            if self._break_id is not None:
                self.break_log.end(self._break_id, ended)
                self._break_id = None

        ctx.tasks.run_db(log, None, self._failed)
        self.window.controller.paused = False
        self.window.hide_break_screen()
        self._feed_scheduler()
        self.update_meter()
        self.break_ended.emit()
