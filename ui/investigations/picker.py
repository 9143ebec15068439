"""The investigation picker of I / Shift+I: the open investigations and "New…", the last one chosen
selected; Enter chooses, Esc cancels. ``choose(inv_id)`` gets ``None`` for "New…"."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from reviewer.display import visible
from reviewer.investigations import InvestigationSummary
from ui.shell.dialog_buttons import ok_cancel
from ui.shell.plain import plain_label

NEW = "New investigation…"


class InvestigationPicker(QDialog):
    def __init__(
        self,
        what: str,
        investigations: list[InvestigationSummary],
        last: uuid.UUID | None,
        choose: Callable[[uuid.UUID | None], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("investigationPicker")
        self.setWindowTitle("Add to investigation")
        self._choose = choose
        self.heading = plain_label(f"Add {visible(what)} to:")
        self.heading.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Open investigations")
        self.list.setAccessibleDescription("Choose one with the arrows and Enter, or New… to start one")
        for inv in investigations:
            item = QListWidgetItem(f"{visible(inv.title)}  ·  {inv.members} members")
            item.setData(Qt.ItemDataRole.UserRole, inv.id)
            self.list.addItem(item)
        new = QListWidgetItem(NEW)
        new.setData(Qt.ItemDataRole.UserRole, None)
        self.list.addItem(new)
        ids = [inv.id for inv in investigations]
        self.list.setCurrentRow(ids.index(last) if last in ids else 0)
        self.list.itemActivated.connect(lambda _item: self.commit())
        buttons = ok_cancel(
            "Add (Enter)",
            "Add",
            "Add to the selected investigation (Enter)",
            "Add nothing (Esc)",
            cancel_text="Cancel (Esc)",
        )
        buttons.accepted.connect(self.commit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(460, 320)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.activateWindow()
        self.list.setFocus()

    def chosen(self) -> uuid.UUID | None:
        item = self.list.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return value if isinstance(value, uuid.UUID) else None

    def commit(self) -> None:
        inv_id = self.chosen()
        self.accept()
        self._choose(inv_id)
