"""The timeline table's model: one row per ``InvestigationEvent``, every imported value made visible.

Rows are plain frozen values built on the read worker; the model only formats them in ``data()``. No
media, and no report text, ever reaches this table.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from reviewer.display import visible
from reviewer.investigations import InvestigationEvent
from ui.shell.plain import tooltip

COLUMNS = ("When", "Kind", "Case", "Channel", "Account", "By", "Action", "Policy", "Text")
_Index = QModelIndex | QPersistentModelIndex


def when(event: InvestigationEvent) -> str:
    return event.at.astimezone().strftime("%Y-%m-%d %H:%M")


def cells(event: InvestigationEvent) -> tuple[str, ...]:
    policy = " ".join(
        p for p in (event.policy_code, event.policy_version and f"v{event.policy_version}") if p
    )
    return (
        when(event),
        event.kind,
        visible(event.external_id),
        visible(event.channel),
        visible(event.account),
        visible(event.actor),
        event.action,
        visible(policy),
        visible(event.text),
    )


class TimelineModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.events: list[InvestigationEvent] = []

    def set_events(self, events: list[InvestigationEvent]) -> None:
        self.beginResetModel()
        self.events = list(events)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.events)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.events):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return cells(self.events[index.row()])[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[index.column()] == "Text":
            return tooltip(self.events[index.row()].text)  # several lines, literally
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None
