"""``reviewer checkout --cases N --hours H``: take cases offline from the team server into the working copy.

The server is the one ``reviewer connect`` stored (``reviewer.sync.remote``: ``server.json`` and the
password in the OS keyring); the working copy is the database the command works on (the default one unless
``--db``). Every refusal is one line on stderr and exit 1: no server set up, the server not answering, a
bad number of cases or hours, nothing free to take, the server failing midway (nothing is then leased).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

from reviewer.cli_tools import CommandTools

EXIT_FAILED = 1


def add_commands(subparsers: Any) -> None:
    """Add ``checkout`` to the ``reviewer`` command's subparsers (its handler in ``handler``)."""
    co = subparsers.add_parser(
        "checkout", help="lease cases on the team server to this workstation and fetch them (offline work)"
    )
    co.add_argument("--cases", type=int, required=True, metavar="N", help="how many cases to take")
    co.add_argument(
        "--hours", type=float, required=True, metavar="H", help="how long they stay leased here (at most 72)"
    )
    co.set_defaults(handler=cmd_checkout)


def _fail(message: str) -> int:
    print(f"reviewer: {' '.join(message.split())}", file=sys.stderr)
    return EXIT_FAILED


def _remote() -> Any:
    """``reviewer.sync.remote`` (server config and connection), imported by name: None before it exists."""
    try:
        return importlib.import_module("reviewer.sync.remote")
    except ImportError:
        return None


def cmd_checkout(args: argparse.Namespace, tools: CommandTools) -> int:
    from sqlalchemy.exc import DBAPIError

    from reviewer.sync.checkout import CheckoutRefused, check_request, checkout
    from reviewer.workstation import workstation_id

    try:
        check_request(args.cases, args.hours)
    except CheckoutRefused as exc:
        return _fail(str(exc))
    remote = _remote()
    if remote is None:
        return _fail("this installation has no team server support (reviewer.sync.remote is missing)")
    cfg = remote.load_config()
    if cfg is None:
        return _fail("no team server is set up here: run `reviewer connect URL` first")
    local = tools.open(args, creates=True)
    try:
        server = remote.open_server(cfg, timeout_s=3)
    except remote.ServerUnavailable as exc:
        tools.used(local)
        return _fail(f"cannot check out: {exc}")
    message = ""
    try:
        report = checkout(
            local,
            server,
            handle=cfg.handle,
            cases=args.cases,
            hours=args.hours,
            source_id=workstation_id(),
            queues=tuple(cfg.queues or ()),
        )
    except CheckoutRefused as exc:
        message = str(exc)
    except DBAPIError as exc:  # the server went away or timed out midway: its transaction rolled back
        message = f"cannot check out: the server failed ({type(exc.orig).__name__}); nothing was leased"
    else:
        until = report.expires_at.astimezone().strftime("%Y-%m-%d %H:%M %Z")
        print(f"checked out {len(report.case_ids)} case(s) until {until}")
        if report.pulled is not None:
            p = report.pulled
            print(f"pulled {p.cases} case(s), {p.media_files} media file(s), {p.decisions} decision(s)")
    finally:
        server.dispose()
    tools.used(local)
    return _fail(message) if message else 0
