"""The queue as a lazy Qt table model: keyset pages from ``reviewer.queue``, fetched as the view scrolls.

The model holds only the pages the view has asked for (``canFetchMore``/``fetchMore``), never a list of
every case, so a queue of a million cases opens as fast as one of ten. In the app, pages are read on
the read worker (``use_worker``): the worker gets the filter and the last key as values and returns a
list of rows, and only the UI thread touches the model's rows. Without a worker (some tests) pages are
read where they are asked for. ``last_fetch_ms`` records the last read (written by whichever thread
read it; used by the bench only). The SLA column counts down live: the review feature calls
``refresh_sla`` from a one-second timer. The Response column (the response SLA, apart from the review
SLA) comes with each page: the worker that reads a page asks ``reviewer.responses.states`` for its
case ids in one query, and only the UI thread merges them into the model.
"""

from __future__ import annotations

import bisect
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor

from reviewer.clock import Clock, SystemClock
from reviewer.display import visible, visible_all
from reviewer.durations import format_sla, sla_cell, sla_overdue
from reviewer.queue import PAGE_SIZE, QueueFilter, QueueKey, QueueRow, fetch_page
from reviewer.responses.states import OVERDUE as RESPONSE_OVERDUE
from reviewer.responses.states import ResponseState, response_cell, response_details
from reviewer.storage.database import Database
from ui.shell.plain import tooltip

CaseIdRole = Qt.ItemDataRole.UserRole + 1  # the row's case id (uuid.UUID)

OVERDUE = QColor("#d32f2f")

AnyIndex = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    SLA = 0
    PRIORITY = 1
    CHANNEL = 2
    CATEGORY = 3
    ACCOUNT = 4
    RISK = 5
    STATUS = 6
    TIER = 7
    RESPONSE = 8


HEADERS: dict[Column, str] = {
    Column.SLA: "SLA",
    Column.PRIORITY: "P",
    Column.CHANNEL: "Channel",
    Column.CATEGORY: "Category",
    Column.ACCOUNT: "Account",
    Column.RISK: "Risk flags",
    Column.STATUS: "Status",
    Column.TIER: "Tier",
    Column.RESPONSE: "Response",
}


class Page(list[QueueRow]):
    """A page of rows and the response states of its cases (read together on the worker)."""

    responses: dict[uuid.UUID, ResponseState]


def _deadline_tooltip(deadline: datetime, now: datetime) -> str:
    local = deadline.astimezone()
    state = "overdue since" if deadline <= now else "due"
    return (
        f"SLA {state} {deadline:%Y-%m-%d %H:%M} UTC ({local:%Y-%m-%d %H:%M %Z} local), "
        f"{format_sla(deadline, now)}"
    )


_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_SLA_COL = int(Column.SLA)
_RESPONSE_COL = int(Column.RESPONSE)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_OVERDUE_BRUSH = QBrush(OVERDUE)
_SERVED_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        CaseIdRole,
    }
)


TEXT_CACHE_ROWS = 2000


def _row_key(row: QueueRow) -> QueueKey:
    return row.key


Submit = Callable[[Callable[[], Any], Callable[[Any], None]], Any]


