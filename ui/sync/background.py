"""Background sync: every ``SYNC_EVERY`` while connected, and at once on "Sync now".

Only one sync runs at a time (the sync thread runs jobs in turn, and a sync asked for while one runs is
remembered and run once after it). The indicator is refreshed after every attempt, from the status the
core records either way (online, offline since), and after every local decision (the waiting count),
from a local read on the review's read worker (a few ms; it never waits for a running sync).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from reviewer.display import visible
from reviewer.storage.database import Database
from ui.shell.frame import Frame
from ui.sync.indicator import SyncIndicator
from ui.sync.runner import SyncRunner, SyncStopped

if TYPE_CHECKING:  # the engine (push, pull, checkout, import parsing) loads with the first sync, off the
    # UI thread and after the first case is on screen (cold start)
    from reviewer.sync.engine import SyncReport, SyncStatus


def one_line(exc: BaseException) -> str:
    """A failure as the one line the status bar shows."""
    text = str(exc).strip().splitlines()
    return visible(text[0] if text else type(exc).__name__)


class BackgroundSync(QObject):
    """Owns the sync timer and the indicator; ``synced(report)`` after each successful sync."""

    synced = Signal(object)  # SyncReport
    failed = Signal(str)  # one line

    def __init__(self, window: Frame, runner: SyncRunner, indicator: SyncIndicator) -> None:
        super().__init__(window)
        self.window, self.runner, self.indicator = window, runner, indicator
        self.db = window.ctx.db
        self.running = False
        self._again = False
        self._manual = False  # the running sync was asked for by the reviewer: say how it went
        self.attempts = 0
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        runner.progressed.connect(self._on_progress)

    def start(self) -> None:
        """Read the status; the timer runs from then on (it syncs only while connected)."""
        from reviewer.sync.engine import SYNC_EVERY

        self.timer.setInterval(int(SYNC_EVERY.total_seconds() * 1000))
        self.refresh_status(then_sync=True)
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    # -- status ----------------------------------------------------------------------------------
    def refresh_status(self, then_sync: bool = False) -> None:
        """Read the local sync status (read worker) and show it; optionally sync at once if connected."""
        db = self.db

        def shown(status: SyncStatus) -> None:
            self.indicator.show_status(status, self.window.clock.now())
            if then_sync and status.connected:
                self.request()

        self.window.ctx.tasks.run_read(lambda: _status(db), shown, lambda _exc: None)

    def _tick(self) -> None:
        status = self.indicator.status
        if status is None or not status.connected:
            self.refresh_status(then_sync=True)  # connected meanwhile (``reviewer connect``)?
            return
        self.request()

    # -- syncing ---------------------------------------------------------------------------------
    def sync_now(self) -> None:
        """The reviewer's key: sync at once (or right after the running one), and say how it went."""
        self._manual = True
        if self.running:
            self.window.flash("A sync is running; another follows it")
        self.request()

    def request_if_connected(self) -> None:
        status = self.indicator.status
        if status is not None and status.connected:
            self.request()

    def request(self) -> None:
        if self.runner.stopped:
            return
        if self.running:
            self._again = True
            return
        self.running = True
        db, runner = self.db, self.runner

        def work() -> tuple[SyncReport | None, BaseException | None, SyncStatus]:
            from reviewer.sync.engine import sync_once, sync_status

            report: SyncReport | None = None
            error: BaseException | None = None
            try:
                report = sync_once(db, progress=runner.progress)
            except SyncStopped:
                raise
            except Exception as exc:  # offline, not connected, refused: shown, never raised into Qt
                error = exc
            return report, error, sync_status(db)

        runner.run(work, self._done, self._crashed)

    def _done(self, packet: tuple[SyncReport | None, BaseException | None, SyncStatus]) -> None:
        report, error, status = packet
        self.attempts += 1
        manual, self._manual = self._manual, False
        now = self.window.clock.now()
        self.indicator.status = status
        self.indicator.end_progress(now)
        if report is not None:
            if manual:
                summary = report.summary()
                self.window.flash(summary[:1].upper() + summary[1:])
            self.synced.emit(report)
        elif error is not None:
            from reviewer.sync.engine import NotConnected

            line = one_line(error)
            if isinstance(error, NotConnected):
                line = "not connected to a team server (reviewer connect URL)"
            if manual:
                self.window.flash(f"Sync failed: {line}", 10000)
            self.failed.emit(line)
        self._finish()

    def _crashed(self, exc: BaseException) -> None:
        """The job itself failed (reading the status after the sync): shown, and the next tick retries."""
        self.attempts += 1
        manual, self._manual = self._manual, False
        self.indicator.end_progress(self.window.clock.now())
        if not isinstance(exc, SyncStopped):
            if manual:
                self.window.flash(f"Sync failed: {one_line(exc)}", 10000)
            self.failed.emit(one_line(exc))
        self._finish()

    def _finish(self) -> None:
        self.running = False
        if self._again:
            self._again = False
            self.request()

    def _on_progress(self, what: str, done: int, total: int) -> None:
        """Any job's progress (a sync, a checkout's push); each job's end clears it."""
        self.indicator.show_progress(what, done, total, self.window.clock.now())


def _status(db: Database) -> SyncStatus:
    from reviewer.sync.engine import sync_status

    return sync_status(db)
