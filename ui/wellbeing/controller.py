"""Wellbeing in the review flow: exposure accounting, the meter, reminders, enforced breaks.

Thread ownership: the :class:`ExposureLedger` is built here and from then on used only on the database
worker (reveals are written there); the UI thread keeps the last :class:`ExposureReading` snapshot the
worker handed back. The :class:`BreakScheduler` lives on the UI thread and is ticked once a second. A
break covers the work area with the break screen (an overlay of the window's screens, which refuses
every action that shows or decides content); when it ends the reviewer comes back to blurred content.

At start-up, before the first case is on screen, open break records are recovered
(:meth:`BreakLog.recover`): an enforced break that was still running when the app stopped resumes with
the time left until its planned end; every other open record is closed. A quit closes a voluntary or
reminder break and leaves an enforced one open, so it resumes at the next start.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, QTimer, Signal

from reviewer.casefile import CaseView
from reviewer.durations import DurationStyle, format_duration
from reviewer.wellbeing.breaks import (
    BreakError,
    BreakLog,
    BreakOver,
    BreakScheduler,
    CapWarning,
    EnforcedBreak,
    ReminderDue,
    ResumedBreak,
)
from reviewer.wellbeing.exposure import ExposureLedger, ExposureReading
from reviewer.wellbeing.severity import item_severity
from ui.accessibility.theme import ALERT, set_tone
from ui.review.feature import ReviewFeature
from ui.shell.frame import Frame
from ui.shell.plain import plain_label
from ui.wellbeing.break_screen import BreakScreen

BREAK = "break"
BREAK_REFUSAL = "On a break: content and decisions are paused. Enter ends the break when allowed."


class WellbeingController(QObject):
    break_started = Signal(str)
    break_ended = Signal()

    def __init__(self, window: Frame, review: ReviewFeature) -> None:
        super().__init__(window)
        self.window, self.review = window, review
        self.clock = window.clock
        ctx = window.ctx
        self.ledger = ExposureLedger(ctx.db, ctx.reviewer.id, self.clock, ctx.session_id)  # db worker's
        self.reading = self.ledger.reading(self._hour_cap())  # built here, before the worker owns it
        self.scheduler = BreakScheduler(window.prefs.wellbeing, self.clock)
        self.break_log = BreakLog(ctx.db)
        self._break_id: uuid.UUID | None = None  # set and read on the database worker only
        self.exposure_label = plain_label("Exposure 0s")
        self.exposure_label.setAccessibleName("Exposure meter")
        self.exposure_label.setAccessibleDescription("Time spent looking at revealed content this session")
        window.add_status(self.exposure_label)
        self.break_screen = BreakScreen()
        window.screens.add(BREAK, self.break_screen)
        self._feed_scheduler()
        resumed = self.break_log.recover(
            ctx.reviewer.id,
            self.clock.now(),
            window.prefs.wellbeing,
            hour_clears_at=self.reading.hour_clears_at,
            day_clears_at=self.reading.day_clears_at,
        )
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        review.preview.reveal_finished.connect(self.on_reveal)
        review.selection.activity.connect(self.on_activity)
        review.flow.activity.connect(self.on_activity)
        self.break_screen.end_requested.connect(self.end_break)
        window.prefs.changed.connect(self._on_prefs_changed)
        window.on_shutdown(self._on_quit)
        self.update_meter()
        if resumed is not None:
            self._resume(resumed)

    def _hour_cap(self) -> float:
        return float(self.window.prefs.wellbeing.get("exposure.cap_hour_seconds"))

    def _on_prefs_changed(self) -> None:
        self.scheduler.settings = self.window.prefs.wellbeing
        self.update_meter()

    # -- exposure ------------------------------------------------------------------------------
    def weight_for(self, category: str, score: float | None) -> float:
        return item_severity(self.window.ctx.pack.severity_for(category), score)

    def on_reveal(self, case_id: uuid.UUID, item_id: uuid.UUID | None, mode: str, duration_ms: int) -> None:
        view: CaseView | None = self.review.selection.current
        shown = view is not None and view.id == case_id
        category = view.category if shown and view else "violence"
        score = view.top_score if shown and view else None
        weight = self.weight_for(category, score)
        started = self.clock.now() - timedelta(milliseconds=duration_ms)
        ledger, cap = self.ledger, self._hour_cap()

        def write() -> ExposureReading:
            ledger.record_reveal(case_id, item_id, mode, started, duration_ms, weight)
            return ledger.reading(cap)

        self.window.ctx.tasks.run_db(write, self._after_reveal, self._failed)
        self.scheduler.on_activity()

    def _after_reveal(self, reading: ExposureReading) -> None:
        self.reading = reading
        self._feed_scheduler()
        self.update_meter()
        self.tick()

    def _feed_scheduler(self) -> None:
        r = self.reading
        self.scheduler.on_exposure(
            r.hour.weighted, r.day.weighted, hour_clears_at=r.hour_clears_at, day_clears_at=r.day_clears_at
        )

    def _failed(self, exc: BaseException) -> None:
        self.window.flash(f"Exposure not recorded: {exc}", 10000)

    def on_activity(self) -> None:
        self.scheduler.on_activity()

    def update_meter(self) -> None:
        fractions = self.scheduler.fractions()
        r, settings = self.reading, self.window.prefs.wellbeing
        hour, day = fractions["hour"], fractions["day"]
        warn = settings.get("exposure.warn_fraction")
        label = self.exposure_label
        label.setText(
            f"Exposure: hour {hour:.0%} · day {day:.0%} · "
            f"session exposure {format_duration(r.session.seconds, DurationStyle.COMPACT)}"
        )
        label.setToolTip(
            f"Weighted exposure: {r.hour.weighted:.0f}s in the last hour "
            f"(limit {settings.get('exposure.cap_hour_seconds')}), {r.day.weighted:.0f}s "
            f"today (limit {settings.get('exposure.cap_day_seconds')}); {r.session.reveals} reveals this session."
        )
        set_tone(label, ALERT if max(hour, day) >= warn else "")  # the theme colours it

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
            self.break_screen.set_remaining(max(0, int(left)))
            can_end = self.scheduler.break_kind != "enforced" or left <= 0
            self.break_screen.set_can_end(can_end)

    def take_break(self) -> None:
        if self.scheduler.in_break:
            return
        try:
            self.scheduler.start_break("voluntary")
        except BreakError as exc:
            self.window.flash(str(exc))
            return
        self._enter_break("voluntary", "voluntary")

    def _show_break(self, kind: str, reason: str) -> None:
        w = self.window
        self.review.preview.end_reveal()
        self.review.picks.cancel()
        self.break_screen.show_break(
            kind,
            reason,
            self.scheduler.break_until,
            str(w.prefs.wellbeing.get("support.text")),
            now=self.clock.now(),
        )
        w.screens.set_overlay(BREAK, BREAK_REFUSAL)
        if not w.screens.hidden:
            self.break_screen.setFocus()

    def _resume(self, resumed: ResumedBreak) -> None:
        """Carry on the enforced break recovered at start-up, in its own (still open) record."""
        self.scheduler.resume(resumed.kind, resumed.reason, resumed.started_at, resumed.until)
        self._break_id = resumed.id  # before the database worker has any job of ours
        self._show_break(resumed.kind, resumed.reason)
        self.tick()
        self.break_started.emit(resumed.reason)

    def _on_quit(self) -> None:
        """A voluntary or reminder break ends with the app; an enforced one stays open to resume."""
        if self.scheduler.in_break and self.scheduler.break_kind != "enforced":
            ended = self.clock.now()
            self.scheduler.end_break()
            self._log_end(ended)

    def _enter_break(self, kind: str, reason: str) -> None:
        w = self.window
        self._show_break(kind, reason)
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

    def _log_end(self, ended: datetime) -> None:
        def log() -> None:
            # The start was queued first on the same single worker, so its id is set by now.
            if self._break_id is not None:
                self.break_log.end(self._break_id, ended)
                self._break_id = None

        self.window.ctx.tasks.run_db(log, None, self._failed)

    def _leave_break(self) -> None:
        self._log_end(self.clock.now())
        self.window.screens.set_overlay(None)
        self.review.queue.table.setFocus()
        self._feed_scheduler()
        self.update_meter()
        self.break_ended.emit()
