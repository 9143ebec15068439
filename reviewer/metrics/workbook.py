"""Metrics to a spreadsheet: an XLSX workbook (openpyxl) or one CSV file per table.

The workbook has a sheet per table with typed cells (days as dates, durations as numbers of seconds with a
number format, shares as percentages), a frozen header row and a native Excel chart beside the data, plus
a first sheet that says what the figures cover. Text cells that a spreadsheet would evaluate get a
leading ``'`` (``reviewer.exporting.neutralise_cell``), in CSV and XLSX alike. Every file is written 0600
beside its target and renamed into place, so a failure leaves no half file.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

from reviewer.exporting import neutralise_cell, write_private_file
from reviewer.metrics.report import MetricsReport
from reviewer.metrics.table import Column, Table
from reviewer.storage.errors import DataLocationError, describe_os_error

NUMBER_FORMATS = {"date": "yyyy-mm-dd", "seconds": '0.0" s"', "percent": "0.0%", "int": "0", "float": "0.00"}
CHART_WIDTH_CM, CHART_HEIGHT_CM = 18, 9


def typed(value: Any, column: Column) -> Any:
    """A cell value as the spreadsheet should hold it."""
    if value is None:
        return None
    if column.kind == "date":
        return date.fromisoformat(value) if isinstance(value, str) else value
    if column.kind == "int":
        return int(value)
    if column.kind in ("seconds", "percent", "float"):
        return float(value)
    return neutralise_cell(str(value))


def _write_atomic(path: Path, data: bytes) -> None:
    try:
        write_private_file(path, lambda out: out.write(data), binary=True)
    except OSError as exc:
        raise DataLocationError(describe_os_error(exc, f"write {path}") + "; nothing was written") from None


def _sheet(wb: Any, table: Table) -> None:
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Font

    ws = wb.create_sheet(table.name[:31])
    ws.append([c.name for c in table.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        ws.append([typed(v, c) for v, c in zip(row, table.columns, strict=True)])
    for i, column in enumerate(table.columns, start=1):
        fmt = NUMBER_FORMATS.get(column.kind)
        letter = ws.cell(row=1, column=i).column_letter
        ws.column_dimensions[letter].width = max(12, len(column.name) + 2)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = fmt
    ws.freeze_panes = "A2"
    if not table.rows:
        return
    chart = LineChart() if table.chart == "line" else BarChart()
    chart.title = table.title
    chart.width, chart.height = CHART_WIDTH_CM, CHART_HEIGHT_CM
    last = len(table.rows) + 1
    for s in table.series:
        chart.add_data(Reference(ws, min_col=s + 1, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=table.x + 1, min_row=2, max_row=last))
    ws.add_chart(chart, ws.cell(row=2, column=len(table.columns) + 2).coordinate)


def workbook_bytes(report: MetricsReport, generated: datetime) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.worksheets[0])
    about = wb.create_sheet("about")
    flt = report.filter
    about.append(["Reviewer Workstation metrics"])
    about.append(["from", flt.start])
    about.append(["to", flt.end])
    about.append(["channel", neutralise_cell(flt.channel or "all")])
    about.append(["category", neutralise_cell(flt.category or "all")])
    about.append(["generated (UTC)", generated.replace(tzinfo=None)])
    for row in (2, 3):
        about.cell(row=row, column=2).number_format = "yyyy-mm-dd"
    about.cell(row=6, column=2).number_format = "yyyy-mm-dd hh:mm"
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 20
    for table in report.tables:
        _sheet(wb, table)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_workbook(report: MetricsReport, path: Path, generated: datetime) -> None:
    _write_atomic(path, workbook_bytes(report, generated))


def table_csv(table: Table) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow([c.name for c in table.columns])
    for row in table.rows:
        writer.writerow([neutralise_cell(v) if isinstance(v, str) else ("" if v is None else v) for v in row])
    return buf.getvalue().encode("utf-8")


def write_csv_tables(report: MetricsReport, target: Path) -> list[Path]:
    """One CSV per table: ``<folder>/<table>.csv`` for a folder, else ``<stem>-<table>.csv`` beside it."""
    written = []
    for table in report.tables:
        path = target / f"{table.name}.csv" if target.is_dir() else target.with_name(f"{target.stem}-{table.name}.csv")
        _write_atomic(path, table_csv(table))
        written.append(path)
    return written
