"""The queue as a lazy Qt table model: keyset pages from ``reviewer.queue``, fetched as the view scrolls.

The model holds only the pages the view has asked for (``canFetchMore``/``fetchMore``), never a list of
every case, so a queue of a million cases opens as fast as one of ten. In the app, pages are read on
the read worker (``use_worker``): the worker gets the filter and the last key as values and returns a
list of rows, and only the UI thread touches the model's rows. Without a worker (some tests) pages are
read where they are asked for. ``last_fetch_ms`` records the last read (written by whichever thread
read it; used by the bench only). The SLA column counts down live: the review feature calls
``refresh_sla`` from a one-second timer. The Response column (the response SLA, apart from the review
SLA) comes with each page: the worker reads it with the page's rows (``reviewer.queue.
fetch_page_responses``, one statement on SQLite), and only the UI thread merges it into the model.

Memory stays flat however far the view scrolls (as Anki's browser does): the model keeps every fetched
row's queue key packed in 28 bytes (``ui.review.row_store``) and full rows only in a small cache of the
most recently fetched or shown ones (``ROW_CACHE`` rows). A row the view paints that is not in the cache
shows a placeholder while its block of rows is read by ids on the read worker (``reviewer.queue.
fetch_rows_responses``); ``dataChanged`` repaints it when they arrive, and ``rows_ready`` says which rows came.
"""

from __future__ import annotations

import bisect
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime
from enum import IntEnum
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor

from reviewer.clock import Clock, SystemClock
from reviewer.display import visible, visible_all
from reviewer.durations import format_sla, sla_cell, sla_overdue
from reviewer.queue import (
    PAGE_SIZE,
    QueueFilter,
    QueueKey,
    QueueRow,
    fetch_page_responses,
    fetch_rows_responses,
)
from reviewer.responses.states import OVERDUE as RESPONSE_OVERDUE
from reviewer.responses.states import ResponseState, response_cell
from reviewer.storage.database import Database
from ui.review.row_store import Keys, RowStore
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
    """A page of rows and the response states of its cases (read together on the worker); a new filter's
    first page also carries what ``QueueModel.read_ahead`` read for its first case."""

    responses: dict[uuid.UUID, ResponseState]
    ahead: object = None


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
#: Full rows kept (the newest pages and what the view showed last); the rest are keys only.
ROW_CACHE = 1200
#: Rows read together when the view needs one that is not cached.
BLOCK = 100
PLACEHOLDER = "…"


class Rows(dict[uuid.UUID, QueueRow]):
    """Rows read by ids and the response states of their cases (read together on the worker)."""

    responses: dict[uuid.UUID, ResponseState]


Submit = Callable[[Callable[[], Any], Callable[[Any], None]], Any]


