"""The main window: queue | preview | policy panel, status bar, and every action wired to a key."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMessageBox, QSplitter, QStackedWidget

from reviewer.clock import Clock, utcnow
from reviewer.media.preview import PreviewSpec
from reviewer.queue import categories, channels, count
from reviewer.wellbeing.rotation import RotationAdvisor
from reviewer.wellbeing.settings import SettingsError, WellbeingSettings
from reviewer.wellbeing.summary import session_summary
from ui.break_screen import BreakScreen
from ui.commands import ActionRegistry, CheatSheet, CommandPalette, Keymap
from ui.commands.keymap import load_user_overrides
from ui.context import AppContext, start_context
from ui.policy_panel import PolicyPanel
from ui.preview_cache import PreviewCache
from ui.preview_pane import PreviewPane
from ui.queue_model import QueueModel, format_sla
from ui.queue_panel import QueuePanel
from ui.review_controller import ReviewController
from ui.settings_dialog import SettingsDialog
from ui.settings_store import load_wellbeing_settings, preview_spec_from, save_wellbeing_settings
from ui.summary_dialog import SummaryDialog
from ui.wellbeing_controller import BREAK_SAFE, WellbeingController

__all__ = ["MainWindow", "start_context"]

CHECKPOINT_MS = 5000  # WAL checkpoints off the decision path
BACKUP_DELAY_MS = 1500  # after the first case is on screen
DECISION_ACTIONS = ("keep", "remove", "restrict", "escalate", "skip", "warn", "strike", "suspend")


class MainWindow(QMainWindow):
    def __init__(
        self,
        ctx: AppContext,
        spec: PreviewSpec | None = None,
        wellbeing: WellbeingSettings | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle(f"Reviewer Workstation — {ctx.reviewer.handle} — {ctx.db.label}")
        self.resize(1480, 900)
        self.settings = QSettings()
        self.wellbeing_settings = wellbeing or load_wellbeing_settings(self.settings)
        self.spec = spec or preview_spec_from(self.wellbeing_settings)
        with ctx.db.read() as s:
            channel_codes, category_keys = channels(s), categories(s)
        self.model = QueueModel(ctx.db)
        self.model.use_worker(lambda work, done: ctx.tasks.run_read(work, done))
        self.queue = QueuePanel(self.model, channel_codes, category_keys)
        self.preview = PreviewPane()
        self.policy = PolicyPanel(ctx.pack)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        for w in (self.queue, self.preview, self.policy):
            self.splitter.addWidget(w)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([500, 600, 340])
        self.blank = QLabel("Content hidden.\n\nPress Esc or F12 to return (media comes back blurred).")
        self.blank.setObjectName("panicScreen")
        self.blank.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.blank.setAutoFillBackground(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.blank)
        self.break_screen = BreakScreen()
        self.stack.addWidget(self.break_screen)
        self.setCentralWidget(self.stack)
        self.cache = PreviewCache(ctx.tasks, self.spec)
        self.controller = ReviewController(
            ctx, self.model, self.queue.table, self.preview, self.policy, self.cache, parent=self
        )
        self._build_status_bar()
        self.controller.rotation = RotationAdvisor(self.wellbeing_settings)
        self.wellbeing = WellbeingController(self, self.wellbeing_settings, clock)
        self.preview.monotonic = self.wellbeing.clock.monotonic
        self.controller.activity.connect(self.wellbeing.on_activity)
        self._apply_wellbeing_settings()
        self.keymap = Keymap.load(overrides=load_user_overrides(self.settings))
        self.registry = ActionRegistry(self.keymap, self)
        self.registry.install(self)
        self.registry.triggered.connect(self.dispatch)
        self.registry.held.connect(self._on_held)
        self.controller.status.connect(self.flash)
        self.controller.counters_changed.connect(self._update_counters)
        self.controller.counters_changed.connect(self.refresh_count)
        self.controller.case_shown.connect(lambda _v: self._update_sla_label())
        self.queue.filter_changed.connect(self.apply_filter)
        self.model.loaded.connect(lambda: self.controller.select_row(0))
        self._restore_layout()
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self._checkpoint_timer = QTimer(self)
        self._checkpoint_timer.setInterval(CHECKPOINT_MS)
        self._checkpoint_timer.timeout.connect(
            lambda: ctx.tasks.run_io(ctx.db.checkpoint, None, lambda _e: None)
        )
        self._checkpoint_timer.start()
        if self.keymap.conflicts or self.keymap.unknown:
            problems = "; ".join([*map(str, self.keymap.conflicts), *self.keymap.unknown])
            self.flash(f"Keymap problems: {problems}", 15000)
        self.apply_filter(self.queue.current_filter())
        self.queue.table.setFocus()
        QTimer.singleShot(
            BACKUP_DELAY_MS,
            lambda: ctx.start_backup(lambda exc: self.flash(f"Session-start backup failed: {exc}", 30000)),
        )

    # -- layout --------------------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.sla_label = QLabel()
        self.counters_label = QLabel()
        self.exposure_label = QLabel("Exposure 0s")
        self.pack_label = QLabel(f"Policy {self.ctx.pack.version}")
        for w in (self.sla_label, self.counters_label, self.exposure_label, self.pack_label):
            bar.addPermanentWidget(w)
        self._update_counters()

    def _restore_layout(self) -> None:
        state = self.settings.value("window/splitter")
        if isinstance(state, QByteArray | bytes):
            self.splitter.restoreState(QByteArray(state))
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(QByteArray(geometry))

    def save_layout(self) -> None:
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.sync()

    def flash(self, text: str, ms: int = 6000) -> None:
        self.statusBar().showMessage(text, ms)

    def _update_counters(self) -> None:
        c = self.controller
        self.counters_label.setText(f"Session: {c.decided} decided · {c.undone} undone")

    def _tick(self) -> None:
        self.model.refresh_sla()
        self._update_sla_label()

    def _update_sla_label(self) -> None:
        view = self.controller.current
        if view is None:
            self.sla_label.setText("SLA —")
        else:
            left = format_sla(view.sla_deadline, utcnow())
            self.sla_label.setText(f"SLA {left}" + (" OVERDUE" if left.startswith("-") else ""))

    # -- queue ---------------------------------------------------------------------------------
    def apply_filter(self, flt) -> None:  # type: ignore[no-untyped-def]
        self.controller.current = None
        self.queue.set_count("Searching…" if flt.text else "Loading…")
        self.model.set_filter(flt)  # rows arrive off the UI thread; `loaded` shows the first case
        self.refresh_count()

    def refresh_count(self) -> None:
        """The match count for the model's filter (capped, on the read worker); also after decisions."""
        db, flt = self.ctx.db, self.model.filter
        self.ctx.tasks.run_read(
            lambda: _count(db, flt),
            lambda n: self.queue.set_count(f"{n:,}{'+' if n >= 100_000 else ''} cases match"),
        )

    # -- actions -------------------------------------------------------------------------------
    def dispatch(self, action_id: str) -> None:
        c = self.controller
        group, _, name = action_id.partition(".")
        if action_id == "view.panic_global":
            action_id = "view.panic"
        if self.preview.hidden and action_id not in ("view.panic", "app.quit", "app.cheatsheet"):
            self.flash("Content is hidden — press Esc or F12 to return first.")
            return
        if self.wellbeing.scheduler.in_break and action_id not in BREAK_SAFE:
            self.flash("On a break: content and decisions are paused. Enter ends the break when allowed.")
            return
        if group == "decision":
            if name in DECISION_ACTIONS:
                c.act(name)
            elif name == "undo":
                c.undo()
            elif name == "note":
                c.note()
            else:
                c.apply_to_duplicates()
        elif group == "policy":
            if name == "search":
                self.policy.focus_search()
            else:
                c.pick_number(int(name.rsplit("_", 1)[1]))
        elif action_id == "view.reveal_toggle":
            self.preview.toggle_reveal("toggle")
        elif action_id == "view.spotlight":
            self.preview.toggle_reveal("spotlight")
        elif action_id == "view.greyscale":
            self.toggle_greyscale()
        elif action_id == "view.panic":
            self.toggle_panic()
        elif action_id == "view.next_frame":
            self.preview.step_frame(1)
        elif action_id == "view.prev_frame":
            self.preview.step_frame(-1)
        elif action_id == "view.next_item":
            self.preview.step_item(1)
        elif action_id == "view.prev_item":
            self.preview.step_item(-1)
        elif action_id == "queue.next":
            c.step(1)
        elif action_id == "queue.prev":
            c.step(-1)
        elif action_id == "queue.filter":
            self.queue.channel.setFocus()
            self.queue.channel.showPopup()
        elif action_id == "queue.search":
            self.queue.search.setFocus()
            self.queue.search.selectAll()
        elif action_id == "queue.clear_filter":
            self.queue.clear()
            self.queue.table.setFocus()
        elif action_id == "app.palette":
            CommandPalette(self.registry, self).exec()
            self._refocus()
        elif action_id == "app.cheatsheet":
            CheatSheet(self.registry, self).exec()
            self._refocus()
        elif action_id == "app.settings":
            self.open_settings()
        elif action_id == "app.summary":
            self.show_summary()
        elif action_id == "app.take_break":
            self.wellbeing.take_break()
        elif action_id == "app.quit":
            self.quit_with_summary()
        else:
            self.flash(f"{action_id} is not available yet.")

    def _on_held(self, action_id: str, pressed: bool) -> None:
        if action_id != "view.reveal_hold":
            return
        if pressed and not self.preview.hidden:
            self.preview.begin_reveal("hold")
        elif not pressed and self.preview.canvas.reveal_mode == "hold":
            self.preview.end_reveal()

    # -- wellbeing -----------------------------------------------------------------------------
    def _apply_wellbeing_settings(self) -> None:
        ws = self.wellbeing_settings
        self.preview.confirm_threshold = int(ws.get("display.confirm_reveal_severity"))
        self.preview.show_warnings = bool(ws.get("warnings.severe_warning"))
        self.preview.canvas.set_spotlight_radius(int(ws.get("display.spotlight_radius")))
        self.controller.rotation = RotationAdvisor(ws)
        self.set_spec(preview_spec_from(ws))

    def _refocus(self) -> None:
        """After a dialog: keys go back to the review window (some X setups leave focus nowhere)."""
        self.activateWindow()
        if self.stack.currentIndex() == 0 and not (
            QApplication.focusWidget() and self.isAncestorOf(QApplication.focusWidget())
        ):
            self.queue.table.setFocus()

    def toggle_greyscale(self) -> None:
        """G: colour on/off, through the settings so the organisation's floor still holds."""
        wanted = not self.wellbeing_settings.get("display.greyscale")
        try:
            self.wellbeing_settings.set("display.greyscale", wanted)
        except SettingsError as exc:
            self.flash(str(exc))
            return
        save_wellbeing_settings(self.settings, self.wellbeing_settings)
        self._apply_wellbeing_settings()
        self.flash("Greyscale on" if wanted else "Colour on (greyscale off)")

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.wellbeing_settings, self)
        if dialog.exec():
            self.wellbeing_settings = dialog.settings
            self.wellbeing.settings = dialog.settings
            self.wellbeing.scheduler.settings = dialog.settings
            save_wellbeing_settings(self.settings, dialog.settings)
            self._apply_wellbeing_settings()
            self.wellbeing.update_meter()
            self.flash("Settings saved.")
        self._refocus()

    def session_summary(self):  # type: ignore[no-untyped-def]
        return session_summary(self.ctx.db, self.ctx.reviewer.id, self.ctx.session_id, self.wellbeing.clock)

    def show_summary(self) -> None:
        self.preview.end_reveal()
        SummaryDialog(self.session_summary(), str(self.wellbeing_settings.get("support.text")), self).exec()
        self._refocus()

    def show_break_screen(self, kind: str, reason: str, until, support: str) -> None:  # type: ignore[no-untyped-def]
        self.preview.end_reveal()
        self.break_screen.show_break(kind, reason, until, support)
        self.stack.setCurrentIndex(2)
        self.break_screen.setFocus()

    def hide_break_screen(self) -> None:
        self.stack.setCurrentIndex(1 if self.preview.hidden else 0)
        self.queue.table.setFocus()

    def set_spec(self, spec: PreviewSpec) -> None:
        self.spec = spec
        self.cache.set_spec(spec)
        view = self.controller.current
        self.controller.current = None
        if view is not None:
            self.controller.select_row(self.controller.current_row())

    def toggle_panic(self) -> None:
        if self.controller.pending_action is not None:
            self.controller.cancel_pick()
            return
        hide = not self.preview.hidden
        self.preview.set_hidden(hide)
        if self.wellbeing.scheduler.in_break:
            self.stack.setCurrentIndex(1 if hide else 2)
            return
        self.stack.setCurrentIndex(1 if hide else 0)
        if not hide:
            self.queue.table.setFocus()

    # -- shutdown ------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self.preview.end_reveal()
        self.ctx.tasks.wait_db_idle()
        self.save_layout()
        super().closeEvent(event)

    def quit_with_summary(self) -> None:
        """Ctrl+Q: the end-of-session summary first (content hidden behind it), then close."""
        if self.controller.decided:
            self.preview.end_reveal()
            self.stack.setCurrentIndex(1)
            self.show_summary()
        self.close()

    def shutdown(self) -> None:
        from reviewer.identity import end_session

        self.preview.end_reveal()
        self.controller.release_current()
        try:
            self.ctx.tasks.wait_db_idle()
            end_session(self.ctx.db, self.ctx.reviewer, self.ctx.session_id)
        except Exception as exc:  # the session end is bookkeeping; never lose the exit over it
            QMessageBox.warning(self, "Session end not recorded", str(exc))
        self.ctx.tasks.shutdown()


def _count(db, flt) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return count(s, flt, cap=100_000)
