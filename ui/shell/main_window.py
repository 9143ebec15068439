"""The composition root: the frame, the action registry, and every feature installed into them.

Nothing here handles a key or a case. Each feature package's ``install`` adds its panels and registers
its actions with their handlers; this module only decides the order (review first: wellbeing watches
its reveals) and what belongs to the running app as a whole: the app's own Quit, the key bindings,
WAL checkpoints, the session-start backup and the session's end.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QMessageBox

from reviewer.audit.checkpoints import EVERY as ANCHOR_EVERY
from reviewer.audit.checkpoints import checkpoint_if_due
from reviewer.audit.keys import keyring_problem
from reviewer.clock import Clock, SystemClock
from reviewer.identity import end_session
from reviewer.media.preview import PreviewSpec
from reviewer.vault.opening import read_key_ahead
from reviewer.wellbeing.settings import WellbeingSettings
from ui import (
    appeals,
    casepanel,
    commands,
    dsa,
    escalations,
    investigations,
    metrics,
    policy_updates,
    qa,
    reports,
    responses,
    review,
    sync,
)
from ui import wellbeing as wellbeing_feature
from ui.accessibility import actions as accessibility
from ui.commands.keymap import Keymap, load_user_overrides
from ui.commands.registry import ActionRegistry
from ui.commands.spec import ActionSpec
from ui.shell import at_rest_label, heap
from ui.shell.context import AppContext, start_context
from ui.shell.exposure import after_exposed
from ui.shell.frame import Frame
from ui.shell.plain import message_box
from ui.shell.prefs import Preferences, load_wellbeing_settings

__all__ = ["ACTIONS", "MainWindow", "action_specs", "start_context"]

CHECKPOINT_MS = 5000  # WAL checkpoints off the decision path
AUDIT_ANCHOR_MS = int(ANCHOR_EVERY.total_seconds() * 1000)  # signed audit checkpoints, off the path too
BACKUP_DELAY_MS = 1500  # after the first case is on screen
#: When the first case has not been shown by then (a very slow start), the backup starts anyway.
BACKUP_LATEST_MS = 10_000
LATE_START_MS = 50  # after the first case is shown: its paint comes first

QUIT = ActionSpec("app.quit", "Quit", "App", safe_when_hidden=True, safe_on_overlay=True)
ACTIONS: tuple[ActionSpec, ...] = (QUIT,)


def action_specs() -> tuple[ActionSpec, ...]:
    """Every action the app registers, in registration order (for the keymap file's checks)."""
    return (
        *review.ACTIONS,
        *casepanel.ACTIONS,
        *wellbeing_feature.ACTIONS,
        *commands.ACTIONS,
        *accessibility.ACTIONS,
        *metrics.ACTIONS,
        *sync.ACTIONS,
        *escalations.ACTIONS,
        *investigations.ACTIONS,
        *responses.ACTIONS,
        *policy_updates.ACTIONS,
        *reports.ACTIONS,
        *dsa.ACTIONS,
        *qa.ACTIONS,
        *appeals.ACTIONS,
        *ACTIONS,
    )


class MainWindow(Frame):
    def __init__(
        self,
        ctx: AppContext,
        spec: PreviewSpec | None = None,
        wellbeing: WellbeingSettings | None = None,
        clock: Clock | None = None,
    ) -> None:
        settings = QSettings()
        prefs = Preferences(settings, wellbeing or load_wellbeing_settings(settings))
        super().__init__(ctx, prefs, clock or SystemClock(), settings)
        prefs.setParent(self)
        self.registry = ActionRegistry(self)
        self.registry.add_guard(self.screens.guard)
        self.registry.refused.connect(lambda _action, why: self.flash(why))
        # The first case's texts need the vault's key: read on the io worker beside the build and the
        # first page (its keyring imports are ~50-100 ms), not after them.
        ctx.tasks.run_io(lambda: read_key_ahead(ctx.db), None, _ignore)
        self.review = review.install(self, self.registry, spec)
        self.review.read_first_page()  # read while the other features are installed
        self.case_panel = casepanel.install(self, self.registry, self.review)
        self.wellbeing = wellbeing_feature.install(self, self.registry, self.review)
        commands.install(self, self.registry)
        self.accessibility = accessibility.install(self, self.registry)
        self.metrics = metrics.install(self, self.registry)
        self.at_rest = at_rest_label.install(self)
        self.sync = sync.install(self, self.registry, self.review)
        self.escalations = escalations.install(self, self.registry, self.review, self.case_panel)
        self.investigations = investigations.install(self, self.registry, self.review)
        self.responses = responses.install(self, self.registry, self.review)
        self.policy_work = policy_updates.install(self, self.registry, self.review)
        self.reports = reports.install(
            self, self.registry, pool=self.review.cache.pool, current=self.investigations.current_id
        )
        self.dsa = dsa.install(self, self.registry, self.review)
        self.qa = qa.install(self, self.registry, self.review)
        self.appeals = appeals.install(self, self.registry, self.review)
        self.registry.register(QUIT, self.quit)
        self.keymap = Keymap.load(self.registry.specs(), overrides=load_user_overrides(settings))
        self.registry.set_keymap(self.keymap)
        if self.keymap.conflicts or self.keymap.unknown:
            problems = "; ".join([*map(str, self.keymap.conflicts), *self.keymap.unknown])
            self.flash(f"Keymap problems: {problems}", 15000)
        self.restore_layout()
        self._checkpoint_timer = QTimer(self)
        self._checkpoint_timer.setInterval(CHECKPOINT_MS)
        self._checkpoint_timer.timeout.connect(lambda: ctx.tasks.run_io(ctx.db.checkpoint, None, _ignore))
        self._checkpoint_timer.start()
        # A decision never waits for an audit checkpoint: the window anchors the chain from this timer (and
        # end_session anchors at quit) instead of the write that makes one due (start_context set that).
        self._anchor_timer = QTimer(self)
        self._anchor_timer.setInterval(AUDIT_ANCHOR_MS)
        self._anchor_timer.timeout.connect(self._anchor)
        self._anchor_timer.start()
        self.on_shutdown(self._end_session)
        self._late_started = False
        self.frozen_objects = 0
        self._after_started = False
        self.review.selection.case_shown.connect(self._first_case_shown)
        self.review.start()
        QTimer.singleShot(BACKUP_DELAY_MS, self._start_late)  # at the latest (no case_shown yet)
        # Counted from the first case on screen, not from here: on a slow start the backup's copy (and
        # the keyring probe) would otherwise run beside the first case's load.
        QTimer.singleShot(BACKUP_LATEST_MS, self._after_first_case)
        # The shortcuts now; the application-wide key filters (the registry's, then Frame.when_started's)
        # once the first case is on screen: installed earlier they would see every event of the build
        # and of the first paint, a Python call each, and each kind of Qt object they first meet makes
        # PySide create its Python type (its enums) then: ~0.1 s in all, before the first case.
        self.registry.attach(self, watch=False)
        self.when_started(self.registry.watch_keys)
        self.registry.used_unwatched.connect(self.started)  # a key used before the first case: now

    def _first_case_shown(self, _view: object) -> None:
        self.review.selection.case_shown.disconnect(self._first_case_shown)
        # Shown before the window's first expose (read before the build was done), the case is painted
        # inside that expose: what follows its paint waits for it.
        after_exposed(self, self._first_case_on_screen)

    def _first_case_on_screen(self) -> None:
        self.started()
        QTimer.singleShot(LATE_START_MS, self._start_late)
        QTimer.singleShot(BACKUP_DELAY_MS, self._after_first_case)

    def _start_late(self) -> None:
        """What the first case never waits for (their reads would queue before the first case's load
        on the read worker, and the sync engine's imports are a tenth of a second): the background sync
        and the policy changes since the last session, started once the first case (or the empty queue)
        is shown, at the latest with the backup."""
        if self._late_started or self.ctx.tasks.closed:
            return
        self._late_started = True
        self.started()  # no case shown yet (a very slow start): the key filters start now
        self.sync.start()
        self.policy_work.start()
        # After the sync engine's imports on this thread: its keyring probe imports on the io worker, and
        # imports on two threads at once once broke pydantic's import under PySide's import hook (its
        # inspect.getsource ran pydantic's module __getattr__; ``ui.shell.feature_check`` no longer does).
        self.at_rest.refresh()  # may seal an older database on the io worker: after the first case
        self.frozen_objects = heap.freeze_start_up()  # no full collection walks the start-up objects again
        self.on_shutdown(heap.thaw)

    def _after_first_case(self) -> None:
        """Start-up work the first case on screen never waits for, all off the UI thread (once)."""
        if self._after_started or self.ctx.tasks.closed:
            return
        self._after_started = True
        ctx = self.ctx
        self._start_late()
        self._anchor()  # the session start, anchored
        # Probing the OS keyring imports and scans a lot.
        ctx.tasks.run_io(keyring_problem, self._keyring_checked, _ignore)
        ctx.start_backup(lambda exc: self.flash(f"Session-start backup failed: {exc}", 30000))

    def _keyring_checked(self, problem: str | None) -> None:
        if problem:
            self.flash(f"Audit checkpoints are not signed: {problem}", 30000)

    def _anchor(self) -> None:
        db = self.ctx.db
        self.ctx.tasks.run_db(
            lambda: checkpoint_if_due(db),
            None,
            lambda exc: self.flash(f"Audit checkpoint not written: {exc}"),
        )

    def _end_session(self) -> None:
        try:
            self.ctx.tasks.wait_db_idle()
            end_session(self.ctx.db, self.ctx.reviewer, self.ctx.session_id)
        except Exception as exc:  # the session end is bookkeeping; never lose the exit over it
            message_box(QMessageBox.Icon.Warning, "Session end not recorded", str(exc), self).exec()


def _ignore(_exc: BaseException) -> None:
    """For background work whose failure changes nothing: a WAL checkpoint is retried by the next tick
    (SQLite checkpoints on its own too); a keyring probe that fails is simply not reported."""
