"""Whether a window is on screen yet, and running work once it is.

``QWidget.show()`` only asks the platform for the window: it is exposed (and painted, inside the
expose event) later, through the event loop. Until then a ``repaint()`` paints nothing. At start the
first case can be read before the window's first expose (the read on its worker wins the race with the
window's build, as it does on a loaded machine); work meant to follow the first case's paint must then
wait for the expose, or it runs before the paint and holds it up (the late start's sync imports held the
first paint up by ~0.4 s, measured in ``bench/bench_cold_start.py`` with a busy loop beside it).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QWidget


def on_screen(widget: QWidget) -> bool:
    """Whether ``widget`` is shown in a window the platform has exposed (a repaint paints now)."""
    if not widget.isVisible():
        return False
    handle = widget.window().windowHandle()
    return handle is not None and handle.isExposed()


class _ExposeWatch(QObject):
    """Runs ``fn`` once, right after the first expose of ``handle`` (the paint inside it done)."""

    def __init__(self, handle: QWindow, fn: Callable[[], None]) -> None:
        super().__init__(handle)
        self._handle = handle
        self._fn: Callable[[], None] | None = fn
        handle.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Expose and self._handle.isExposed():
            self._handle.removeEventFilter(self)
            QTimer.singleShot(0, self._run)  # after this event: the window paints inside it
        return False

    def _run(self) -> None:
        fn, self._fn = self._fn, None
        self.deleteLater()
        if fn is not None:
            fn()


def after_exposed(widget: QWidget, fn: Callable[[], None]) -> None:
    """Run ``fn`` once ``widget``'s window is on screen: at once if it is, else right after its first
    expose. A window not shown yet (no platform window: a test that never shows it) runs ``fn`` at once,
    as there is no paint to wait for."""
    handle = widget.window().windowHandle()
    if handle is None or handle.isExposed():
        fn()
        return
    _ExposeWatch(handle, fn)
