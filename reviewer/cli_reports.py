"""``reviewer report``: an investigation's report as PDF or HTML, and checking an HTML report.

    reviewer report INVESTIGATION -o FILE.pdf|FILE.html [--clear-images]
    reviewer report verify FILE.html

INVESTIGATION is an id (or its first 6+ characters) or the exact title. Thumbnails are blurred unless
``--clear-images`` (recorded in the audit log, as every export is). A PDF needs Qt: the full install's
``reviewer`` command hands its renderer over (``ui.shell.launcher``); the core-only entry says so in one
line and exits non-zero.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from reviewer.cli_tools import CommandTools

EXIT_MISMATCH = 1


def add_commands(sub: Any) -> None:
    report = sub.add_parser(
        "report",
        help="write an investigation's report (PDF or HTML), or check one: report verify FILE.html",
    )
    report.add_argument("investigation", help="the investigation: id, its first 6+ characters, or its title")
    report.add_argument("file", nargs="?", type=Path, help=argparse.SUPPRESS)  # for: report verify FILE
    report.add_argument("-o", "--output", type=Path, help="the report file: .pdf or .html")
    report.add_argument(
        "--clear-images",
        action="store_true",
        help="include clear (unblurred) evidence thumbnails; recorded in the audit log",
    )
    report.set_defaults(handler=_report)


def _progress(stage: str, done: int, total: int) -> None:
    if total and (done == total or done % 50 == 0):
        print(f"  {stage}: {done:,}/{total:,}", file=sys.stderr)


def _verify(args: argparse.Namespace, tools: CommandTools) -> int:
    from reviewer.reports.verify import verify_html

    path: Path = args.file
    if path.suffix.lower() not in (".html", ".htm"):
        raise tools.error(f"{path.name}: only an HTML report can be verified")
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise tools.error(f"no such file: {path}") from None
    except UnicodeDecodeError:
        raise tools.error(f"{path.name} is not a report page (not UTF-8 text)") from None
    result = verify_html(text)
    if result.ok:
        print(f"OK: the report shows what its hash covers ({result.sha256})")
        return 0
    for problem in result.problems:
        print(f"reviewer: {problem}", file=sys.stderr)
    return EXIT_MISMATCH


def _report(args: argparse.Namespace, tools: CommandTools) -> int:
    from reviewer.display import visible
    from reviewer.identity import current_handle
    from reviewer.reports.export import ReportError, check_target, export_report, format_of

    if args.investigation == "verify" and args.file is not None:
        return _verify(args, tools)
    if args.file is not None:
        raise tools.error(f"unexpected argument {args.file}: name the output with -o FILE")
    if args.output is None:
        raise tools.error("name the report file with -o FILE.pdf or -o FILE.html")
    try:
        fmt = format_of(args.output)
        check_target(args.output)
        if fmt == "pdf" and tools.render_pdf is None:
            from reviewer.reports.export import NO_PDF

            raise ReportError(NO_PDF)
    except ReportError as exc:
        raise tools.error(str(exc)) from None
    from reviewer.investigations import InvestigationError, find_investigation

    db = tools.open(args)
    try:
        try:
            inv_id = find_investigation(db, args.investigation)
            result = export_report(
                db,
                inv_id,
                args.output,
                actor=current_handle(),
                clear_images=args.clear_images,
                render_pdf=tools.render_pdf,
                progress=_progress,
            )
        except (InvestigationError, ReportError) as exc:
            raise tools.error(visible(str(exc))) from None
    finally:
        db.dispose()
    clear = " WITH CLEAR IMAGES" if result.clear_images else ""
    print(f"report written{clear}: {result.path} ({result.format.upper()}, {result.size:,} bytes)")
    print(f"  SHA-256 of its content: {result.sha256}")
    tools.used(db)
    return 0
