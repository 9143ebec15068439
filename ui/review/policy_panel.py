"""The policy side panel: the sections that apply to the case first, numbered 1–9 for quick picks,
full-text search over the pack, and the chosen section's text and examples. The pack version is visible.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QLineEdit, QListView, QTextBrowser, QVBoxLayout, QWidget

from reviewer.display import visible
from reviewer.policy import PolicyPack, PolicySection
from ui.shell.plain import Lines, escape, plain_label, rich_label, set_rich, tooltip

CodeRole = Qt.ItemDataRole.UserRole + 1
QUICK_PICKS = 9
CHANGED_MARK = "● changed ·"  # the marker of a section changed since the reviewer's last session


class _SectionList(QListView):
    chosen = Signal(str)
    cancelled = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        current = self.currentIndex()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and current.isValid():
            self.chosen.emit(current.data(CodeRole))
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
        self.version_label = rich_label(
            "<b>{title}</b><br/>pack {pack_id} · version {version}",
            title=pack.title,
            pack_id=pack.pack_id,
            version=pack.version,
        )
        self.version_label.setObjectName("packVersion")
        self.changes_banner = plain_label()  # "Policy 2026.12 changed 3 sections …" (ui/policy_updates)
        self.changes_banner.setObjectName("policyChangesBanner")
        self.changes_banner.setWordWrap(True)
        self.changes_banner.setAccessibleName("Policy changes")
        self.changes_banner.hide()
        self.changed: frozenset[str] = frozenset()  # codes marked "changed" since the last session
        self.prompt = plain_label()
        self.prompt.setObjectName("pickPrompt")
        self.prompt.setWordWrap(True)
        self.prompt.hide()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search the policy pack  ( / )")
        self.search.setClearButtonEnabled(True)
        self.list = _SectionList()
        self.detail = QTextBrowser()
        self.search.setAccessibleName("Search the policy pack")
        self.search.setAccessibleDescription("Filter the policy sections by code or words ( / )")
        self.list.setAccessibleName("Policy sections")
        self.list.setAccessibleDescription("Policies for this case's category; 1-9 pick one")
        self.detail.setAccessibleName("Policy text")
        self.detail.setAccessibleDescription("The full text of the highlighted policy section")
        self.prompt.setAccessibleName("Policy pick prompt")
        self.detail.setOpenLinks(False)
        self.detail.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        for w in (self.version_label, self.changes_banner, self.prompt, self.search, self.list, self.detail):
            layout.addWidget(w)
        layout.setStretch(4, 2)
        layout.setStretch(5, 3)
        self.list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        # Never cut sideways: long rows end in "…" (full text in the tooltip), no horizontal scrolling.
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setUniformItemSizes(True)
        self.category: str | None = None
        self.only_action: str | None = None  # while a pick is asked for: only sections allowing it
        self._picks: list[str] = []
        # One ready model per category (and asked action): moving between cases swaps models.
        self._models: dict[tuple[str | None, str | None], tuple[QStandardItemModel, list[str]]] = {}
        self._model: QStandardItemModel | None = None
        self._pending_detail: str | None = None
        self._shown_detail: str | None = None
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(0)
        self._detail_timer.timeout.connect(self._show_pending_detail)
        self._pending_category: tuple[str | None] | None = None
        self._category_timer = QTimer(self)
        self._category_timer.setSingleShot(True)
        self._category_timer.setInterval(0)
        self._category_timer.timeout.connect(self._flush)
        self.search.textChanged.connect(self._refill)
        self.search.returnPressed.connect(self._focus_list)
        self.list.chosen.connect(self.section_chosen)
        self.list.cancelled.connect(self.pick_cancelled)
        self._refill()

    # -- content -------------------------------------------------------------------------------
    def show_category_soon(self, category: str | None) -> None:
        """Switch to ``category`` after the current paint; every read of the picks applies it first."""
        self._pending_category = (category,)
        self._category_timer.start()

    def _flush(self) -> None:
        if self._pending_category is not None:
            (category,), self._pending_category = self._pending_category, None
            self.set_category(category)

    def set_category(self, category: str | None) -> None:
        self._pending_category = None
        if category == self.category and not self.search.text():
            self._select_row(0)
            return
        self.category = category
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._refill()

    def _sections(self) -> list[PolicySection]:
        query = self.search.text().strip()
        action = self.only_action
        if query:
            found = self.pack.search(query)
            return [s for s in found if self.pack.allows(s.code, action)] if action else found
        if action:
            return self.pack.sections_allowing(action, self.category)
        if self.category:
            return self.pack.for_category(self.category)
        return list(self.pack.sections)

    def _build_model(self, sections: list[PolicySection]) -> tuple[QStandardItemModel, list[str]]:
        category = self.category
        model = QStandardItemModel(self)
        picks: list[str] = []
        for section in sections:
            number = len(picks) + 1
            numbered = number <= QUICK_PICKS
            if numbered:
                picks.append(section.code)
            prefix = f"{number}  " if numbered else "    "
            line = f"{visible(section.code)}  {visible(section.title)}   [{visible(' '.join(section.actions))}]"
            if section.code in self.changed:
                line = f"{CHANGED_MARK} {line}"
            item = QStandardItem(f"{prefix}{line}")
            item.setData(section.code, CodeRole)
            # The row elides at the panel's width: its tooltip starts with the whole line.
            item.setToolTip(tooltip(f"{line}\n\n{section.text[:400]}"))
            item.setEditable(False)
            if category and category not in section.categories and not section.is_general:
                item.setForeground(QColor(128, 128, 128))
            model.appendRow(item)
        return model, picks

    def _refill(self) -> None:
        searching = bool(self.search.text().strip())
        if searching:
            model, picks = self._build_model(self._sections())
        else:
            key = (self.category, self.only_action)
            if key not in self._models:
                self._models[key] = self._build_model(self._sections())
            model, picks = self._models[key]
        self._picks = list(picks)
        old = self._model
        self._model = model
        self.list.setModel(model)
        self.list.selectionModel().currentChanged.connect(self._queue_detail)
        if old is not None and old not in (m for m, _ in self._models.values()):
            old.deleteLater()
        if model.rowCount():
            self._select_row(0)
        else:
            self._shown_detail = None
            self.detail.setHtml("<i>No section matches.</i>")

    def _select_row(self, row: int) -> None:
        if self._model is not None and 0 <= row < self._model.rowCount():
            self.list.setCurrentIndex(self._model.index(row, 0))

    def _queue_detail(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        """Show the section's text on the next turn of the event loop: the case's media paints first."""
        self._pending_detail = current.data(CodeRole) if current.isValid() else None
        self._detail_timer.start()

    def _show_pending_detail(self) -> None:
        code = self._pending_detail
        if code is None or code == self._shown_detail:
            return
        self._shown_detail = code
        s = self.pack.section(code)
        e = escape
        examples = "".join(f"<li>{e(Lines(x))}</li>" for x in s.examples)
        self.detail.setHtml(
            f"<h3>{e(s.code)} — {e(s.title)}</h3><p>Severity {s.severity} of 5 · allows: "
            f"<b>{e(', '.join(s.actions))}</b></p><p>{e(Lines(s.text))}</p><p><b>Examples</b></p><ul>{examples}</ul>"
        )

    def _focus_list(self) -> None:
        self.list.setFocus()

    def mark_changed(self, codes: frozenset[str], banner: str | None) -> None:
        """Mark these sections "changed" (since the reviewer's last session) and show the banner."""
        if codes == self.changed and not banner and self.changes_banner.isHidden():
            return  # nothing changed: the lists stay as they are
        self.changed = codes
        self.changes_banner.setText(banner or "")
        self.changes_banner.setVisible(bool(banner))
        for model, _picks in self._models.values():
            if model is not self._model:
                model.deleteLater()
        self._models.clear()  # rebuilt with the markers
        self._refill()

    # -- picking -------------------------------------------------------------------------------
    def quick_pick(self, number: int) -> str | None:
        """The code numbered ``number`` (1-based) in the current list, selecting it; None if none."""
        self._flush()
        if not 1 <= number <= len(self._picks):
            return None
        code = self._picks[number - 1]
        self.select(code)
        return code

    def select(self, code: str) -> None:
        self._flush()
        if self._model is None:
            return
        for row in range(self._model.rowCount()):
            if self._model.item(row).data(CodeRole) == code:
                self._select_row(row)
                return

    def picks(self) -> list[str]:
        self._flush()
        return list(self._picks)

    def focus_search(self) -> None:
        self._flush()
        self.search.setFocus()
        self.search.selectAll()

    def ask_for_pick(self, action_title: str, action: str | None = None) -> None:
        """Show the prompt and put focus on the list: numbers, arrows + Enter pick; Escape cancels. With
        ``action``, the list offers only the sections that allow it (``PolicyPack.sections_allowing``)."""
        self._flush()
        if action != self.only_action:
            self.only_action = action
            self._refill()
        set_rich(
            self.prompt,
            "<b>Choose the policy for “{action}”</b>: press 1–9, or ↑/↓ and Enter. Esc cancels.",
            action=action_title,
        )
        self.prompt.show()
        self.list.setFocus()

    def end_pick(self) -> None:
        self.prompt.hide()
        if self.only_action is not None:
            self.only_action = None
            self._refill()
