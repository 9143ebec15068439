"""The one registry of user actions: shortcuts, palette, cheat sheet and remapping all read it.

A feature package registers each of its actions together with its handler
(``registry.register(spec, handler)``, the spec declared beside the function), so no central dispatch
ever needs editing. Keys come from a ``Keymap`` (data, user-overridable) bound once every feature has
registered. Guards (``add_guard``) may refuse an action with a reason, which is emitted as
``refused(id, reason)`` so the window can say why a key did nothing. ``attach`` adds the actions to the
window and an application event filter that (a) lets text inputs keep the keys a person types with, so
"k" in a note never keeps a case, and (b) drives press-and-hold actions, which a ``QShortcut`` cannot
express because it never sees the key release.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from ui.commands.keymap import Keymap, chord, key_event_matches
from ui.commands.spec import ActionSpec

Handler = Callable[[], None]
HoldHandler = Callable[[bool], None]
Guard = Callable[[ActionSpec], "str | None"]

_TEXT_INPUTS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox)
_EDITING_KEYS = frozenset(
    {
        Qt.Key.Key_Backspace,
        Qt.Key.Key_Delete,
        Qt.Key.Key_Left,
        Qt.Key.Key_Right,
        Qt.Key.Key_Up,
        Qt.Key.Key_Down,
        Qt.Key.Key_Home,
        Qt.Key.Key_End,
        Qt.Key.Key_PageUp,
        Qt.Key.Key_PageDown,
        Qt.Key.Key_Return,
        Qt.Key.Key_Enter,
    }
)
_TYPING_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
_KEY_EVENTS = frozenset({QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress, QEvent.Type.KeyRelease})


def typing_owns(widget: QWidget | None, event: QKeyEvent) -> bool:
    """Whether an editable text input should receive this key rather than a shortcut.

    Printable keys (Shift allowed: capitals) and editing keys belong to the text; Ctrl/Alt chords,
    Escape and the F-keys still reach the window, so panic (Escape/F12) works from a note field.
    """
    if not isinstance(widget, _TEXT_INPUTS):
        return False
    if isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit) and widget.isReadOnly():
        return False
    if event.modifiers() & ~_TYPING_MODIFIERS:
        return False
    text = event.text()
    return bool(text and text.isprintable()) or Qt.Key(event.key()) in _EDITING_KEYS


class ActionRegistry(QObject):
    """Every action of the app, its QAction, keys and handler.

    Emits ``triggered(id)`` after a handler ran, ``held(id, pressed)`` for hold actions and
    ``refused(id, reason)`` when a guard or a disabled state stopped an action.
    """

    triggered = Signal(str)
    #: An action runs while the key filter is not watching yet (a key pressed before the window's first
    #: case): the window starts its key filters then, before a dialog the action may open.
    used_unwatched = Signal()
    held = Signal(str, bool)
    refused = Signal(str, str)
    keymap_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._specs: list[ActionSpec] = []
        self._by_id: dict[str, ActionSpec] = {}
        self._handlers: dict[str, Handler] = {}
        self._hold_handlers: dict[str, HoldHandler] = {}
        self._guards: list[Guard] = []
        self._keymap = Keymap()
        self._actions: dict[str, QAction] = {}
        self._disabled: set[str] = set()
        self._down: set[str] = set()  # hold actions currently pressed
        self._window: QWidget | None = None
        self._watching = False  # the application-wide key filter is installed

    # -- registration ----------------------------------------------------------------------------
    def register(self, spec: ActionSpec, handler: Handler | HoldHandler) -> None:
        """Add an action and the function that runs it (a hold action's handler gets ``pressed``)."""
        if spec.id in self._by_id:
            raise ValueError(f"action {spec.id} is registered twice")
        self._specs.append(spec)
        self._by_id[spec.id] = spec
        # ``spec.hold`` says which kind of handler the caller passed; the union type cannot tie the two.
        if spec.hold:
            self._hold_handlers[spec.id] = cast(HoldHandler, handler)
            return
        self._handlers[spec.id] = cast(Handler, handler)
        action = QAction(spec.title, self)
        action.setObjectName(spec.id)
        action.setShortcutContext(
            Qt.ShortcutContext.ApplicationShortcut if spec.app_wide else Qt.ShortcutContext.WindowShortcut
        )
        action.setAutoRepeat(spec.repeat)
        action.setToolTip(spec.description or spec.title)
        action.triggered.connect(lambda _checked=False, aid=spec.id: self._run(aid))
        self._actions[spec.id] = action
        if self._window is not None:
            self._window.addAction(action)
        self._apply_keys_to(spec.id, action)  # only this action's keys are new (all: 76² updates at start)

    def add_guard(self, guard: Guard) -> None:
        """``guard(spec)`` returns why the action may not run now, or None; guards run in order added."""
        self._guards.append(guard)

    def refusal(self, action_id: str) -> str | None:
        """Why ``action_id`` would be refused right now (first guard that objects), or None."""
        spec = self.spec(action_id)
        for guard in self._guards:
            reason = guard(spec)
            if reason:
                return reason
        return None

    def _run(self, action_id: str) -> None:
        if not self._watching and self._window is not None:
            self.used_unwatched.emit()
        if action_id in self._disabled:
            return
        reason = self.refusal(action_id)
        if reason:
            self.refused.emit(action_id, reason)
            return
        self._handlers[action_id]()
        self.triggered.emit(action_id)

    # -- reading ---------------------------------------------------------------------------------
    @property
    def keymap(self) -> Keymap:
        return self._keymap

    def specs(self) -> tuple[ActionSpec, ...]:
        return tuple(self._specs)

    def spec(self, action_id: str) -> ActionSpec:
        return self._by_id[action_id]

    def attach(self, window: QWidget, *, watch: bool = True) -> None:
        """Add every shortcut to ``window`` and (unless ``watch`` is False: then ``watch_keys`` later)
        start watching keys for text inputs and hold actions."""
        if self._window is not None:
            raise RuntimeError("ActionRegistry is already attached to a window")
        self._window = window
        if self.parent() is None:
            self.setParent(window)  # the event filter must live as long as the window
        window.addActions(list(self._actions.values()))
        if watch:
            self.watch_keys()

    def watch_keys(self) -> None:
        """Start the application-wide key filter (once). Until then the shortcuts work as Qt's own;
        what the filter adds (a focused input or button keeping its keys, hold actions) waits."""
        if self._watching:
            return
        app = QApplication.instance()
        assert app is not None, "watch_keys() needs a QApplication"
        # Application-wide: a focused child (a list, a button) would otherwise eat Space before the window.
        app.installEventFilter(self)
        self._watching = True

    def qaction(self, action_id: str) -> QAction:
        """The QAction of a (non-hold) action, for menus and toolbars."""
        return self._actions[action_id]

    def keys_for(self, action_id: str) -> list[str]:
        """Keys for display, in native text (e.g. ["Ctrl+Z", "U"])."""
        native = QKeySequence.SequenceFormat.NativeText
        return [QKeySequence(key).toString(native) for key in self._keymap.keys(action_id)]

    def is_enabled(self, action_id: str) -> bool:
        return action_id not in self._disabled

    def set_enabled(self, action_id: str, enabled: bool) -> None:
        """A disabled action does not fire from its keys, the palette or ``trigger``."""
        self.spec(action_id)  # KeyError on a typo rather than a silent no-op
        if enabled:
            self._disabled.discard(action_id)
        else:
            self._disabled.add(action_id)
            self._release(action_id)
        if action_id in self._actions:
            self._actions[action_id].setEnabled(enabled)

    def trigger(self, action_id: str) -> None:
        """Fire an action as if its key were pressed (the palette uses this); ignored when disabled."""
        if self.spec(action_id).hold:
            raise ValueError(f"{action_id} is a press-and-hold action and cannot be triggered")
        self._actions[action_id].trigger()

    def set_keymap(self, keymap: Keymap) -> None:
        """Rebind every action (at start, after the user remaps a key) and tell views to regenerate."""
        for action_id in list(self._down):
            self._release(action_id)
        self._keymap = keymap
        self._apply_keys()
        self.keymap_changed.emit()

    def _apply_keys(self) -> None:
        for action_id, action in self._actions.items():
            self._apply_keys_to(action_id, action)

    def _apply_keys_to(self, action_id: str, action: QAction) -> None:
        keys = self._keymap.keys(action_id)
        action.setShortcuts([QKeySequence(key) for key in keys])
        title = self._by_id[action_id].title
        # Text after a tab is what menus show as the shortcut column: all keys, not just the first.
        action.setText(f"{title}\t{', '.join(self.keys_for(action_id))}" if keys else title)

    def _press(self, action_id: str) -> None:
        reason = self.refusal(action_id)
        if reason:
            self.refused.emit(action_id, reason)
            return
        self._down.add(action_id)
        self._hold_handlers[action_id](True)
        self.held.emit(action_id, True)

    def _release(self, action_id: str) -> None:
        if action_id in self._down:
            self._down.discard(action_id)
            self._hold_handlers[action_id](False)
            self.held.emit(action_id, False)

    def _hold_action_for(self, event: QKeyEvent) -> str | None:
        for spec in self._specs:
            if spec.hold and any(key_event_matches(k, event) for k in self._keymap.keys(spec.id)):
                return spec.id
        return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        etype = event.type()
        if watched is self._window and etype in (QEvent.Type.WindowDeactivate, QEvent.Type.Hide):
            # A peek must never stay revealed because the release went to another window.
            for action_id in list(self._down):
                self._release(action_id)
            return False
        if (
            etype not in _KEY_EVENTS
            or not isinstance(watched, QWidget)
            or watched.window() is not self._window
        ):
            return False
        assert isinstance(event, QKeyEvent)
        if typing_owns(QApplication.focusWidget(), event):
            if etype == QEvent.Type.ShortcutOverride:
                event.accept()  # the widget gets the key as a KeyPress, no shortcut fires
                return True
            return False
        if etype == QEvent.Type.KeyPress:
            hold_id = self._hold_action_for(event)
            if hold_id is None:
                return False
            if not event.isAutoRepeat() and self.is_enabled(hold_id) and hold_id not in self._down:
                self._press(hold_id)
            return True
        if etype == QEvent.Type.KeyRelease:
            for action_id in list(self._down):
                if any(chord(QKeySequence(k), 0).key() == event.key() for k in self._keymap.keys(action_id)):
                    if not event.isAutoRepeat():
                        self._release(action_id)
                    return True
        return False
