"""One figure: a QtCharts chart and, one key away, the same numbers as a table.

Every text a chart draws (titles, axis categories, legend names) is escaped and made visible first:
QtCharts renders those strings as HTML, and categories such as channel codes are imported text. Colours
follow the application palette, so the light, dark and high-contrast themes all read.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from reviewer.display import visible
from reviewer.metrics.table import Column, Table
from ui.shell.plain import escape

CHART, TABLE = 0, 1


def cell_text(value: Any, column: Column) -> str:
    """A value as the table shows it (the workbook keeps the raw number)."""
    if value is None:
        return "–"
    if column.kind == "percent":
        return f"{float(value) * 100:.1f} %"
    if column.kind == "seconds":
        return f"{float(value):.1f} s"
    if column.kind == "float":
        return f"{float(value):.2f}"
    return visible(str(value))


def axis_text(value: Any, column: Column) -> str:
    """A category as the chart's axis shows it: days as MM-DD (the year is in the filter above)."""
    if column.kind == "date" and isinstance(value, str) and len(value) == 10:
        return value[5:]
    return cell_text(value, column)


def _number(value: Any) -> float:
    return 0.0 if value is None else float(value)


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


class ChartPane(QStackedWidget):
    """A chart (page 0) and its table (page 1) for one :class:`Table`; :meth:`toggle` switches."""

    def __init__(self, table: Table, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table_data = table
        self.setObjectName(f"metrics_{table.name}")
        self.chart = QChart()
        self.chart.setTitle(escape(table.title))
        self.chart.legend().setVisible(len(table.series) > 1)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setAccessibleName(f"{table.title}, chart")
        self.view.setAccessibleDescription("Press T for the same figures as a table")
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.grid = QTableWidget(len(table.rows), len(table.columns))
        self.grid.setObjectName(f"metrics_table_{table.name}")
        self.grid.setAccessibleName(f"{table.title}, table")
        self.grid.setAccessibleDescription("Press T to go back to the chart")
        self.grid.setHorizontalHeaderLabels([visible(c.name) for c in table.columns])
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.grid.verticalHeader().hide()
        for r, row in enumerate(table.rows):
            for c, (value, column) in enumerate(zip(row, table.columns, strict=True)):
                item = QTableWidgetItem(cell_text(value, column))
                if column.kind != "text":
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.grid.setItem(r, c, item)
        self.addWidget(self.view)
        self.addWidget(self.grid)
        self._fill()
        self.apply_palette()

    def _fill(self) -> None:
        t = self.table_data
        categories = [escape(axis_text(row[t.x], t.columns[t.x])) for row in t.rows]
        axis_x = QBarCategoryAxis()
        axis_x.append(categories or [""])
        if len(categories) > 16:  # days of a month: upright labels would be cut
            axis_x.setLabelsAngle(-90)
        axis_y = QValueAxis()
        axis_y.setLabelFormat("%.0f" if all(t.columns[s].kind == "int" for s in t.series) else "%.1f")
        self.chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        top = 0.0
        scale = {s: (100.0 if t.columns[s].kind == "percent" else 1.0) for s in t.series}
        if t.chart == "line":
            for s in t.series:
                line = QLineSeries()
                line.setName(escape(t.columns[s].name))
                for i, row in enumerate(t.rows):
                    line.append(float(i), _number(row[s]) * scale[s])
                    top = max(top, _number(row[s]) * scale[s])
                self.chart.addSeries(line)
                line.attachAxis(axis_x)
                line.attachAxis(axis_y)
        else:
            bars = QBarSeries()
            for s in t.series:
                bar_set = QBarSet(escape(t.columns[s].name))
                values = [_number(row[s]) * scale[s] for row in t.rows]
                bar_set.append(values)
                top = max([top, *values])
                bars.append(bar_set)
            self.chart.addSeries(bars)
            bars.attachAxis(axis_x)
            bars.attachAxis(axis_y)
        axis_y.setRange(0, top * 1.05 if top > 0 else 1)
        axis_y.applyNiceNumbers()
        self.axis_x, self.axis_y = axis_x, axis_y

    def apply_palette(self) -> None:
        """Colours from the current application palette (light, dark or high contrast)."""
        palette = self.palette()
        self.chart.setTheme(QChart.ChartTheme.ChartThemeDark if is_dark(palette) else QChart.ChartTheme.ChartThemeLight)
        base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
        self.chart.setBackgroundBrush(base)
        self.chart.setTitleBrush(text)
        self.chart.legend().setLabelColor(text)
        for axis in (self.axis_x, self.axis_y):
            axis.setLabelsColor(text)
        self.view.setBackgroundBrush(base)

    def changeEvent(self, event: QEvent) -> None:  # the theme changed: the chart follows the palette
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.apply_palette()

    def toggle(self) -> None:
        self.setCurrentIndex(TABLE if self.currentIndex() == CHART else CHART)

    @property
    def showing_table(self) -> bool:
        return self.currentIndex() == TABLE
