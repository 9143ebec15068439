"""The wellbeing feature's actions beside their handlers: panic, greyscale, breaks, settings, summary.

``install`` adds the exposure meter, the break screen and the panic screen to the window, registers the
actions, and shows the end-of-session summary before quitting when anything was decided.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt

from reviewer.wellbeing.settings import SettingsError
from reviewer.wellbeing.summary import SessionSummary, session_summary
from ui.commands.actions import KEYMAP
from ui.commands.registry import ActionRegistry
from ui.commands.spec import ActionSpec
from ui.review.feature import ReviewFeature
from ui.shell.frame import Frame
from ui.shell.plain import plain_label
from ui.shell.screens import HIDDEN
from ui.wellbeing.controller import WellbeingController
from ui.wellbeing.panic import Panic, PanicKeys

PANIC = ActionSpec("view.panic", "Panic: hide everything", "View", safe_when_hidden=True, safe_on_overlay=True)
PANIC_GLOBAL = ActionSpec(
    "view.panic_global",
    "Panic from anywhere in the app (dialogs too)",
    "View",
    app_wide=True,
    description="Hides all content even while a dialog is open",
    safe_when_hidden=True,
    safe_on_overlay=True,
)
GREYSCALE = ActionSpec("view.greyscale", "Greyscale", "View")
SETTINGS = ActionSpec("app.settings", "Settings", "App", safe_on_overlay=True)
SUMMARY = ActionSpec("app.summary", "Session summary", "App", safe_on_overlay=True)
TAKE_BREAK = ActionSpec("app.take_break", "Take a break now", "App")
ACTIONS: tuple[ActionSpec, ...] = (GREYSCALE, PANIC, PANIC_GLOBAL, SETTINGS, SUMMARY, TAKE_BREAK)


class WellbeingFeature:
    """The wellbeing controller plus the window-level safeguards (panic, summary, settings)."""

    panic_keys: PanicKeys | None = None
    open_keymap: Callable[[], None] | None = None  # the keymap editor, reachable from Settings

    def __init__(self, window: Frame, review: ReviewFeature) -> None:
        self.window, self.review = window, review
        self.blank = plain_label("Content hidden.\n\nPress Esc or F12 to return (media comes back blurred).")
        self.blank.setObjectName("panicScreen")
        self.blank.setAccessibleName("Content hidden")
        self.blank.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.blank.setAutoFillBackground(True)
        window.screens.add(HIDDEN, self.blank)
        self.controller = WellbeingController(window, review)
        self.panic = Panic(window, review)

    # -- panic: the rule for Escape and F12 lives in ui/wellbeing/panic.py ------------------------
    def toggle_panic(self) -> None:
        """Esc in the main window: cancel an open prompt; with none open, hide (or restore) everything."""
        self.panic.escape()

    def panic_everywhere(self) -> None:
        """F12 from any window: cancel every prompt and hide; with none open, hide or restore."""
        self.panic.panic_key()

    # -- settings --------------------------------------------------------------------------------
    def toggle_greyscale(self) -> None:
        """G: colour on/off, through the settings so the organisation's floor still holds."""
        prefs = self.window.prefs
        wanted = not prefs.wellbeing.get("display.greyscale")
        try:
            prefs.set_value("display.greyscale", wanted)
        except SettingsError as exc:
            self.window.flash(str(exc))
            return
        self.window.flash("Greyscale on" if wanted else "Colour on (greyscale off)")

    def open_settings(self) -> None:
        from ui.wellbeing.settings_dialog import SettingsDialog  # loaded when first opened

        dialog = SettingsDialog(
            self.window.prefs.wellbeing,
            self.window,
            open_keymap=self.open_keymap,
            theme=self.window.prefs.theme,
        )
        if dialog.exec():
            self.window.prefs.update(dialog.settings)
            self.window.prefs.set_theme(dialog.theme)
            self.window.flash("Settings saved.")
        self.window.refocus()

    # -- summary ---------------------------------------------------------------------------------
    def session_summary(self) -> SessionSummary:
        """The session's summary, read on the db-read worker (this waits for it)."""
        return self.window.ctx.tasks.run_read(self._read_summary).result()

    def _read_summary(self) -> SessionSummary:
        ctx = self.window.ctx
        return session_summary(ctx.db, ctx.reviewer.id, ctx.session_id, self.controller.clock)

    def show_summary(self) -> None:
        self.review.preview.end_reveal()
        self.window.ctx.tasks.run_read(self._read_summary, self._show_summary)

    def _show_summary(self, summary: SessionSummary) -> None:
        support = str(self.window.prefs.wellbeing.get("support.text"))
        from ui.wellbeing.summary_dialog import SummaryDialog  # loaded when first shown

        SummaryDialog(summary, support, self.window).exec()
        self.window.refocus()

    def summary_before_quit(self) -> None:
        """Ctrl+Q: the end-of-session summary first (content hidden behind it), when anything was decided,
        skipped or undone in this session (the database's figures, as the status bar shows them)."""
        summary = self.session_summary()
        figures = summary.figures
        if figures.decisions or figures.undone:
            self.review.preview.end_reveal()
            self.review.preview.set_hidden(True)
            self.window.screens.set_hidden(True)
            self._show_summary(summary)


def install(window: Frame, registry: ActionRegistry, review: ReviewFeature) -> WellbeingFeature:
    """Add the wellbeing safeguards to ``window`` and register their actions with their handlers."""
    feature = WellbeingFeature(window, review)
    registry.register(GREYSCALE, feature.toggle_greyscale)
    registry.register(PANIC, feature.toggle_panic)
    registry.register(PANIC_GLOBAL, feature.panic_everywhere)
    feature.panic_keys = PanicKeys(window, registry, PANIC_GLOBAL.id)
    window.when_started(feature.panic_keys.watch)
    registry.register(SETTINGS, feature.open_settings)
    registry.register(SUMMARY, feature.show_summary)
    registry.register(TAKE_BREAK, feature.controller.take_break)
    feature.open_keymap = lambda: registry.trigger(KEYMAP.id)  # registered by ui.commands, run on click
    window.before_quit(feature.summary_before_quit)
    return feature
