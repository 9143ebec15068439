"""The policy side panel: the sections that apply to the case first, numbered 1–9 for quick picks,
full-text search over the pack, and the chosen section's text and examples. The pack version is visible.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from reviewer.policy import PolicyPack, PolicySection

CodeRole = Qt.ItemDataRole.UserRole + 1
QUICK_PICKS = 9


class _SectionList(QListWidget):
    chosen = Signal(str)
    cancelled = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self.chosen.emit(self.currentItem().data(CodeRole))
            return
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            return
        super().keyPressEvent(event)


class PolicyPanel(QWidget):
    section_chosen = Signal(str)  # a policy code picked by the reviewer (number, Enter)
    pick_cancelled = Signal()

    def __init__(self, pack: PolicyPack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pack = pack
        self.version_label = QLabel(
            f"<b>{html.escape(pack.title)}</b><br/>pack {pack.pack_id} · version {pack.version}"
        )
        self.version_label.setObjectName("packVersion")
        self.prompt = QLabel()
        self.prompt.setObjectName("pickPrompt")
        self.prompt.setWordWrap(True)
        self.prompt.hide()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search the policy pack  ( / )")
        self.search.setClearButtonEnabled(True)
        self.list = _SectionList()
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.detail.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        for w in (self.version_label, self.prompt, self.search, self.list, self.detail):
            layout.addWidget(w)
        layout.setStretch(3, 2)
        layout.setStretch(4, 3)
        self.category: str | None = None
        self._picks: list[str] = []
        self.search.textChanged.connect(self._refill)
        self.search.returnPressed.connect(self._focus_list)
        self.list.currentItemChanged.connect(self._show_detail)
        self.list.chosen.connect(self.section_chosen)
        self.list.cancelled.connect(self.pick_cancelled)
        self._refill()

    # -- content -------------------------------------------------------------------------------
    def set_category(self, category: str | None) -> None:
        self.category = category
        self.search.clear()
        self._refill()

    def _sections(self) -> list[PolicySection]:
        query = self.search.text().strip()
        if query:
            return self.pack.search(query)
        if self.category:
            return self.pack.for_category(self.category)
        return list(self.pack.sections)

    def _refill(self) -> None:
        sections = self._sections()
        applicable = (
            {s.code for s in self.pack.sections if self.category in s.categories} if self.category else set()
        )
        self.list.blockSignals(True)
        self.list.clear()
        self._picks = []
        for section in sections:
            number = len(self._picks) + 1
            numbered = number <= QUICK_PICKS
            if numbered:
                self._picks.append(section.code)
            prefix = f"{number}  " if numbered else "    "
            actions = " ".join(section.actions)
            item = QListWidgetItem(f"{prefix}{section.code}  {section.title}   [{actions}]")
            item.setData(CodeRole, section.code)
            item.setToolTip(section.text[:400])
            if self.category and section.code not in applicable and not section.is_general:
                item.setForeground(QColor(128, 128, 128))
            self.list.addItem(item)
        self.list.blockSignals(False)
        if self.list.count():
            self.list.setCurrentRow(0)
        else:
            self.detail.setHtml("<i>No section matches.</i>")

    def _show_detail(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None = None) -> None:
        if current is None:
            return
        s = self.pack.section(current.data(CodeRole))
        e = html.escape
        examples = "".join(f"<li>{e(x)}</li>" for x in s.examples)
        self.detail.setHtml(
            f"<h3>{e(s.code)} — {e(s.title)}</h3><p>Severity {s.severity} of 5 · allows: "
            f"<b>{e(', '.join(s.actions))}</b></p><p>{e(s.text)}</p><p><b>Examples</b></p><ul>{examples}</ul>"
        )

    def _focus_list(self) -> None:
        self.list.setFocus()

    # -- picking -------------------------------------------------------------------------------
    def quick_pick(self, number: int) -> str | None:
        """The code numbered ``number`` (1-based) in the current list, selecting it; None if none."""
        if not 1 <= number <= len(self._picks):
            return None
        code = self._picks[number - 1]
        self.select(code)
        return code

    def select(self, code: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(CodeRole) == code:
                self.list.setCurrentRow(row)
                return

    def picks(self) -> list[str]:
        return list(self._picks)

    def selected_code(self) -> str | None:
        item = self.list.currentItem()
        return item.data(CodeRole) if item else None

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def ask_for_pick(self, action_title: str) -> None:
        """Show the prompt and put focus on the list: numbers, arrows + Enter pick; Escape cancels."""
        self.prompt.setText(
            f"<b>Choose the policy for “{html.escape(action_title)}”</b>: press 1–9, or ↑/↓ and Enter. "
            "Esc cancels."
        )
        self.prompt.show()
        self.list.setFocus()

    def end_pick(self) -> None:
        self.prompt.hide()
