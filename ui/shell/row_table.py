"""The read-only table of records the list views share (conflicts, gaps, responses, investigations):
whole rows selected one at a time, no cell editing, no row numbers, columns the reviewer may resize."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget


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
