"""The thin main-window frame every feature package installs itself into.

The frame knows no feature. It offers slots and hooks: side-by-side panels in the work area, screens
(work, panic, overlays) through :class:`Screens`, permanent status-bar widgets, a transient status line,
the shared :class:`Preferences`, the clock, and hooks run before quitting, on close and at shutdown.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QSplitter, QStackedWidget, QWidget

from reviewer.clock import Clock
from reviewer.display import visible
from ui.accessibility.elide import elide_when_short
from ui.shell.context import AppContext
from ui.shell.prefs import Preferences
from ui.shell.screens import WORK, Screens


class Frame(QMainWindow):
    """Splitter of panels inside a stack of screens, a status bar, and lifecycle hooks."""

    def __init__(self, ctx: AppContext, prefs: Preferences, clock: Clock, settings: QSettings) -> None:
        super().__init__()
        self.ctx, self.prefs, self.clock, self.settings = ctx, prefs, clock, settings
        self.set_subject(None)
        self.resize(1480, 900)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.stack = QStackedWidget()
        self.screens = Screens(self.stack, self)
        self.screens.add(WORK, self.splitter)
        self.setCentralWidget(self.stack)
        self._widths: list[int] = []
        self._before_quit: list[Callable[[], None]] = []
        self._on_close: list[Callable[[], None]] = []
        self._on_shutdown: list[Callable[[], None]] = []
        self._when_started: list[Callable[[], None]] | None = []
        self.work_focus: QWidget | None = None  # where keys go when the work area comes back

    # -- slots -----------------------------------------------------------------------------------
    def add_panel(self, widget: QWidget, *, width: int, stretch: int = 0) -> None:
        """A panel in the work area, left to right in the order added."""
        self.splitter.addWidget(widget)
        self.splitter.setStretchFactor(self.splitter.count() - 1, stretch)
        self._widths.append(width)
        self.splitter.setSizes(self._widths)

    def add_status(self, widget: QWidget) -> None:
        if isinstance(widget, QLabel) and widget.textFormat() != Qt.TextFormat.RichText:
            elide_when_short(widget)  # at a large font the status bar must not set the window's width
        self.statusBar().addPermanentWidget(widget)

    def set_subject(self, subject: str | None) -> None:
        """Name what is on screen (a case's external id) in the window title, for the task bar and tools.

        Hidden characters of the (imported) id are shown, so a bidi override cannot reorder the title."""
        who = f"{visible(self.ctx.reviewer.handle)} — {visible(self.ctx.db.label)}"
        subject = visible(subject)
        self.setWindowTitle(
            f"Reviewer Workstation — {subject} — {who}" if subject else f"Reviewer Workstation — {who}"
        )

    def flash(self, text: str, ms: int = 6000) -> None:
        """A transient message in the status bar (plain text; hidden characters of any imported value in
        it are shown as ⟨U+XXXX⟩ and it stays on one line)."""
        self.statusBar().showMessage(visible(text), ms)

    def before_quit(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` when the reviewer asks to quit, before the window closes (e.g. the summary)."""
        self._before_quit.append(fn)

    def on_close(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` when the window closes (still on screen, workers still running)."""
        self._on_close.append(fn)

    def when_started(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` once the window is built and its first case (or empty queue) is on screen (at once
        if that is done): where an application-wide event filter starts, and reads the first case must
        not wait behind. A filter installed earlier would see each of the thousands of events of
        building and first painting the window (a Python call each, and PySide making the Python type
        of each kind of Qt object it meets: ~0.1 s)."""
        if self._when_started is None:
            fn()
        else:
            self._when_started.append(fn)

    def started(self) -> None:
        """Run the ``when_started`` steps (the window calls this when its first case is on screen; again
        does nothing)."""
        steps, self._when_started = self._when_started or [], None
        for fn in steps:
            fn()

    def on_shutdown(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` at shutdown, after the event loop ended and before the workers stop."""
        self._on_shutdown.append(fn)

    def refocus(self) -> None:
        """After a dialog: keys go back to the review window (some X setups leave focus nowhere)."""
        self.activateWindow()
        focus = QApplication.focusWidget()
        outside = not (focus and self.isAncestorOf(focus))
        if self.screens.current == WORK and outside and self.work_focus is not None:
            self.work_focus.setFocus()

    # -- layout ----------------------------------------------------------------------------------
    def restore_layout(self) -> None:
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

    # -- lifecycle -------------------------------------------------------------------------------
    def quit(self) -> None:
        """Ctrl+Q: the before-quit steps (the session summary), then close."""
        for fn in self._before_quit:
            fn()
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        for fn in self._on_close:
            fn()
        self.ctx.tasks.wait_db_idle()
        self.save_layout()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """After the event loop: each feature's shutdown step, then the workers stop."""
        for fn in self._on_shutdown:
            fn()
        self.ctx.tasks.shutdown()