class QueueModel(QAbstractTableModel):
    """Read-only table of queue rows in queue order; see the module docstring."""

    loaded = Signal()  # the first page of a new filter is in

    def __init__(
        self,
        db: Database,
        flt: QueueFilter | None = None,
        *,
        page_size: int = PAGE_SIZE,
        clock: Clock | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._filter = flt or QueueFilter()
        self._page_size = page_size
        self._clock: Clock = clock or SystemClock()
        self._rows: list[QueueRow] = []
        self._index: dict[uuid.UUID, int] | None = None  # case id -> row, rebuilt lazily
        self._at_end = False
        self._fetching = False  # Qt may ask for more from inside beginInsertRows; fetch once at a time
        self.last_fetch_ms = 0.0
        # With a worker (the window's database executor), pages are read off the UI thread: a text
        # search over a million cases can take seconds and must not freeze the window.
        self._submit: Submit | None = None
        self._texts: dict[uuid.UUID, tuple[str, ...]] = {}  # display text by case; SLA is always live
        self._generation = 0
        self.loading = False
        self._load_first_page()

    # -- the core ------------------------------------------------------------------------------
    @property
    def filter(self) -> QueueFilter:
        return self._filter

    def use_worker(self, submit: Submit) -> None:
        """Read pages through ``submit(work, on_done)`` (work runs elsewhere, on_done on the UI thread)."""
        self._submit = submit

    def set_filter(self, flt: QueueFilter) -> None:
        """Show ``flt``'s cases: drop every fetched row and load the first page (``loaded`` follows)."""
        self._generation += 1
        if self._submit is None:
            self.beginResetModel()
            self._filter = flt
            self._load_first_page()
            self.endResetModel()
            self.loaded.emit()
            return
        generation = self._generation
        self.beginResetModel()
        self._texts.clear()
        self._responses.clear()
        self._filter = flt
        self._rows, self._index, self._at_end = [], None, True
        self.loading = True
        self.endResetModel()

        def done(page: list[QueueRow]) -> None:
            if generation != self._generation:
                return  # a newer filter replaced this one while it was read
            self._take_responses(page)
            self.beginResetModel()
            self._at_end = len(page) <= self._page_size
            self._rows = page[: self._page_size]
            self.loading = False
            self.endResetModel()
            self.loaded.emit()

        self._submit(lambda: self._query(flt, None), done)

    def _load_first_page(self) -> None:
        self._texts.clear()
        self._rows, self._index, self._at_end = [], None, False
        self._responses: dict[uuid.UUID, ResponseState] = {}
        page = self._read_page(None)
        self._rows = page

    def _query(self, flt: QueueFilter, after: QueueKey | None) -> Page:
        """One page plus one row (so the end is known without a trailing empty fetch), with the response
        states of its cases. Any thread."""
        t0 = time.perf_counter()
        with self._db.read() as session:
            # Item kinds are not shown; skipping them saves a random read per row (~40% of a cold page).
            page = Page(fetch_page(session, flt, after, self._page_size + 1, item_kinds=False))
            page.responses = response_details(session, [r.id for r in page]) if page else {}
        self.last_fetch_ms = (time.perf_counter() - t0) * 1000.0
        return page

    def _take_responses(self, page: list[QueueRow]) -> None:
        """UI thread: keep the response states read with ``page``."""
        found = getattr(page, "responses", None)
        if found:
            self._responses.update(found)

    def note_response(self, case_id: uuid.UUID, state: ResponseState | None) -> None:
        """A response was written for a shown case: its Response cell says so at once."""
        if state is None:
            self._responses.pop(case_id, None)
        else:
            self._responses[case_id] = state
        row = self.row_for_case(case_id)
        if row is not None:
            self.dataChanged.emit(self.index(row, Column.RESPONSE), self.index(row, Column.RESPONSE))

    def response_of(self, case_id: uuid.UUID) -> ResponseState | None:
        return self._responses.get(case_id)

    def _read_page(self, after: QueueKey | None) -> list[QueueRow]:
        page = self._query(self._filter, after)
        self._take_responses(page)
        if len(page) <= self._page_size:
            self._at_end = True
        return page[: self._page_size]

    # -- lazy paging ---------------------------------------------------------------------------
    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:
        return not parent.isValid() and not self._at_end and not self._fetching

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        after = self._rows[-1].key if self._rows else None
        if self._submit is not None:
            generation, flt = self._generation, self._filter

            def done(page: list[QueueRow]) -> None:
                if generation != self._generation:
                    return
                if len(page) <= self._page_size:
                    self._at_end = True
                self._fetching = False
                self._take_responses(page)
                self._append(page[: self._page_size])

            self._submit(lambda: self._query(flt, after), done)
            return
        try:
            self._append(self._read_page(after))
        finally:
            self._fetching = False

    def _append(self, page: list[QueueRow]) -> None:
        self._fetching = True
        try:
            if not page:
                return
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)  # last row is start + n - 1
            self._rows.extend(page)
            if self._index is not None:
                self._index.update((r.id, start + i) for i, r in enumerate(page))
            self.endInsertRows()
        finally:
            self._fetching = False

    # -- rows by case --------------------------------------------------------------------------
    def case_at(self, row: int) -> QueueRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_for_case(self, case_id: uuid.UUID) -> int | None:
        if self._index is None:
            self._index = {r.id: i for i, r in enumerate(self._rows)}
        return self._index.get(case_id)

    def remove_case(self, case_id: uuid.UUID) -> bool:
        """Take a case out (it no longer matches the filter, e.g. after a decision). False if not shown."""
        self._texts.pop(case_id, None)
        row = self.row_for_case(case_id)
        if row is None:
            return False
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self._index = None
        self.endRemoveRows()
        return True

    def reinsert_case(self, row: QueueRow) -> int | None:
        """Put a case back at its queue position (after an undo); returns its row, or None if not shown.

        Not shown when it does not match the filter's statuses, channel or category, or when it sorts after
        the fetched rows while more pages remain (the next ``fetchMore`` brings it). The text filter is
        not checked here: get the row with ``reviewer.queue.fetch_case(session, id, model.filter)``.
        """
        self._texts.pop(row.id, None)
        existing = self.row_for_case(row.id)
        if existing is not None:
            return existing
        flt = self._filter
        if (
            row.status not in flt.statuses
            or (flt.channel is not None and row.channel != flt.channel)
            or (flt.category is not None and row.category != flt.category)
        ):
            return None
        pos = bisect.bisect_left(self._rows, row.key, key=_row_key)
        if pos == len(self._rows) and not self._at_end:
            return None
        self.beginInsertRows(QModelIndex(), pos, pos)
        self._rows.insert(pos, row)
        self._index = None
        self.endInsertRows()
        return pos

    @Slot()
    def refresh_sla(self) -> None:
        """Repaint the SLA and Response columns (their text, colour and tooltip depend on the time)."""
        if self._rows:
            roles = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole]
            last = len(self._rows) - 1
            self.dataChanged.emit(self.index(0, Column.SLA), self.index(last, Column.SLA), roles)
            if self._responses:
                self.dataChanged.emit(self.index(0, Column.RESPONSE), self.index(last, Column.RESPONSE), roles)

    # -- Qt model interface --------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(Column):
            return HEADERS[Column(section)]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every cell and role on each repaint: plain ints, a per-row text cache, early exits.
        if role not in _SERVED_ROLES:
            return None
        r = index.row()
        if not 0 <= r < len(self._rows):
            return None
        row = self._rows[r]
        column = index.column()
        if role == _DISPLAY:
            if column == _SLA_COL:
                return sla_cell(row.sla_deadline, self._clock.now(), row.status)
            if column == _RESPONSE_COL:
                return response_cell(self._responses.get(row.id), self._clock.now())
            texts = self._texts.get(row.id)
            if texts is None:
                if len(self._texts) > TEXT_CACHE_ROWS:  # only rows that were painted; keep it bounded
                    self._texts.clear()
                texts = self._texts[row.id] = tuple(self._display(row, c) for c in Column)
            return texts[column]
        if role == CaseIdRole:
            return row.id
        if column == _SLA_COL:
            if role == _FOREGROUND:
                return _OVERDUE_BRUSH if sla_overdue(row.sla_deadline, self._clock.now(), row.status) else None
            if role == _TOOLTIP:
                return _deadline_tooltip(row.sla_deadline, self._clock.now())
            if role == _ALIGN:
                return _RIGHT
            return None
        if column == _RESPONSE_COL:
            state = self._responses.get(row.id)
            if role == _FOREGROUND:
                late = state is not None and state.state == RESPONSE_OVERDUE
                return _OVERDUE_BRUSH if late else None
            if role == _TOOLTIP:
                if state is None:
                    return "No response expected for this case's channel"
                return f"Response to the requester due {state.due_at:%Y-%m-%d %H:%M} UTC: {state.state}"
            return None
        if role == _TOOLTIP:  # imported text: Qt would render a tooltip that looks like markup as HTML
            if column == Column.ACCOUNT:
                return tooltip(row.account_handle or "No account")
            if column == Column.RISK and row.risk_flags:
                return tooltip("\n".join(visible(flag) for flag in row.risk_flags))
            if column == Column.CATEGORY:
                return tooltip(f"{row.category}\n{row.external_id}")
            if column == Column.CHANNEL:
                return tooltip(row.channel)
        return None

    def _display(self, row: QueueRow, column: Column) -> str:
        """A cell's text (cells are plain text; imported values with their hidden characters shown)."""
        match column:
            case Column.SLA:
                return sla_cell(row.sla_deadline, self._clock.now(), row.status)
            case Column.PRIORITY:
                return f"P{row.priority}"
            case Column.CHANNEL:
                return visible(row.channel)
            case Column.CATEGORY:
                return visible(row.category)
            case Column.ACCOUNT:
                return visible(row.account_handle) or "—"
            case Column.RISK:
                return visible_all(row.risk_flags)
            case Column.STATUS:
                return visible(row.status)
            case Column.TIER:
                return f"T{row.tier}"
            case Column.RESPONSE:
                return response_cell(self._responses.get(row.id), self._clock.now())
        return ""
