"""The confirmation a bulk apply needs (Shift+D): what it would decide, on how many cases and accounts,
and which of them hold media nobody has revealed. Enter or Y applies; Esc cancels (nothing written)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QListWidget, QVBoxLayout, QWidget

from reviewer.bulk import BulkPreview
from reviewer.display import visible
from ui.shell.plain import plain_label, set_rich

#: At most this many cases are listed by name; the count covers them all.
LISTED = 200


class BulkConfirm(QDialog):
    """Window-modal, opened with ``open()``; ``confirmed`` runs only on Enter / Y."""

    def __init__(
        self, what: str, preview: BulkPreview, confirmed: Callable[[], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("bulkConfirm")
        self.setWindowTitle("Apply to duplicates?")
        self.preview, self._confirmed = preview, confirmed
        unseen = preview.unseen
        self.summary = plain_label()
        self.summary.setWordWrap(True)
        set_rich(
            self.summary,
            "<b>{what}</b> on <b>{count} case(s)</b> across <b>{accounts} account(s)</b>.<br/>"
            "<b>{unseen} case(s) hold media nobody has revealed</b> (marked ⚠ below).",
            what=what,
            count=preview.count,
            accounts=preview.accounts,
            unseen=len(unseen),
        )
        self.cases = QListWidget()
        self.cases.setAccessibleName("Affected cases")
        self.cases.setAccessibleDescription("The cases the bulk decides; ⚠ marks cases with unseen media")
        for case in preview.cases[:LISTED]:
            mark = "⚠ " if case.unseen_items else "   "
            account = visible(case.account) if case.account else "no account"
            never = f" · {case.unseen_items} item(s) never revealed" if case.unseen_items else ""
            self.cases.addItem(f"{mark}{visible(case.external_id)} · {account}{never}")
        if preview.count > LISTED:
            self.cases.addItem(f"… and {preview.count - LISTED} more")
        self.hint = plain_label(
            "Enter or Y applies to all of them (Ctrl+Z undoes the whole bulk) · Esc cancels."
        )
        layout = QVBoxLayout(self)
        for widget in (self.summary, self.cases, self.hint):
            layout.addWidget(widget)
        self.resize(560, 380)
        self.cases.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Y):
            self.accept()
            self._confirmed()
            return
        super().keyPressEvent(event)  # Esc rejects
