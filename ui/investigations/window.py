"""The Investigations window (F6): the investigations on the left, the selected one on the right in
tabs (Members, Timeline, Notes, Findings).

Keys: Ctrl+N new investigation · Del removes the selected member · Ctrl+Enter saves the findings (on the
Notes tab: adds the note) · Ctrl+Shift+X closes or reopens the investigation · F5 reloads · Alt+L the
list · Esc closes the window (F12 blanks everything, app-wide). The window shows values it is handed
and asks its feature (:class:`Requests`) for every read and write; imported text arrives through
``visible``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reviewer.display import visible
from reviewer.investigations import Findings, InvestigationEvent, InvestigationSummary, InvestigationView
from ui.investigations.findings import FindingsEditor
from ui.investigations.timeline_model import TimelineModel
from ui.shell.plain import plain_label
from ui.shell.row_table import fill_rows, row_table

MEMBER_COLUMNS = ("Kind", "Member", "Channel", "Added by", "Added", "Note")
NOTE_COLUMNS = ("When", "By", "Case", "Note")
MEMBERS, TIMELINE, NOTES, FINDINGS = range(4)
KEYS_HINT = (
    "Ctrl+N new · Del removes a member · Ctrl+Enter saves the findings (on Notes: adds the note) · Esc closes"
)


@dataclass(frozen=True)
class Requests:
    """What the window asks of its feature (each runs off the UI thread and calls the window back)."""

    reload: Callable[[uuid.UUID | None], None]  # the list, and the investigation with this id
    new: Callable[[], None]
    remove_member: Callable[[uuid.UUID, uuid.UUID], None]
    add_note: Callable[[uuid.UUID, str], None]
    save_findings: Callable[[InvestigationView, Findings], None]
    set_status: Callable[[InvestigationView, bool], None]  # open?


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def _stamp(view_at: object) -> str:
    return view_at.astimezone().strftime("%Y-%m-%d %H:%M")  # type: ignore[attr-defined]


def _button(text: str, name: str, description: str, handler: Callable[[], None]) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setAccessibleDescription(description)
    button.setAutoDefault(False)
    button.clicked.connect(handler)
    return button


class InvestigationsWindow(QDialog):
    def __init__(self, requests: Requests, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("investigationsWindow")
        self.setWindowTitle("Investigations (F6)")
        self.requests = requests
        self.view: InvestigationView | None = None
        self.list = QListWidget()
        self.list.setAccessibleName("Investigations")
        self.list.setAccessibleDescription("Every investigation, most recently changed first (Alt+L)")
        self.list.currentItemChanged.connect(lambda item, _prev: self._picked(item))
        self.head = plain_label("Choose an investigation, or start one (Ctrl+N)")
        self.head.setWordWrap(True)
        self.members = row_table(
            MEMBER_COLUMNS, "Members", "Cases, accounts and items gathered here (Del removes)"
        )
        self.timeline_model = TimelineModel(self)
        self.timeline = QTableView()
        self.timeline.setModel(self.timeline_model)
        self.timeline.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.timeline.verticalHeader().setVisible(False)
        self.timeline.horizontalHeader().setStretchLastSection(True)
        self.timeline.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.timeline.setAccessibleName("Timeline")
        self.timeline.setAccessibleDescription("Cases, decisions and notes across channels, oldest first")
        self.notes = row_table(NOTE_COLUMNS, "Notes", "The investigation's notes, oldest first")
        self.note_text = QPlainTextEdit()
        self.note_text.setTabChangesFocus(True)
        self.note_text.setPlaceholderText("A new note (Ctrl+Enter adds it)")
        self.note_text.setAccessibleName("New note")
        self.note_text.setAccessibleDescription("Write a note; Ctrl+Enter adds it to the investigation")
        self.note_text.setFixedHeight(self.note_text.fontMetrics().lineSpacing() * 3 + 14)
        self.findings = FindingsEditor()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Investigation")
        self.tabs.setAccessibleDescription(
            "Members, timeline, notes and findings of the chosen investigation"
        )
        self.tabs.addTab(self.members, "&Members")
        self.tabs.addTab(self.timeline, "&Timeline")
        self.tabs.addTab(self._notes_tab(), "N&otes")
        self.tabs.addTab(self._findings_tab(), "&Findings")
        self.message = plain_label(KEYS_HINT)
        self.message.setWordWrap(True)
        self.status_button = _button(
            "Close investigation (Ctrl+Shift+X)",
            "Close or reopen investigation",
            "Close the investigation (read-only), or reopen a closed one",
            self.toggle_status,
        )
        buttons = QHBoxLayout()
        for button in (
            _button(
                "New (Ctrl+N)", "New investigation", "Start an investigation (Ctrl+N)", self.requests.new
            ),
            _button(
                "Remove member (Del)", "Remove member", "Remove the selected member (Del)", self.remove_member
            ),
            self.status_button,
            _button("Reload (F5)", "Reload", "Read the investigations again (F5)", self.reload),
            _button(
                "Close window (Esc)", "Close window", "Close the Investigations window (Esc)", self.reject
            ),
        ):
            buttons.addWidget(button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.head)
        right_layout.addWidget(self.tabs, 1)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        split.setSizes([320, 860])
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        for key, handler in (
            ("Ctrl+N", self.requests.new),
            ("Del", self.remove_member),
            ("Ctrl+Return", self.commit),
            ("Ctrl+Enter", self.commit),
            ("Ctrl+Shift+X", self.toggle_status),
            ("F5", self.reload),
            ("Alt+L", self.list.setFocus),
        ):
            QShortcut(QKeySequence(key), self).activated.connect(handler)
        self.resize(1180, 720)
        self._set_enabled(False)

    def _notes_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(self.notes, 1)
        layout.addWidget(self.note_text)
        layout.addWidget(
            _button("Add note (Ctrl+Enter)", "Add note", "Add the note (Ctrl+Enter)", self.add_note)
        )
        return tab

    def _findings_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(self.findings, 1)
        self.save_button = _button(
            "Save findings (Ctrl+Enter)",
            "Save findings",
            "Store the head and the narrative (Ctrl+Enter)",
            self.save_findings,
        )
        layout.addWidget(self.save_button)
        return tab

    # -- shown values ------------------------------------------------------------------------------
    def selected_id(self) -> uuid.UUID | None:
        item = self.list.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return value if isinstance(value, uuid.UUID) else None

    def set_list(self, rows: list[InvestigationSummary], select: uuid.UUID | None) -> None:
        """The list; keeps (or moves to) ``select`` without asking to load it again."""
        self.list.blockSignals(True)
        self.list.clear()
        for inv in rows:
            closed = "  [closed]" if inv.status != "open" else ""
            item = QListWidgetItem(
                f"{visible(inv.title)}{closed}\n{_count(inv.members, 'member')} · {_count(inv.notes, 'note')}"
            )
            item.setData(Qt.ItemDataRole.UserRole, inv.id)
            self.list.addItem(item)
            if inv.id == select:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        if not rows:
            self.show_investigation(None, [])
            self.set_message("No investigation yet: Ctrl+N starts one, I adds the case on screen.")

    def show_investigation(self, view: InvestigationView | None, events: list[InvestigationEvent]) -> None:
        """Show ``view``; unsaved findings of the same investigation stay in the editor."""
        same = view is not None and self.view is not None and view.id == self.view.id
        # A draft stays, and so does a head newer than this read (a save that finished after it began).
        keep_draft = same and (self.findings.dirty or view.updated_at < self.view.updated_at)  # type: ignore[union-attr]
        self.view = _with_read_at(view, self.view) if keep_draft and self.view is not None else view
        self._set_enabled(view is not None)
        if view is None:
            self.head.setText("Choose an investigation, or start one (Ctrl+N)")
            fill_rows(self.members, [])
            fill_rows(self.notes, [])
            self.timeline_model.set_events([])
            self.findings.load(Findings())
            return
        self.head.setText(
            f"{visible(view.title)} — {view.status}, started by {visible(view.created_by)} "
            f"{_stamp(view.created_at)} · {_count(len(view.members), 'member')} · "
            f"{_count(len(events), 'timeline entry', 'timeline entries')} · {_count(len(view.notes), 'note')}"
        )
        fill_rows(
            self.members,
            [
                (
                    m.kind,
                    visible(m.label),
                    visible(m.channel),
                    visible(m.added_by),
                    _stamp(m.added_at),
                    visible(m.note),
                )
                for m in view.members
            ],
        )
        fill_rows(
            self.notes,
            [
                (_stamp(n.created_at), visible(n.author), visible(n.external_id), visible(n.body))
                for n in view.notes
            ],
        )
        self.timeline_model.set_events(events)
        self.timeline.resizeColumnsToContents()
        if not keep_draft:
            self.findings.load(view.findings)
        self.findings.set_editable(view.is_open)
        self.save_button.setEnabled(view.is_open)
        self.status_button.setText(
            "Close investigation (Ctrl+Shift+X)" if view.is_open else "Reopen investigation (Ctrl+Shift+X)"
        )

    def set_message(self, text: str) -> None:
        self.message.setText(visible(text))

    def _set_enabled(self, on: bool) -> None:
        self.tabs.setEnabled(on)
        self.status_button.setEnabled(on)

    # -- requests ------------------------------------------------------------------------------
    def _picked(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.requests.reload(self.selected_id())

    def reload(self) -> None:
        self.requests.reload(self.selected_id())

    def remove_member(self) -> None:
        if self.tabs.currentIndex() != MEMBERS:
            self.set_message("Del removes the selected member on the Members tab (Alt+M).")
            return
        row = self.members.currentRow()
        if self.view is None or not 0 <= row < len(self.view.members):
            self.set_message("No member selected (Members tab, arrows, then Del).")
            return
        self.requests.remove_member(self.view.id, self.view.members[row].id)

    def commit(self) -> None:
        """Ctrl+Enter: add the note on the Notes tab, save the findings anywhere else."""
        if self.tabs.currentIndex() == NOTES:
            self.add_note()
        else:
            self.save_findings()

    def add_note(self) -> None:
        body = self.note_text.toPlainText().strip()
        if self.view is None or not body:
            self.set_message("Write the note first.")
            return
        self.requests.add_note(self.view.id, body)

    def note_added(self) -> None:
        self.note_text.clear()

    def findings_saved(self, findings: Findings, updated_at: datetime) -> None:
        """The save went through: the next one is checked against ``updated_at``."""
        if self.view is not None:
            self.view = replace(self.view, findings=findings, updated_at=updated_at)
        self.findings.mark_saved(findings)

    def save_findings(self) -> None:
        if self.view is None:
            self.set_message("Choose an investigation first.")
            return
        if not self.view.is_open:
            self.set_message("This investigation is closed: reopen it (Ctrl+Shift+X) to change its findings.")
            return
        self.requests.save_findings(self.view, self.findings.findings())

    def toggle_status(self) -> None:
        if self.view is not None:
            self.requests.set_status(self.view, not self.view.is_open)


def _with_read_at(new: InvestigationView | None, old: InvestigationView) -> InvestigationView | None:
    """``new`` as the draft's base: the ``updated_at`` (and findings) the draft was read with, so a save
    of a draft over someone else's newer findings is refused as stale, not written over them."""
    if new is None:
        return None
    return replace(new, updated_at=old.updated_at, findings=old.findings)
