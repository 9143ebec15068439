"""Ctrl+K command palette: type to filter every action, Up/Down to move, Enter to run, Escape to close.

Rows come from the ``ActionRegistry`` ("Title — group — keys"), so a remapped key shows here at once.
Press-and-hold actions are left out: a palette can press but never release. Disabled actions stay
listed, greyed, so the reviewer sees that they exist but are off (e.g. during a break).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ui.commands.registry import ActionRegistry
from ui.commands.spec import ActionSpec

_ID_ROLE = Qt.ItemDataRole.UserRole


def match_score(query: str, text: str) -> int | None:
    """Lower is better: a substring beats a scattered subsequence; None when ``query`` does not match."""
    query, text = query.lower().strip(), text.lower()
    if not query:
        return 0
    if all(word in text for word in query.split()):
        return text.find(query.split()[0])
    pos, gaps = -1, 0
    for ch in query.replace(" ", ""):
        nxt = text.find(ch, pos + 1)
        if nxt < 0:
            return None
        gaps += nxt - pos - 1
        pos = nxt
    return 1000 + gaps


class CommandPalette(QDialog):
    """Filter box on top, action list below; the list never takes focus so typing always filters."""

    def __init__(self, registry: ActionRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Command palette")
        self.setObjectName("commandPalette")
        self._registry = registry
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Type a command…")
        self.filter_edit.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.filter_edit.setAccessibleName("Command")
        self.filter_edit.setAccessibleDescription("Type to filter the commands; Enter runs, Esc closes")
        self.list.setAccessibleName("Commands")
        self.list.setAccessibleDescription("Matching commands with their keys; arrows move")
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.list)
        self.resize(560, 420)
        self.filter_edit.textChanged.connect(self._refilter)
        self._refilter("")
        self.filter_edit.setFocus()

    def _label(self, spec: ActionSpec) -> str:
        keys = ", ".join(self._registry.keys_for(spec.id))
        return " — ".join(part for part in (spec.title, spec.group, keys) if part)

    def _refilter(self, query: str) -> None:
        ranked: list[tuple[bool, int, int, ActionSpec]] = []
        for order, spec in enumerate(self._registry.specs()):
            if spec.hold:
                continue
            score = match_score(query, f"{self._label(spec)} {spec.id} {spec.description}")
            if score is not None:
                ranked.append((not self._registry.is_enabled(spec.id), score, order, spec))
        ranked.sort(key=lambda row: row[:3])
        self.list.clear()
        for disabled, _score, _order, spec in ranked:
            item = QListWidgetItem(self._label(spec))
            item.setData(_ID_ROLE, spec.id)
            if disabled:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            item.setToolTip(spec.description)
            self.list.addItem(item)
        self._move_to(0, step=1)

    def visible_ids(self) -> list[str]:
        return [self.list.item(row).data(_ID_ROLE) for row in range(self.list.count())]

    def current_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(_ID_ROLE) if item is not None else None

    def _move_to(self, row: int, step: int) -> None:
        """Select the first enabled row from ``row`` in direction ``step``; stay put if there is none."""
        while 0 <= row < self.list.count():
            if self.list.item(row).flags() & Qt.ItemFlag.ItemIsEnabled:
                self.list.setCurrentRow(row)
                return
            row += step
        if self.list.currentItem() is None or not self.list.currentItem().flags() & Qt.ItemFlag.ItemIsEnabled:
            self.list.setCurrentRow(-1)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        current = self.list.currentRow()
        page = 8
        if key == Qt.Key.Key_Down:
            self._move_to(current + 1, 1)
        elif key == Qt.Key.Key_Up:
            self._move_to(current - 1, -1)
        elif key == Qt.Key.Key_PageDown:
            self._move_to(min(current + page, self.list.count() - 1), -1)
        elif key == Qt.Key.Key_PageUp:
            self._move_to(max(current - page, 0), 1)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._run_current()
        else:
            super().keyPressEvent(event)  # Escape rejects

    def _run_current(self) -> None:
        action_id = self.current_id()
        if action_id is None or not self._registry.is_enabled(action_id):
            return
        self.accept()  # close first, so the action runs against the main window
        self._registry.trigger(action_id)
