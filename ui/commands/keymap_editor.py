"""The keymap editor: every action with its keys; press a key to assign it, clashes shown inline.

Rows come from the registry (every registered action, its title, group and keys). Enter on a row (or
the "Assign" button) puts focus in the key-capture field; the key pressed there replaces the row's
keys. A key another action already has is refused with a line saying who has it; Alt+W swaps
explicitly (the other action gets this one's old key). Changes are stored at once as the user's
overrides (``keymap/<action id>`` in the settings, read by :func:`load_user_overrides`) and the
registry is rebound at once: no restart. Export writes the overrides as a ``[bindings]`` TOML file
(the format of ``resources/keymap.toml``); import reads one all or nothing.

The panic key always panics, even here (it cannot be captured): that is the point of a panic key.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QKeySequenceEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer.display import visible
from ui.commands.keymap import (
    Keymap,
    KeymapFileError,
    clear_user_override,
    dump_overrides,
    load_user_overrides,
    normalise_key,
    parse_overrides,
    replace_user_overrides,
    save_user_override,
)
from ui.commands.registry import ActionRegistry
from ui.shell.plain import plain_label

_ID_ROLE = Qt.ItemDataRole.UserRole
_PORTABLE = QKeySequence.SequenceFormat.PortableText


class KeymapEditor(QDialog):
    """Edit the user's key bindings; every change is saved and applied at once."""

    def __init__(self, registry: ActionRegistry, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setObjectName("keymapEditor")
        self.registry, self.settings = registry, settings
        self.pending: tuple[str, str, str] | None = None  # (action, key, the action that has the key)

        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(["Action", "Group", "Keys"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.capture = QKeySequenceEdit(self)
        self.capture.setMaximumSequenceLength(1)
        self.capture.setAccessibleName("Press the new key for the selected action")
        self.capture.editingFinished.connect(self._captured)
        self.message = plain_label()
        self.message.setObjectName("keymapMessage")
        self.message.setWordWrap(True)

        self.assign_button = QPushButton("Assign (Enter)")
        self.swap_button = QPushButton("Swap (Alt+W)")
        self.clear_button = QPushButton("Unbind (Del)")
        self.reset_button = QPushButton("Reset this (Alt+R)")
        self.reset_all_button = QPushButton("Reset all")
        self.export_button = QPushButton("Export…")
        self.import_button = QPushButton("Import…")
        self.close_button = QPushButton("Close (Esc)")
        self.assign_button.clicked.connect(self.start_capture)
        self.swap_button.clicked.connect(self.swap)
        self.clear_button.clicked.connect(lambda: self._with_current(self.unbind))
        self.reset_button.clicked.connect(lambda: self._with_current(self.reset))
        self.reset_all_button.clicked.connect(self.reset_all)
        self.export_button.clicked.connect(self._export_clicked)
        self.import_button.clicked.connect(self._import_clicked)
        self.close_button.clicked.connect(self.reject)
        self.swap_button.setEnabled(False)
        for keys, slot in (("Alt+W", self.swap), ("Alt+R", lambda: self._with_current(self.reset))):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)
        self.table.activated.connect(lambda _index: self.start_capture())
        delete = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(lambda: self._with_current(self.unbind))

        capture_row = QHBoxLayout()
        capture_row.addWidget(plain_label("New key:"))
        capture_row.addWidget(self.capture, 1)
        capture_row.addWidget(self.assign_button)
        capture_row.addWidget(self.swap_button)
        buttons = QHBoxLayout()
        for button in (self.clear_button, self.reset_button, self.reset_all_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.export_button, self.import_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(capture_row)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(720, 600)
        self._fill()
        self.table.selectRow(0)
        self.table.setFocus()

    # -- reading ---------------------------------------------------------------------------------
    def _fill(self) -> None:
        current = self.current_id()
        specs = self.registry.specs()
        self.table.setRowCount(len(specs))
        for row, spec in enumerate(specs):
            keys = ", ".join(self.registry.keys_for(spec.id))
            for col, text in enumerate((spec.title, spec.group, keys)):
                item = QTableWidgetItem(text)
                item.setData(_ID_ROLE, spec.id)
                item.setToolTip(spec.description or spec.title)
                self.table.setItem(row, col, item)
        if current is not None:
            self.select(current)

    def current_id(self) -> str | None:
        item = self.table.item(self.table.currentRow(), 0) if self.table.currentRow() >= 0 else None
        return item.data(_ID_ROLE) if item is not None else None

    def select(self, action_id: str) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(_ID_ROLE) == action_id:
                self.table.selectRow(row)
                return

    def keys_shown(self, action_id: str) -> str:
        self.select(action_id)
        item = self.table.item(self.table.currentRow(), 2)
        return item.text() if item is not None else ""

    def _with_current(self, fn: Callable[[str], None]) -> None:
        action_id = self.current_id()
        if action_id is not None:
            fn(action_id)

    # -- changing --------------------------------------------------------------------------------
    def start_capture(self) -> None:
        if self.current_id() is None:
            return
        self.capture.clear()
        self.capture.setFocus()
        self.message.setText("Press the new key (the panic key cannot be taken).")

    def _captured(self) -> None:
        action_id, seq = self.current_id(), self.capture.keySequence()
        if action_id is None or seq.isEmpty():
            return
        self.assign(action_id, seq.toString(_PORTABLE))
        self.table.setFocus()

    def assign(self, action_id: str, key: str) -> bool:
        """Give ``action_id`` the one key ``key``; refused (and explained) when another action has it."""
        wanted = normalise_key(key)
        if wanted is None:
            self._say(f"{key!r} is not a key.")
            return False
        owner = self.registry.keymap.action_for(wanted)
        if owner is not None and owner != action_id:
            self.pending = (action_id, wanted, owner)
            self.swap_button.setEnabled(True)
            self._say(
                f"{wanted} is already the key of “{self.registry.spec(owner).title}”: not assigned. "
                f"Alt+W swaps (it gets this action's old key), or press another key."
            )
            return False
        self._store(action_id, [wanted])
        self._say(f"“{self.registry.spec(action_id).title}” is now {wanted}.")
        return True

    def swap(self) -> None:
        """Carry out the clash shown: this action takes the key, the other one gets this one's old key."""
        if self.pending is None:
            return
        action_id, key, owner = self.pending
        old = list(self.registry.keymap.keys(action_id))
        theirs = [k for k in self.registry.keymap.keys(owner) if k != key] + old[:1]
        save_user_override(self.settings, owner, theirs)
        self._store(action_id, [key])
        self._say(f"Swapped: “{self.registry.spec(action_id).title}” is now {key}.")

    def unbind(self, action_id: str) -> None:
        self._store(action_id, [])
        self._say(f"“{self.registry.spec(action_id).title}” has no key now (the palette still runs it).")

    def reset(self, action_id: str) -> None:
        """Back to the shipped keys; refused when one of them now belongs to another action."""
        clear_user_override(self.settings, action_id)
        trial = Keymap.load(self.registry.specs(), overrides=load_user_overrides(self.settings))
        if trial.conflicts:
            save_user_override(self.settings, action_id, list(self.registry.keymap.keys(action_id)))
            self._say(f"Not reset: {trial.conflicts[0]}.")
            return
        self._apply()
        self._say(f"“{self.registry.spec(action_id).title}” is back to its default keys.")

    def reset_all(self) -> None:
        replace_user_overrides(self.settings, {})
        self._apply()
        self._say("Every action is back to its default keys.")

    def _store(self, action_id: str, keys: list[str]) -> None:
        save_user_override(self.settings, action_id, keys)
        self._apply()

    def _apply(self) -> None:
        self.settings.sync()
        self.pending = None
        self.swap_button.setEnabled(False)
        self.registry.set_keymap(Keymap.load(self.registry.specs(), overrides=load_user_overrides(self.settings)))
        self._fill()

    def _say(self, text: str) -> None:
        self.message.setText(visible(text, multiline=True))  # names and keys come from files too

    # -- files -----------------------------------------------------------------------------------
    def export_to(self, path: Path) -> None:
        path.write_text(dump_overrides(load_user_overrides(self.settings)), encoding="utf-8")
        self._say(f"Exported to {path.name}.")

    def import_from(self, path: Path) -> bool:
        """Replace the user's overrides with the file's, or change nothing and say why."""
        try:
            text = path.read_text(encoding="utf-8")
            overrides = parse_overrides(text, self.registry.specs())
        except (OSError, UnicodeDecodeError) as exc:
            self._say(f"Not imported: cannot read {path.name} ({exc}). Nothing changed.")
            return False
        except KeymapFileError as exc:
            self._say(f"Not imported: {path.name}: {exc}. Nothing changed.")
            return False
        replace_user_overrides(self.settings, overrides)
        self._apply()
        self._say(f"Imported {len(overrides)} binding(s) from {path.name}.")
        return True

    def _export_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export keymap", "keymap.toml", "TOML (*.toml)")
        if name:
            try:
                self.export_to(Path(name))
            except OSError as exc:
                self._say(f"Not exported: {exc}")

    def _import_clicked(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import keymap", "", "TOML (*.toml)")
        if name:
            self.import_from(Path(name))