class QueueModel(QAbstractTableModel):
    """Read-only table of queue rows in queue order; see the module docstring."""

    loaded = Signal()  # the first page of a new filter is in
    # (case id, what read_ahead returned for it): the first case of a new filter, just before ``loaded``
    first_case_read = Signal(object, object)
    rows_ready = Signal(int, int)  # rows (first, last) that showed a placeholder have their texts now

    def __init__(
        self,
        db: Database,
        flt: QueueFilter | None = None,
        *,
        page_size: int = PAGE_SIZE,
        clock: Clock | None = None,
        submit: Submit | None = None,
        parent: QObject | None = None,
    ) -> None:
        """``submit``: the worker pages are read through (``use_worker``); with it nothing is read here,
        the first ``set_filter`` reads the first page there (the window's start)."""
        super().__init__(parent)
        self._db = db
        self._filter = flt or QueueFilter()
        self._page_size = page_size
        self._clock: Clock = clock or SystemClock()
        self._store = RowStore()  # every fetched row's key, in queue order
        self._keys = Keys(self._store)
        self._cache: OrderedDict[uuid.UUID, QueueRow] = OrderedDict()  # newest last
        self._responses: dict[uuid.UUID, ResponseState] = {}  # of cached rows only
        self._wanted: set[int] = set()  # blocks of rows to read by ids
        self._reading: set[uuid.UUID] = set()  # ids being read by ids now
        self._at_end = False
        self._fetching = False  # Qt may ask for more from inside beginInsertRows; fetch once at a time
        self.last_fetch_ms = 0.0
        # With a worker (the window's database executor), pages are read off the UI thread: a text
        # search over a million cases can take seconds and must not freeze the window.
        self._submit: Submit | None = None
        self._texts: dict[uuid.UUID, tuple[str, ...]] = {}  # display text by case; SLA is always live
        self._generation = 0
        self.loading = False
        if submit is None:
            self._load_first_page()
        else:
            self.use_worker(submit)
            self._at_end = True  # empty until set_filter

    # -- the core ------------------------------------------------------------------------------
    @property
    def filter(self) -> QueueFilter:
        return self._filter

    #: Run on the worker right after a new filter's first page with its first case's id (see
    #: ``_first_page``); what it returns comes back through ``first_case_read``. None: nothing is read.
    read_ahead: Callable[[uuid.UUID], object] | None = None

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
        self._forget_all()
        self._filter = flt
        self._at_end = True
        self.loading = True
        self.endResetModel()

        def done(page: list[QueueRow]) -> None:
            if generation != self._generation:
                return  # a newer filter replaced this one while it was read
            self.beginResetModel()
            self._forget_all()
            self._at_end = len(page) <= self._page_size
            self._keep(page[: self._page_size], getattr(page, "responses", None))
            self._store.extend(r.key for r in page[: self._page_size])
            self.loading = False
            self.endResetModel()
            ahead = getattr(page, "ahead", None)
            if page and ahead is not None:
                self.first_case_read.emit(page[0].id, ahead)
            self.loaded.emit()

        self._submit(partial(self._first_page, flt, self.read_ahead), done)

    def _first_page(self, flt: QueueFilter, ahead: Callable[[uuid.UUID], object] | None) -> Page:
        """A new filter's first page and, when ``ahead`` is set, its first case read right after it on
        the same worker: while the UI thread is still busy (the window's first paint: 40-150 ms measured)
        the case loads, instead of waiting for the page to reach the UI thread and be asked for from
        there. A failed read ahead is dropped: the case is then read as any other, which reports it."""
        page = self._query(flt, None)
        if ahead is not None and page:
            try:
                page.ahead = ahead(page[0].id)
            except Exception:  # read again the usual way, which reports the error
                page.ahead = None
        return page

    def _forget_all(self) -> None:
        self._store.clear()
        self._cache.clear()
        self._texts.clear()
        self._responses.clear()
        self._wanted.clear()
        self._reading.clear()

    def _load_first_page(self) -> None:
        self._forget_all()
        self._at_end = False
        page = self._read_page(None)
        self._store.extend(r.key for r in page)

    def _query(self, flt: QueueFilter, after: QueueKey | None) -> Page:
        """One page plus one row (so the end is known without a trailing empty fetch), with the response
        states of its cases. Any thread."""
        t0 = time.perf_counter()
        with self._db.read() as session:
            # Item kinds are not shown (skipping them saves a random read per row); on SQLite the response
            # states come in the same statement as the rows.
            rows, responses = fetch_page_responses(session, flt, after, self._page_size + 1)
            page = Page(rows)
            page.responses = responses
        self.last_fetch_ms = (time.perf_counter() - t0) * 1000.0
        return page

    def _query_rows(self, ids: list[uuid.UUID]) -> Rows:
        """Rows by ids with their response states. Any thread."""
        with self._db.read() as session:
            found, responses = fetch_rows_responses(session, ids)
        rows = Rows(found)
        rows.responses = responses
        return rows

    def _keep(self, rows: Iterable[QueueRow], responses: dict[uuid.UUID, ResponseState] | None) -> None:
        """UI thread: cache ``rows`` (newest) with their response states; the oldest leave past ROW_CACHE."""
        cache = self._cache
        for row in rows:
            cache[row.id] = row
            cache.move_to_end(row.id)
            state = responses.get(row.id) if responses else None
            if state is None:
                self._responses.pop(row.id, None)
            else:
                self._responses[row.id] = state
        while len(cache) > ROW_CACHE:
            old, _ = cache.popitem(last=False)
            self._responses.pop(old, None)
            self._texts.pop(old, None)

    def note_response(self, case_id: uuid.UUID, state: ResponseState | None) -> None:
        """A response was written for a shown case: its Response cell says so at once."""
        if state is None:
            self._responses.pop(case_id, None)
        elif case_id in self._cache:  # an uncached row reads its state with its text
            self._responses[case_id] = state
        row = self.row_for_case(case_id)
        if row is not None:
            self.dataChanged.emit(self.index(row, Column.RESPONSE), self.index(row, Column.RESPONSE))

    def response_of(self, case_id: uuid.UUID) -> ResponseState | None:
        return self._responses.get(case_id)

    def _read_page(self, after: QueueKey | None) -> list[QueueRow]:
        page = self._query(self._filter, after)
        if len(page) <= self._page_size:
            self._at_end = True
        rows = page[: self._page_size]
        self._keep(rows, page.responses)
        return rows

    # -- lazy paging ---------------------------------------------------------------------------
    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:
        return not parent.isValid() and not self._at_end and not self._fetching

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        after = self._store.key_at(len(self._store) - 1) if len(self._store) else None
        if self._submit is not None:
            generation, flt = self._generation, self._filter

            def done(page: Page) -> None:
                if generation != self._generation:
                    return
                if len(page) <= self._page_size:
                    self._at_end = True
                self._fetching = False
                rows = page[: self._page_size]
                self._keep(rows, page.responses)
                self._append(rows)

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
            start = len(self._store)
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)  # last row is start + n - 1
            self._store.extend(r.key for r in page)
            self.endInsertRows()
        finally:
            self._fetching = False

    # -- rows on demand ------------------------------------------------------------------------
    def _cached(self, row: int) -> QueueRow | None:
        """The full row at ``row`` if cached; otherwise None, and its block is read (by ids)."""
        case_id = self._store.id_at(row)
        found = self._cache.get(case_id)
        if found is None:
            self._want(row)
            return self._cache.get(case_id)  # read already when there is no worker
        self._cache.move_to_end(case_id)  # shown rows stay while pages stream in
        return found

    def _want(self, row: int) -> None:
        if self._submit is None:  # no worker (tests, tools): read here
            wanted = self._block(row // BLOCK)
            rows = self._query_rows([i for i, _ in wanted])
            self._keep(rows.values(), rows.responses)
            return
        if not self._wanted:
            QTimer.singleShot(0, self._read_wanted)
        self._wanted.add(row // BLOCK)

    def _block(self, block: int) -> list[tuple[uuid.UUID, int]]:
        """(id, row) of the block's rows that are neither cached nor being read."""
        first, end = block * BLOCK, min((block + 1) * BLOCK, len(self._store))
        found = ((self._store.id_at(r), r) for r in range(first, end))
        return [(i, r) for i, r in found if i not in self._cache and i not in self._reading]

    @Slot()
    def _read_wanted(self) -> None:
        """Read every wanted block's uncached rows in one job on the read worker."""
        blocks, self._wanted = sorted(self._wanted), set()
        hints = dict(pair for b in blocks for pair in self._block(b))
        if not hints or self._submit is None:
            return
        ids = list(hints)
        self._reading.update(ids)
        generation = self._generation

        def done(rows: Rows) -> None:
            if generation != self._generation:
                return
            self._reading.difference_update(ids)
            self._keep(rows.values(), rows.responses)
            shown = [r for r in (self.row_for_case(i, hints[i]) for i in rows) if r is not None]
            if shown:
                first, last = min(shown), max(shown)
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(Column) - 1))
                self.rows_ready.emit(first, last)

        self._submit(lambda: self._query_rows(ids), done)

    # -- rows by case --------------------------------------------------------------------------
    def case_at(self, row: int) -> QueueRow | None:
        """The full row at ``row``; None past the end, or (with a worker) while it is being read."""
        return self._cached(row) if 0 <= row < len(self._store) else None

    def id_at(self, row: int) -> uuid.UUID | None:
        """The case id at ``row`` (always known, cached or not)."""
        return self._store.id_at(row) if 0 <= row < len(self._store) else None

    def row_for_case(self, case_id: uuid.UUID, hint: int | None = None) -> int | None:
        return self._store.find(case_id, hint)

    def remove_case(self, case_id: uuid.UUID) -> bool:
        """Take a case out (it no longer matches the filter, e.g. after a decision). False if not shown."""
        self._texts.pop(case_id, None)
        row = self.row_for_case(case_id)
        if row is None:
            return False
        self.beginRemoveRows(QModelIndex(), row, row)
        self._store.delete(row)
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
            self._keep([row], {})
            return existing
        flt = self._filter
        if (
            row.status not in flt.statuses
            or (flt.channel is not None and row.channel != flt.channel)
            or (flt.category is not None and row.category != flt.category)
        ):
            return None
        pos = bisect.bisect_left(self._keys, row.key)
        if pos == len(self._store) and not self._at_end:
            return None
        self._keep([row], {})
        self.beginInsertRows(QModelIndex(), pos, pos)
        self._store.insert(pos, row.key)
        self.endInsertRows()
        return pos

    @Slot()
    def refresh_sla(self) -> None:
        """Repaint the SLA and Response columns (their text, colour and tooltip depend on the time)."""
        if len(self._store):
            roles = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole]
            last = len(self._store) - 1
            self.dataChanged.emit(self.index(0, Column.SLA), self.index(last, Column.SLA), roles)
            if self._responses:
                self.dataChanged.emit(
                    self.index(0, Column.RESPONSE), self.index(last, Column.RESPONSE), roles
                )

    # -- Qt model interface --------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._store)

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
        if not 0 <= r < len(self._store):
            return None
        if role == CaseIdRole:
            return self._store.id_at(r)
        row = self._cached(r)
        if row is None:  # being read: a placeholder until ``dataChanged``
            return PLACEHOLDER if role == _DISPLAY else None
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
        if column == _SLA_COL:
            if role == _FOREGROUND:
                return (
                    _OVERDUE_BRUSH if sla_overdue(row.sla_deadline, self._clock.now(), row.status) else None
                )
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
