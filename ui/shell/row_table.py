"""The read-only table of records the list views share (conflicts, gaps, responses, investigations):
whole rows selected one at a time, no cell editing, no row numbers, columns the reviewer may resize."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from ui.shell.plain import tooltip


def row_table(columns: tuple[str, ...] | list[str], name: str, description: str) -> QTableWidget:
    """An empty table with these column headers and accessible name and description."""
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    table.setAccessibleName(name)
    table.setAccessibleDescription(description)
    return table


def fill_rows(
    table: QTableWidget, rows: Sequence[Sequence[str]], *, whole_in_tooltip: int | None = None
) -> None:
    """Put ``rows`` of cell texts (already made safe: ``visible``) into ``table`` and fit its columns; the
    cells of column ``whole_in_tooltip`` (a long note) also carry their whole text as a plain tooltip."""
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if c == whole_in_tooltip:
                item.setToolTip(tooltip(text))
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


def reselect(table: QTableWidget, ids: Sequence[Hashable], kept: Hashable | None) -> None:
    """Select the row of ``kept`` (the one selected before a reload) if it is still there, else the first."""
    if ids:
        table.selectRow(ids.index(kept) if kept in ids else 0)
