"""Panic from anywhere, and the one rule for Escape.

The rule, in one place:

- **The panic key** (``view.panic_global``, F12 by default) always hides. While any prompt is open — a
  modal or non-modal dialog (settings, a note or rationale box, a message, the cheat sheet), the command
  palette (a dialog too), a popup menu, or the policy pick prompt — it first cancels every one of them
  (``QDialog.reject``: their input is dropped, nothing is written) and then blanks the window. With no
  prompt open it toggles: hide, or restore (content always comes back blurred).
- **Escape** cancels a prompt. In a dialog Qt's own ``QDialog`` handling rejects it (Escape is never a
  panic key there: this filter lets it through); in the main window, Escape (``view.panic``) first
  cancels an open prompt (the policy pick, a non-modal box) and means panic only when none is open.

A ``QShortcut`` cannot do the first: Qt blocks application shortcuts of a window shadowed by a modal
dialog. So :class:`PanicKeys` watches key events application-wide; in any window other than the main
one (or in any window while a modal dialog is up) it claims the panic key (the ``ShortcutOverride`` is accepted so no shortcut fires twice) and runs
:meth:`Panic.panic_key` on the key press. The main window's own key goes through the registry as usual.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from ui.commands.keymap import key_event_matches
from ui.commands.registry import ActionRegistry
from ui.review.feature import ReviewFeature
from ui.shell.frame import Frame


def open_dialogs(window: QWidget) -> list[QDialog]:
    """Every visible dialog of the app other than ``window`` itself (modal ones first, innermost first)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return []
    dialogs = [w for w in app.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible() and w is not window]
    modal = QApplication.activeModalWidget()
    dialogs.sort(key=lambda d: (d is not modal, not d.isModal()))
    return dialogs


def close_popups() -> None:
    """Close open popup menus and completer lists (they sit above any window)."""
    while (popup := QApplication.activePopupWidget()) is not None:
        popup.close()
        if QApplication.activePopupWidget() is popup:  # refuses to close: hide it at least
            popup.hide()
            break


class Panic:
    """Hide everything (cancelling every prompt first) and restore; owns the Escape rule."""

    def __init__(self, window: Frame, review: ReviewFeature) -> None:
        self.window, self.review = window, review

    # -- prompts ---------------------------------------------------------------------------------
    def prompt_open(self) -> bool:
        return bool(open_dialogs(self.window)) or self.review.picks.pending_action is not None

    def cancel_prompts(self) -> bool:
        """Cancel every open prompt (dialogs, popups, the policy pick); True when there was one."""
        close_popups()
        dialogs = open_dialogs(self.window)
        for dialog in dialogs:
            dialog.reject()  # modal ones return from exec() rejected: the caller writes nothing
            dialog.hide()
        picked = self.review.picks.cancel()
        return bool(dialogs) or picked

    # -- screens ---------------------------------------------------------------------------------
    def set_hidden(self, hide: bool) -> None:
        screens = self.window.screens
        self.review.preview.set_hidden(hide)
        screens.set_hidden(hide)
        if not hide and screens.overlay is None:
            self.review.queue.table.setFocus()

    def panic_key(self) -> None:
        """F12: with a prompt open, cancel it and hide; otherwise toggle hide/restore."""
        if self.cancel_prompts():
            self.set_hidden(True)
        else:
            self.set_hidden(not self.window.screens.hidden)

    def escape(self) -> None:
        """Escape in the main window: cancel an open prompt, and only when there is none, panic."""
        if not self.cancel_prompts():
            self.set_hidden(not self.window.screens.hidden)


class PanicKeys(QObject):
    """Application-wide filter: ``action_id``'s keys pressed in any window but the main one trigger it."""

    def __init__(self, window: QWidget, registry: ActionRegistry, action_id: str) -> None:
        super().__init__(window)
        self._window, self._registry, self._action_id = window, registry, action_id
        app = QApplication.instance()
        assert app is not None, "PanicKeys needs a QApplication"
        window.destroyed.connect(lambda *_: app.removeEventFilter(self))

    def watch(self) -> None:
        """Start filtering (once the first case is on screen: ``Frame.when_started``)."""
        app = QApplication.instance()
        assert app is not None, "PanicKeys needs a QApplication"
        app.installEventFilter(self)

    def _is_panic(self, event: QKeyEvent) -> bool:
        keys = self._registry.keymap.keys(self._action_id)
        return any(key_event_matches(key, event) for key in keys)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        etype = event.type()
        if etype not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        if not isinstance(watched, QWidget):
            return False
        if watched.window() is self._window and QApplication.activeModalWidget() is None:
            return False  # the main window's own shortcut runs it
        assert isinstance(event, QKeyEvent)
        if not self._is_panic(event):
            return False
        event.accept()
        if etype == QEvent.Type.KeyPress and not event.isAutoRepeat():
            self._registry.trigger(self._action_id)
        return True
