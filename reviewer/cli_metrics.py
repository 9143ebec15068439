"""The ``reviewer sql`` and ``reviewer metrics`` commands (hooked into reviewer/cli.py by add_commands).

Each handler gets the CLI's ``open_db`` and ``used`` helpers (``reviewer.cli._open`` / ``_used``) as
arguments, so this module never imports the CLI back. A refused query exits 2 with one line.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.display import visible

if TYPE_CHECKING:
    from reviewer.sqlquery import QueryResult
    from reviewer.storage.database import Database

OpenDb = Callable[[argparse.Namespace], "Database"]
Used = Callable[["Database"], None]
EXIT_REFUSED, EXIT_FAILED = 2, 1
DEFAULT_DAYS = 30
MIN_CELL = 4


def add_commands(sub: Any) -> None:
    sql = sub.add_parser("sql", help="run one read-only SQL query (see docs/SQL.md for the views)")
    sql.add_argument("query", help='the statement, e.g. "SELECT action, COUNT(*) FROM v_decisions GROUP BY 1"')
    sql.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    sql.set_defaults(handler=lambda args, tools: cmd_sql(args, tools.open, tools.used))

    met = sub.add_parser("metrics", help="write the metrics to an XLSX workbook or CSV files")
    met.add_argument("--from", dest="start", metavar="DATE", help="first day, YYYY-MM-DD (default: 30 days ago)")
    met.add_argument("--to", dest="end", metavar="DATE", help="last day, YYYY-MM-DD (default: today, UTC)")
    met.add_argument("--channel", help="only this channel code")
    met.add_argument("--category", help="only this category")
    met.add_argument("-o", "--output", type=Path, required=True,
                     help="FILE.xlsx (a workbook), FILE.csv (FILE-<table>.csv each) or a folder (<table>.csv)")  # fmt: skip
    met.set_defaults(handler=lambda args, tools: cmd_metrics(args, tools.open, tools.used))


def _fail(message: str, code: int) -> int:
    print(f"reviewer: {' '.join(message.split())}", file=sys.stderr)
    return code


def format_table(result: QueryResult, width: int) -> list[str]:
    """Rows as aligned text that fits ``width`` columns: every value shown through ``visible``, wide cells
    cut with an ellipsis."""
    cells = [[visible("" if v is None else str(v)) for v in row] for row in result.rows]
    header = [visible(c) for c in result.columns]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    room = max(width - 2 * (len(widths) - 1), MIN_CELL * max(1, len(widths)))
    while sum(widths) > room and max(widths) > MIN_CELL:
        widest = widths.index(max(widths))
        widths[widest] -= 1

    def line(values: list[str]) -> str:
        out = [v if len(v) <= w else v[: w - 1] + "…" for v, w in zip(values, widths, strict=True)]
        return "  ".join(v.ljust(w) for v, w in zip(out, widths, strict=True)).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in cells)]


def cmd_sql(args: argparse.Namespace, open_db: OpenDb, used: Used) -> int:
    import csv

    from reviewer.exporting import neutralise_cell
    from reviewer.sqlquery import QueryFailed, QueryRefused, run_query

    db = open_db(args)
    db.dispose()  # the query runs on a read-only connection of its own
    try:
        result = run_query(db.url, db.file, args.query)
    except QueryRefused as exc:
        used(db)
        return _fail(f"refused: {exc}", EXIT_REFUSED)
    except QueryFailed as exc:
        used(db)
        return _fail(f"query failed: {visible(str(exc))}", EXIT_FAILED)
    if args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(result.columns)
        for row in result.rows:
            writer.writerow(["" if v is None else neutralise_cell(v) for v in row])
    else:
        for text in format_table(result, shutil.get_terminal_size((100, 24)).columns):
            print(text)
    sys.stdout.flush()
    cut = f" (cut at {len(result.rows)})" if result.truncated else ""
    print(f"{len(result.rows)} rows{cut}", file=sys.stderr)
    used(db)
    return 0


def _day(text: str | None, default: date, flag: str) -> date:
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise MetricsUsage(f"{flag} {visible(text)!s} is not a date: use YYYY-MM-DD") from None


class MetricsUsage(Exception):
    pass


def cmd_metrics(args: argparse.Namespace, open_db: OpenDb, used: Used) -> int:
    from reviewer.clock import utcnow
    from reviewer.metrics import MetricsFilter, compute_metrics
    from reviewer.metrics.workbook import write_csv_tables, write_workbook

    now = utcnow()
    try:
        end = _day(args.end, now.date(), "--to")
        start = _day(args.start, end - timedelta(days=DEFAULT_DAYS - 1), "--from")
        flt = MetricsFilter(start, end, args.channel, args.category)
    except (MetricsUsage, ValueError) as exc:
        return _fail(str(exc), EXIT_REFUSED)
    out: Path = args.output
    is_folder = out.is_dir() or str(out).endswith(("/", "\\"))
    if not is_folder and out.suffix.lower() not in (".xlsx", ".csv"):
        return _fail(f"{out}: name a .xlsx or .csv file, or a folder", EXIT_REFUSED)
    folder = out if is_folder else out.parent
    if not folder.is_dir():
        return _fail(f"cannot write {out}: the folder {folder} does not exist", EXIT_FAILED)
    db = open_db(args)
    try:
        report = compute_metrics(db, flt)
    finally:
        db.dispose()
    if out.suffix.lower() == ".xlsx" and not is_folder:
        write_workbook(report, out, now)
        print(f"metrics written: {out} ({len(report.tables)} sheets, {start} to {end})")
    else:
        files = write_csv_tables(report, out)
        print(f"metrics written: {len(files)} CSV files ({files[0].parent}, {start} to {end})")
    used(db)
    return 0
