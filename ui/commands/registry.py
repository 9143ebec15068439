"""The one registry of user actions: shortcuts, palette, cheat sheet and remapping all read it.

Each action has a stable id ("decision.keep") declared once in ``ACTION_SPECS``; its keys come from a
``Keymap`` (data, user-overridable). ``ActionRegistry.install`` turns the specs into window-wide
``QAction`` shortcuts, and adds an application event filter that (a) lets text inputs keep the keys a
person types with, so "k" in a note never keeps a case, and (b) drives press-and-hold actions, which a
``QShortcut`` cannot express because it never sees the key release.
"""

from __future__ import annotations

from dataclasses import dataclass

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

from ui.commands.keymap import Keymap, key_event_matches


@dataclass(frozen=True)
class ActionSpec:
    """A user action: stable id, human title, cheat-sheet group ("Decide", "Policy", "View", "Queue", "App")."""

    id: str
    title: str
    group: str
    hold: bool = False  # press-and-hold (key press/release), not a QShortcut
    description: str = ""
    repeat: bool = False  # fires again while the key is held; never for decisions
    optional: bool = False  # may ship unbound (palette only)
    app_wide: bool = False  # fires in every window of the app, dialogs included (the global panic key)


def _pick(n: int) -> ActionSpec:
    return ActionSpec(f"policy.pick_{n}", f"Pick policy {n}", "Policy", description=f"Cite policy #{n}")


ACTION_SPECS: tuple[ActionSpec, ...] = (
    ActionSpec("decision.keep", "Keep (no violation)", "Decide"),
    ActionSpec("decision.remove", "Remove", "Decide", description="Remove the content"),
    ActionSpec("decision.restrict", "Restrict", "Decide", description="Age-gate or limit reach"),
    ActionSpec("decision.escalate", "Escalate", "Decide", description="Send to a senior reviewer"),
    ActionSpec("decision.skip", "Skip", "Decide", description="Return the case to the queue"),
    ActionSpec("decision.note", "Add note", "Decide"),
    ActionSpec("decision.undo", "Undo last decision", "Decide"),
    ActionSpec("decision.warn", "Warn account", "Decide"),
    ActionSpec("decision.strike", "Strike account", "Decide"),
    ActionSpec("decision.suspend", "Suspend account", "Decide"),
    ActionSpec("decision.apply_to_duplicates", "Apply to duplicates", "Decide"),
    *(_pick(n) for n in range(1, 10)),
    ActionSpec("policy.search", "Search policies", "Policy"),
    ActionSpec("view.reveal_toggle", "Reveal / blur media", "View"),
    ActionSpec("view.reveal_hold", "Peek (hold to reveal)", "View", hold=True),
    ActionSpec("view.spotlight", "Spotlight", "View", description="Reveal only the region under focus"),
    ActionSpec("view.greyscale", "Greyscale", "View"),
    ActionSpec("view.panic", "Panic: hide everything", "View"),
    ActionSpec(
        "view.panic_global",
        "Panic from anywhere in the app (dialogs too)",
        "View",
        app_wide=True,
        description="Hides all content even while a dialog is open",
    ),
    ActionSpec("view.next_item", "Next item in case", "View", repeat=True),
    ActionSpec("view.prev_item", "Previous item in case", "View", repeat=True),
    ActionSpec("view.next_frame", "Next video frame", "View", repeat=True),
    ActionSpec("view.prev_frame", "Previous video frame", "View", repeat=True),
    ActionSpec("queue.next", "Next case", "Queue", repeat=True),
    ActionSpec("queue.prev", "Previous case", "Queue", repeat=True),
    ActionSpec("queue.filter", "Filter queue", "Queue"),
    ActionSpec("queue.search", "Search queue", "Queue"),
    ActionSpec("queue.clear_filter", "Clear queue filter", "Queue"),
    ActionSpec("app.palette", "Command palette", "App"),
    ActionSpec("app.cheatsheet", "Keyboard shortcuts", "App"),
    ActionSpec("app.settings", "Settings", "App"),
    ActionSpec("app.summary", "Session summary", "App"),
    ActionSpec("app.take_break", "Take a break now", "App"),
    ActionSpec("app.quit", "Quit", "App"),
)

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
    """Every action of the app, its QAction and keys; emits ``triggered(id)`` and ``held(id, pressed)``."""

    triggered = Signal(str)
    held = Signal(str, bool)
    keymap_changed = Signal()

    def __init__(self, keymap: Keymap, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._specs = ACTION_SPECS
        self._by_id = {spec.id: spec for spec in self._specs}
        self._keymap = keymap
        self._actions: dict[str, QAction] = {}
        self._disabled: set[str] = set()
        self._down: set[str] = set()  # hold actions currently pressed
        self._window: QWidget | None = None
        for spec in self._specs:
            if spec.hold:
                continue
            action = QAction(spec.title, self)
            action.setObjectName(spec.id)
            action.setShortcutContext(
                Qt.ShortcutContext.ApplicationShortcut if spec.app_wide else Qt.ShortcutContext.WindowShortcut
            )
            action.setAutoRepeat(spec.repeat)
            action.setToolTip(spec.description or spec.title)
            action.triggered.connect(lambda _checked=False, aid=spec.id: self.triggered.emit(aid))
            self._actions[spec.id] = action
        self._apply_keys()

    @property
    def keymap(self) -> Keymap:
        return self._keymap

    def specs(self) -> tuple[ActionSpec, ...]:
        return self._specs

    def spec(self, action_id: str) -> ActionSpec:
        return self._by_id[action_id]

    def install(self, window: QWidget) -> None:
        """Add every shortcut to ``window`` and start watching keys for text inputs and hold actions."""
        if self._window is not None:
            raise RuntimeError("ActionRegistry is already installed on a window")
        self._window = window
        if self.parent() is None:
            self.setParent(window)  # the event filter must live as long as the window
        window.addActions(list(self._actions.values()))
        app = QApplication.instance()
        assert app is not None, "install() needs a QApplication"
        # Application-wide: a focused child (a list, a button) would otherwise eat Space before the window.
        app.installEventFilter(self)

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
        """A disabled action does not fire from its keys, the palette or ``trigger`` (e.g. during a break)."""
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
        """Rebind every action (after the user remaps a key) and tell views to regenerate."""
        for action_id in list(self._down):
            self._release(action_id)
        self._keymap = keymap
        self._apply_keys()
        self.keymap_changed.emit()

    def _apply_keys(self) -> None:
        for action_id, action in self._actions.items():
            keys = self._keymap.keys(action_id)
            action.setShortcuts([QKeySequence(key) for key in keys])
            title = self._by_id[action_id].title
            # Text after a tab is what menus show as the shortcut column: all keys, not just the first.
            action.setText(f"{title}\t{', '.join(self.keys_for(action_id))}" if keys else title)

    def _release(self, action_id: str) -> None:
        if action_id in self._down:
            self._down.discard(action_id)
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
            action_id = self._hold_action_for(event)
            if action_id is None:
                return False
            if not event.isAutoRepeat() and self.is_enabled(action_id) and action_id not in self._down:
                self._down.add(action_id)
                self.held.emit(action_id, True)
            return True
        if etype == QEvent.Type.KeyRelease:
            for action_id in list(self._down):
                if any(QKeySequence(k)[0].key() == event.key() for k in self._keymap.keys(action_id)):
                    if not event.isAutoRepeat():
                        self._release(action_id)
                    return True
        return False
