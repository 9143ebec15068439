"""The left panel: filter bar (channel, category, status, search) above the queue table."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reviewer.display import visible
from reviewer.queue import QueueFilter
from ui.review.queue_model import Column, QueueModel
from ui.shell.plain import plain_label, rich_label

#: Widest typical text of each fixed column (with its header): widths follow the font, not pixels.
COLUMN_SAMPLES = {
    Column.SLA: "-23h59m",
    Column.PRIORITY: "P4",
    Column.STATUS: "escalated",
    Column.TIER: "T3",
    Column.CHANNEL: "partner",
    Column.CATEGORY: "violence",
    Column.RESPONSE: "due in 23h59m",
}
#: These share what is left; their cells elide with "…" and their tooltips hold the full text.
STRETCHED = (Column.ACCOUNT, Column.RISK)
#: On screen, the short fixed columns come first, so Status is always visible.
VISUAL_ORDER = (
    Column.SLA, Column.PRIORITY, Column.STATUS, Column.TIER, Column.CATEGORY, Column.CHANNEL,
    Column.RESPONSE, Column.ACCOUNT, Column.RISK,
)  # fmt: skip

STATUS_CHOICES = (
    ("Open", ("open",)),
    ("Skipped", ("skipped",)),
    ("Escalated", ("escalated",)),
    ("Open + skipped", ("open", "skipped")),
    ("Decided", ("decided",)),
)


class QueuePanel(QWidget):
    filter_changed = Signal(object)  # QueueFilter

    def __init__(
        self, model: QueueModel, channels: list[str], categories: list[str], parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.model = model
        self.channel = QComboBox()
        self.channel.addItem("All channels", None)
        for c in channels:
            self.channel.addItem(visible(c), c)
        self.category = QComboBox()
        self.category.addItem("All categories", None)
        for c in categories:
            self.category.addItem(visible(c), c)
        self.status = QComboBox()
        for label, statuses in STATUS_CHOICES:
            self.status.addItem(label, statuses)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search id, account, report  (Ctrl+E)")
        self.search.setClearButtonEnabled(True)
        self.count_label = plain_label()
        self.table = QTableView()
        self.channel.setAccessibleName("Channel filter")
        self.channel.setAccessibleDescription("Show the cases of one channel or of all (Ctrl+F)")
        self.category.setAccessibleName("Category filter")
        self.category.setAccessibleDescription("Show the cases of one category or of all")
        self.status.setAccessibleName("Status filter")
        self.status.setAccessibleDescription("Show open, decided or all cases")
        self.search.setAccessibleName("Search the queue")
        self.search.setAccessibleDescription("Find cases by id, account or report words (Ctrl+E)")
        self.count_label.setAccessibleName("Cases in the queue")
        self.table.setAccessibleName("Case queue")
        self.table.setAccessibleDescription("Cases to review, most urgent first; J and Shift+J move")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        size_columns(self.table)
        bar = QHBoxLayout()
        for w in (self.channel, self.category, self.status):
            bar.addWidget(w)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(
            rich_label("<b>Queue</b>  <small>(Ctrl+F filter · Ctrl+E search · J/Shift+J move)</small>")
        )
        layout.addLayout(bar)
        layout.addWidget(self.search)
        layout.addWidget(self.table)
        layout.addWidget(self.count_label)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self._emit_filter)
        for combo in (self.channel, self.category, self.status):
            combo.currentIndexChanged.connect(self._emit_filter)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._search_done)

    def current_filter(self) -> QueueFilter:
        text = self.search.text().strip() or None
        return QueueFilter(
            statuses=tuple(self.status.currentData()),
            channel=self.channel.currentData(),
            category=self.category.currentData(),
            text=text,
        )

    def _emit_filter(self) -> None:
        self._debounce.stop()
        self.filter_changed.emit(self.current_filter())

    def _search_done(self) -> None:
        self._emit_filter()
        self.table.setFocus()

    def clear(self) -> None:
        for w in (self.channel, self.category, self.status):
            w.blockSignals(True)
            w.setCurrentIndex(0)
            w.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._emit_filter()

    def set_count(self, text: str) -> None:
        self.count_label.setText(text)


def size_columns(table: QTableView) -> None:
    """Fixed columns as wide as their sample text in the table's font; account and risk flags stretch
    over the rest (elided, tooltips in the model), in :data:`VISUAL_ORDER`."""
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setMinimumSectionSize(24)
    metrics, header_metrics = table.fontMetrics(), header.fontMetrics()
    for column, sample in COLUMN_SAMPLES.items():
        title = str(table.model().headerData(column, Qt.Orientation.Horizontal))
        width = max(metrics.horizontalAdvance(sample), header_metrics.horizontalAdvance(title)) + 16
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        table.setColumnWidth(column, width)
    for column in STRETCHED:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    for position, column in enumerate(VISUAL_ORDER):
        header.moveSection(header.visualIndex(column), position)
