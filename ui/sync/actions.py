"""The sync feature's actions beside their handlers: sync now, take cases offline, the Conflicts view.

``install`` adds the status-bar indicator, starts the background sync (its own thread, see
``runner.py``) and stops it when the window closes. Everything that talks to the server runs on the
sync thread; settling a conflict is a local write and runs on the database worker like a decision.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from reviewer.display import visible
from reviewer.overrides import may_override
from ui.commands.registry import ActionRegistry
from ui.commands.spec import ActionSpec
from ui.review.feature import ReviewFeature
from ui.shell.frame import Frame
from ui.sync.background import BackgroundSync, one_line
from ui.sync.indicator import SyncIndicator
from ui.sync.runner import SyncRunner

if TYPE_CHECKING:  # the engine and the dialogs load on first use (cold start)
    from reviewer.sync.checkout import CheckoutReport
    from reviewer.sync.conflicts import ConflictRow
    from reviewer.sync.engine import SyncReport
    from ui.sync.conflicts_view import ConflictsDialog
    from ui.sync.offline_dialog import TakeOfflineDialog

SYNC_NOW = ActionSpec(
    "sync.now",
    "Sync now",
    "Sync",
    description="Send decisions to the team server and fetch what changed there, at once",
    safe_on_overlay=True,
)
TAKE_OFFLINE = ActionSpec(
    "sync.take_offline",
    "Take cases offline…",
    "Sync",
    description="Lease cases to this workstation for a stated time; they stay reviewable offline",
)
CONFLICTS = ActionSpec(
    "sync.conflicts",
    "Sync conflicts",
    "Sync",
    description="Cases decided on two workstations: a lead keeps one decision or takes the other",
)
ACTIONS: tuple[ActionSpec, ...] = (SYNC_NOW, TAKE_OFFLINE, CONFLICTS)
ON_SERVER = "This app works on the team server itself: there is nothing to sync"


def offline_message(report: CheckoutReport) -> str:
    """The outcome line: "12 cases are yours until 18:30; they stay reviewable offline"."""
    n = len(report.case_ids)
    if n == 0:
        return "No workable case was free to take offline"
    until = report.expires_at.astimezone().strftime("%H:%M")
    cases = "1 case is" if n == 1 else f"{n:,} cases are"
    return f"{cases} yours until {until}; they stay reviewable offline"


class SyncFeature:
    """The indicator, the background sync, and the two dialogs."""

    def __init__(self, window: Frame, review: ReviewFeature) -> None:
        self.window, self.review, self.ctx = window, review, window.ctx
        self.runner = SyncRunner(window)
        self.indicator = SyncIndicator()
        window.add_status(self.indicator)
        self.background = BackgroundSync(window, self.runner, self.indicator)
        self.background.synced.connect(self._after_sync)
        review.flow.counters_changed.connect(self.background.refresh_status)  # the waiting count
        self.offline_dialog: TakeOfflineDialog | None = None
        self.conflicts: ConflictsDialog | None = None
        self.last_offline: CheckoutReport | None = None
        window.on_close(self.stop)
        window.on_shutdown(self.stop)

    @property
    def working_copy(self) -> bool:
        """Only a SQLite working copy syncs: an app opened on a server database (``--db URL``) works on
        the server itself and has nothing to sync with it."""
        return self.ctx.db.file is not None

    def start(self) -> None:
        if self.working_copy:
            self.background.start()

    def stop(self) -> None:
        self.background.stop()
        self.runner.stop()

    def _after_sync(self, report: SyncReport) -> None:
        """Pulled cases change the count; an empty queue (a first pull) shows them at once. A queue
        with a case on screen is not reloaded under the reviewer: new rows come with the next filter."""
        self.review.refresh_count()
        if report.pulled.states or report.pulled.decisions:
            self.review.flow.recheck_current()  # decided or taken elsewhere: said, and the case leaves
        if report.pulled.cases and self.review.model.rowCount() == 0:
            self.review.apply_filter(self.review.queue.current_filter())
        if self.conflicts is not None and self.conflicts.isVisible():
            self.load_conflicts()

    # -- sync now --------------------------------------------------------------------------------
    def sync_now(self) -> None:
        if not self.working_copy:
            self.window.flash(ON_SERVER)
            return
        self.background.sync_now()

    # -- take offline ----------------------------------------------------------------------------
    def ask_offline(self) -> None:
        from ui.sync.offline_dialog import TakeOfflineDialog

        if self.offline_dialog is not None:
            self.offline_dialog.deleteLater()  # the last one, closed: one dialog object at a time
        dialog = TakeOfflineDialog(self.window)
        dialog.accepted.connect(lambda: self.take_offline(*dialog.request()))
        dialog.finished.connect(lambda _r: self.window.refocus())
        self.offline_dialog = dialog
        dialog.open()

    def take_offline(self, cases: int, hours: float) -> None:
        """Lease ``cases`` for ``hours`` on the sync thread; say the outcome and reload the queue."""
        if not self.working_copy:
            self.window.flash(ON_SERVER)
            return
        db, runner = self.ctx.db, self.runner
        self.window.flash(f"Taking {cases:,} cases offline…", 30000)

        def work() -> CheckoutReport:
            from reviewer.sync.engine import take_offline

            return take_offline(db, cases=cases, hours=hours, progress=runner.progress)

        runner.run(work, self._taken, self._not_taken)

    def _not_taken(self, exc: BaseException) -> None:
        self.indicator.end_progress(self.window.clock.now())
        self.window.flash(f"Cases not taken offline: {one_line(exc)}", 15000)
        self.background.refresh_status()  # an unreachable server is now "offline since"

    def _taken(self, report: CheckoutReport) -> None:
        """The leases belong to the checkout's session: this running session takes them over (a write,
        on the database worker), then the queue reloads so the leased cases appear."""
        from reviewer.sync.adopt import adopt_leases

        ctx = self.ctx
        db, reviewer, session_id = ctx.db, ctx.reviewer, ctx.session_id
        self.indicator.end_progress(self.window.clock.now())

        def adopted(_n: int) -> None:
            self.last_offline = report
            self.window.flash(offline_message(report), 15000)
            self.review.apply_filter(self.review.queue.current_filter())
            self.background.refresh_status()

        ctx.tasks.run_db(
            lambda: adopt_leases(db, reviewer, session_id),
            adopted,
            lambda exc: self.window.flash(
                f"Offline cases not taken into this session: {one_line(exc)}", 15000
            ),
        )

    # -- conflicts -------------------------------------------------------------------------------
    def show_conflicts(self) -> None:
        from ui.sync.conflicts_view import ConflictsDialog

        lead = may_override(self.ctx.reviewer)
        if self.conflicts is not None:
            self.conflicts.deleteLater()
        dialog = ConflictsDialog(lead=lead, settle=self.settle, parent=self.window)
        dialog.finished.connect(lambda _r: self.window.refocus())
        self.conflicts = dialog
        dialog.open()
        self.load_conflicts()

    def load_conflicts(self) -> None:
        from reviewer.sync.conflicts import list_conflicts

        db = self.ctx.db

        def shown(rows: list[ConflictRow]) -> None:
            if self.conflicts is not None:
                self.conflicts.set_rows(rows)

        def failed(exc: BaseException) -> None:
            if self.conflicts is not None:
                self.conflicts.set_message(f"Conflicts not read: {one_line(exc)}")

        self.ctx.tasks.run_read(lambda: list_conflicts(db), shown, failed)

    def settle(self, conflict: ConflictRow, choice: str, reason: str) -> None:
        """Keep or take, on the database worker (a write like a decision); then reload the list."""
        from reviewer.sync.conflicts import keep_standing, take_pushed
        from ui.sync.conflicts_view import KEEP

        ctx = self.ctx
        db, lead, pack, session_id = ctx.db, ctx.reviewer, ctx.pack, ctx.session_id
        conflict_id: uuid.UUID = conflict.id
        work: Callable[[], Any]
        if choice == KEEP:
            work = lambda: keep_standing(db, conflict_id, lead=lead, reason=reason)  # noqa: E731
        else:
            work = lambda: take_pushed(  # noqa: E731
                db, conflict_id, lead=lead, reason=reason, pack=pack, session_id=session_id
            )
        what = "kept the standing decision" if choice == KEEP else "took the pushed decision"
        case = visible(conflict.external_id)

        def done(_result: object) -> None:
            self.window.flash(f"Conflict on {case}: {what}")
            if self.conflicts is not None:
                self.conflicts.set_message(f"{case}: {what}")
            self.load_conflicts()
            self.background.refresh_status()
            self.background.request_if_connected()  # the settlement travels with the next push

        ctx.tasks.run_db(work, done, self._conflict_error)

    def _conflict_error(self, exc: BaseException) -> None:
        line = one_line(exc)
        self.window.flash(f"Conflict not settled: {line}", 10000)
        if self.conflicts is not None:
            self.conflicts.set_message(line)
            self.load_conflicts()


def install(window: Frame, registry: ActionRegistry, review: ReviewFeature) -> SyncFeature:
    feature = SyncFeature(window, review)
    registry.register(SYNC_NOW, feature.sync_now)
    registry.register(TAKE_OFFLINE, feature.ask_offline)
    registry.register(CONFLICTS, feature.show_conflicts)
    return feature
