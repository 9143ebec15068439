"""``reviewer export --format dsa-sor`` and ``reviewer dsa missing``: EU DSA statements of reasons.

``export --format dsa-sor -o DIR_OR_FILE.jsonl [--csv FILE.csv]`` writes every valid statement as
Transparency Database API batches (``reviewer.dsa.export``) and says how many decisions cannot yet produce
one. ``dsa missing`` lists those decisions with their missing fields. Neither fails because statements are
incomplete (that is the state of the work, not a mistake: exit 0); a mistake of the user (no ``-o``,
``--csv`` without dsa-sor, a target that cannot be written) is one line and a non-zero exit.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from reviewer.cli_tools import CommandTools


def add_commands(sub: Any) -> None:
    dsa = sub.add_parser("dsa", help="EU DSA statements of reasons: list decisions missing fields")
    actions = dsa.add_subparsers(dest="dsa_command", metavar="ACTION", required=True)
    actions.add_parser("missing", help="decisions that cannot yet produce a valid statement, with the fields")
    dsa.set_defaults(handler=_dsa)


def _dsa(args: argparse.Namespace, tools: CommandTools) -> int:
    from reviewer.dsa.export import missing, write_missing

    db = tools.open(args)
    try:
        entries = missing(db)
    finally:
        db.dispose()
    write_missing(entries, sys.stdout)
    print(f"{len(entries)} decisions cannot yet produce a valid statement of reasons", file=sys.stderr)
    tools.used(db)
    return 0


def export(args: argparse.Namespace, tools: CommandTools) -> int:
    """The ``dsa-sor`` format of ``reviewer export``."""
    from reviewer.dsa.export import check_json_target, export_sor
    from reviewer.exporting import check_export_target

    if args.output is None:
        raise tools.error("--format dsa-sor needs -o FOLDER (one file per API batch) or -o FILE.jsonl")
    check_json_target(args.output)  # before the database is opened: a mistake costs nothing
    if args.csv is not None:
        check_export_target(args.csv)
    db = tools.open(args)
    try:
        result = export_sor(db, args.output, args.csv)
    finally:
        db.dispose()
    where = ", ".join(str(p) for p in result.files) or "nothing written"
    print(
        f"exported {result.written} statements of reasons in {result.batches} batches ({where})",
        file=sys.stderr,
    )
    if result.invalid:
        print(
            f"{result.invalid} decisions cannot yet produce a valid statement (list them: reviewer dsa missing)",
            file=sys.stderr,
        )
    tools.used(db)
    return 0
