"""Which screen fills the window: the work area, the panic screen, or an overlay such as a break.

A small state machine with one rule: hiding (panic) wins over everything, an overlay (a break) wins over
the work area, and leaving either returns to what is underneath. It also answers, for the action
registry, whether an action may run on the screen that is showing.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QStackedWidget, QWidget

from ui.commands.spec import ActionSpec

WORK = "work"
HIDDEN = "hidden"
HIDDEN_REFUSAL = "Content is hidden — press Esc or F12 to return first."


class Screens(QObject):
    """Owns the window's stacked screens; ``changed(name)`` whenever another one shows."""

    changed = Signal(str)

    def __init__(self, stack: QStackedWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stack = stack
        self._pages: dict[str, QWidget] = {}
        self._hidden = False
        self._overlay: str | None = None
        self._overlay_refusal = ""

    def add(self, name: str, widget: QWidget) -> None:
        self._pages[name] = widget
        self._stack.addWidget(widget)
        if len(self._pages) == 1:
            self._stack.setCurrentWidget(widget)

    @property
    def hidden(self) -> bool:
        return self._hidden

    @property
    def overlay(self) -> str | None:
        return self._overlay

    @property
    def current(self) -> str:
        if self._hidden:
            return HIDDEN
        return self._overlay or WORK

    def set_hidden(self, hidden: bool) -> None:
        self._hidden = hidden
        self._show()

    def set_overlay(self, name: str | None, refusal: str = "") -> None:
        """Cover the work area with ``name`` (None uncovers it); ``refusal`` explains refused actions."""
        self._overlay, self._overlay_refusal = name, refusal
        self._show()

    def _show(self) -> None:
        name = self.current
        page = self._pages.get(name)
        if page is not None and self._stack.currentWidget() is not page:
            self._stack.setCurrentWidget(page)
        self.changed.emit(name)

    def guard(self, spec: ActionSpec) -> str | None:
        """Registry guard: hidden content lets only panic-safe actions through; an overlay its safe ones."""
        if self._hidden and not spec.safe_when_hidden:
            return HIDDEN_REFUSAL
        if self._overlay is not None and not spec.safe_on_overlay:
            return self._overlay_refusal or "Not available right now."
        return None
