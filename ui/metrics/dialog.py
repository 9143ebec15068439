"""The metrics dialog: filters (date range, channel, category) above one tab per figure.

Figures are computed on the db-read worker (``tasks.run_read``), never on the UI thread; a result for
filters the user has since changed is dropped. T toggles every figure between chart and table;
Ctrl+Tab / Ctrl+PgDown move between figures; F5 computes again; Alt+F, Alt+O, Alt+C, Alt+A reach the
filters. Escape closes (F12 still blanks everything, app-wide).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reviewer.display import visible
from reviewer.metrics import MetricsFilter, MetricsReport
from ui.metrics.chart_pane import ChartPane
from ui.shell.plain import plain_label

DEFAULT_DAYS = 30
DEBOUNCE_MS = 250
ALL = "All"

#: ``compute(filter, on_done, on_error)``: runs the figures off the UI thread and calls back on it.
Compute = Callable[[MetricsFilter, Callable[[MetricsReport], None], Callable[[BaseException], None]], Any]


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class MetricsDialog(QDialog):
    #: Emitted on the UI thread once a report is shown (tests wait for it).
    shown = Signal(object)

    def __init__(
        self, compute: Compute, choices: tuple[list[str], list[str]], today: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("metricsDialog")
        self.setWindowTitle("Metrics")
        self._compute = compute
        self._generation = 0
        self.report: MetricsReport | None = None
        self.panes: list[ChartPane] = []
        self.start = self._date_edit(today - timedelta(days=DEFAULT_DAYS - 1), "From", "First day of the range (UTC)")
        self.end = self._date_edit(today, "To", "Last day of the range (UTC)")
        channels, categories = choices
        self.channel = self._combo(channels, "Channel", "Only cases from this channel")
        self.category = self._combo(categories, "Category", "Only cases of this category")
        self.refresh_button = QPushButton("Refresh (F5)")
        self.refresh_button.setAccessibleName("Refresh")
        self.refresh_button.setAccessibleDescription("Compute the figures again")
        self.refresh_button.clicked.connect(self.refresh)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Figures")
        self.tabs.setAccessibleDescription("One tab per figure; Ctrl+Tab for the next, T for its table")
        self.status = plain_label("Preparing figures…")
        self.status.setAccessibleName("Metrics status")
        row = QHBoxLayout()
        for text, widget in (("&From", self.start), ("T&o", self.end), ("&Channel", self.channel),
                             ("C&ategory", self.category)):  # fmt: skip
            label = plain_label(text)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        for edit in (self.start, self.end):
            edit.dateChanged.connect(lambda _d: self._debounce.start())
        for combo in (self.channel, self.category):
            combo.currentIndexChanged.connect(lambda _i: self._debounce.start())
        toggle = QShortcut(QKeySequence("T"), self)
        toggle.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        toggle.activated.connect(self.toggle_tables)
        refresh = QShortcut(QKeySequence("F5"), self)
        refresh.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh.activated.connect(self.refresh)
        self.resize(1000, 640)
        self.refresh()

    def _date_edit(self, day: date, name: str, description: str) -> QDateEdit:
        edit = QDateEdit(_qdate(day))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setAccessibleName(name)
        edit.setAccessibleDescription(description)
        return edit

    def _combo(self, values: list[str], name: str, description: str) -> QComboBox:
        combo = QComboBox()
        combo.addItem(ALL, None)
        for value in values:
            combo.addItem(visible(value), value)  # imported codes: shown visible, kept exact as data
        combo.setAccessibleName(name)
        combo.setAccessibleDescription(description)
        return combo

    def current_filter(self) -> MetricsFilter | None:
        start, end = _pydate(self.start.date()), _pydate(self.end.date())
        if end < start:
            return None
        return MetricsFilter(start, end, self.channel.currentData(), self.category.currentData())

    def refresh(self) -> None:
        self._debounce.stop()
        flt = self.current_filter()
        if flt is None:
            self.status.setText("The range ends before it starts: pick a later “To” day")
            return
        self._generation += 1
        generation = self._generation
        self.status.setText("Preparing figures…")

        def done(report: MetricsReport) -> None:
            if generation == self._generation:  # filters changed meanwhile: a newer result is coming
                self.show_report(report)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.status.setText(visible(f"Metrics could not be computed: {exc}"))

        self._compute(flt, done, failed)

    def show_report(self, report: MetricsReport) -> None:
        tables_shown = bool(self.panes) and self.panes[0].showing_table
        current = self.tabs.currentIndex()
        self.tabs.clear()
        for pane in self.panes:
            pane.deleteLater()
        self.panes = []
        for table in report.tables:
            pane = ChartPane(table)
            if tables_shown:
                pane.toggle()
            self.panes.append(pane)
            self.tabs.addTab(pane, visible(table.title))
        self.tabs.setCurrentIndex(max(0, current))
        self.report = report
        f = report.filter
        self.status.setText(
            f"{len(report.tables)} figures · {f.start} to {f.end} · "
            f"channel {visible(f.channel or 'all')} · category {visible(f.category or 'all')} · T: table/chart"
        )
        self.shown.emit(report)

    def toggle_tables(self) -> None:
        for pane in self.panes:
            pane.toggle()
