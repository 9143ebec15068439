"""The `?` cheat sheet: every action and its keys, grouped, generated from the registry.

Nothing here is hard-coded: a user's remapped key shows as soon as the registry's keymap changes, and
keymap conflicts or unreadable overrides are listed underneath so a broken remap is never silent.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer.display import visible
from ui.commands.keymap import key_event_matches
from ui.commands.registry import ActionRegistry
from ui.shell.plain import plain_label

GROUP_ORDER = ("Decide", "Policy", "View", "Queue", "App")
_SCROLL_KEYS = {
    Qt.Key.Key_Down: 1,
    Qt.Key.Key_Up: -1,
    Qt.Key.Key_PageDown: 10,
    Qt.Key.Key_PageUp: -10,
}


class CheatSheet(QDialog):
    """Read-only two-column table (action → keys) with a heading row per group; Escape or `?` closes."""

    def __init__(self, registry: ActionRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setObjectName("cheatSheet")
        self._registry = registry
        self.table = QTableWidget(0, 2, self)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setAccessibleDescription("Every action and its keys, by group")
        self.table.setHorizontalHeaderLabels(["Action", "Keys"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        # The dialog scrolls it from the keyboard; a focused table would eat "?" as a keyboard search.
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.problems = plain_label(parent=self)  # names from the user's keymap file
        self.problems.setWordWrap(True)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.problems)
        self.resize(520, 640)
        registry.keymap_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the table and the problem list from the registry's current keymap."""
        specs = self._registry.specs()
        groups = [g for g in GROUP_ORDER if any(s.group == g for s in specs)]
        groups += sorted({s.group for s in specs} - set(groups))
        self.table.setRowCount(0)
        bold = QFont()
        bold.setBold(True)
        for group in groups:
            row = self.table.rowCount()
            self.table.insertRow(row)
            heading = QTableWidgetItem(group)
            heading.setFont(bold)
            self.table.setItem(row, 0, heading)
            self.table.setSpan(row, 0, 1, 2)
            for spec in (s for s in specs if s.group == group):
                row = self.table.rowCount()
                self.table.insertRow(row)
                keys = ", ".join(self._registry.keys_for(spec.id)) or "unbound"
                if spec.hold and keys != "unbound":
                    keys += " (hold)"
                self.table.setItem(row, 0, QTableWidgetItem(spec.title))
                self.table.setItem(row, 1, QTableWidgetItem(keys))
        keymap = self._registry.keymap
        lines = [f"Conflict: {visible(str(c))}" for c in keymap.conflicts]
        lines += [f"Ignored: {visible(str(u))}" for u in keymap.unknown]
        self.problems.setText("\n".join(lines))
        self.problems.setVisible(bool(lines))

    def rows(self) -> list[tuple[str, str]]:
        """(action, keys) per action row, headings left out — what a reader of the sheet sees."""
        out = []
        for row in range(self.table.rowCount()):
            action, keys = self.table.item(row, 0), self.table.item(row, 1)
            if action is not None and keys is not None:
                out.append((action.text(), keys.text()))
        return out

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if any(key_event_matches(k, event) for k in self._registry.keymap.keys("app.cheatsheet")):
            self.reject()
            return
        step = _SCROLL_KEYS.get(Qt.Key(event.key()))
        if step is not None:
            bar = self.table.verticalScrollBar()
            bar.setValue(bar.value() + step * bar.singleStep())
            return
        super().keyPressEvent(event)  # Escape rejects
