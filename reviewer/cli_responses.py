"""``reviewer responses``: the cases that expect a response to the party that escalated them, and the
export of final responses (``reviewer responses export -o FILE.jsonl|.csv [--since DATE]``). Nothing is
ever sent from here."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reviewer.cli_tools import CommandTools


def add_commands(sub: Any) -> None:
    responses = sub.add_parser("responses", help="cases expecting a response to whoever escalated them")
    which = responses.add_mutually_exclusive_group()
    which.add_argument("--due", action="store_true", help="only responses due and not yet late")
    which.add_argument("--overdue", action="store_true", help="only responses past their deadline")
    responses.set_defaults(handler=_responses)
    verbs = responses.add_subparsers(dest="verb", metavar="VERB")
    export = verbs.add_parser("export", help="write the final responses to a .jsonl or .csv file (0600)")
    export.add_argument("-o", "--output", required=True, type=Path, help="the file: FILE.jsonl or FILE.csv")
    export.add_argument(
        "--since", help="only responses finalised at or after this date (YYYY-MM-DD or ISO 8601)"
    )


def parse_since(text: str, user_error: type[Exception]) -> datetime:
    """A date or an ISO 8601 moment (UTC when it names no offset); a one-line user error otherwise."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise user_error(f"--since {text!r}: give a date as YYYY-MM-DD or an ISO 8601 time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _responses(args: argparse.Namespace, tools: CommandTools) -> int:
    if args.verb == "export":
        return _export(args, tools)
    from reviewer.display import visible
    from reviewer.responses.states import DUE, OVERDUE, ResponseState, cases_expecting, response_cell

    state = DUE if args.due else OVERDUE if args.overdue else None
    db = tools.open(args)
    try:
        with db.read() as session:
            rows = cases_expecting(session, state=state)
        now = datetime.now(UTC)
        if not rows:
            print("no cases expect a response" if state is None else f"no responses {state}")
        for r in rows:
            cell = response_cell(ResponseState(r.state, r.due_at), now)
            due = r.due_at.strftime("%Y-%m-%d %H:%M UTC")
            print(f"{visible(r.external_id)}  {visible(r.channel)}  due {due}  {cell}")
        return 0
    finally:
        db.dispose()
        tools.used(db)


def _export(args: argparse.Namespace, tools: CommandTools) -> int:
    from reviewer.exporting import check_export_target
    from reviewer.identity import current_handle
    from reviewer.responses.export import export_format, export_responses
    from reviewer.storage.errors import DataLocationError

    try:  # checked before the database is opened
        check_export_target(args.output)
        export_format(args.output)
    except (ValueError, DataLocationError) as exc:
        raise tools.error(str(exc)) from None
    since = parse_since(args.since, tools.error) if args.since else None
    db = tools.open(args)
    try:
        try:
            count = export_responses(db, args.output, actor=current_handle(), since=since)
        except DataLocationError as exc:
            raise tools.error(str(exc)) from None
        print(f"exported {count} response(s) to {args.output}")
        return 0
    finally:
        db.dispose()
        tools.used(db)
