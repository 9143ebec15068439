"""CLI verbs for the team server: ``server init|add-reviewer|reviewers``, ``connect``, ``disconnect``.

Hooked into ``reviewer.cli`` by ``add_commands``, whose parsers name ``run`` as their handler. A mistake (a SQLite URL, an unknown
reviewer, a wrong handle, no keyring) ends in one line on stderr and exit 2; a server that does not
answer in one line "offline: …" and exit 1.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from reviewer.display import visible

COMMANDS = ("server", "connect", "disconnect")
EXIT_USAGE, EXIT_OFFLINE = 2, 1


class _Mistake(Exception):
    pass


def add_commands(sub: Any) -> None:
    """Add the verbs to the ``reviewer`` parser's subparsers."""
    server = sub.add_parser("server", help="team server administration (a PostgreSQL database)")
    server.set_defaults(handler=_handler)
    server_sub = server.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    init = server_sub.add_parser("init", help="create or migrate the team server's tables at URL")
    init.add_argument("url", metavar="URL", help="postgresql+psycopg://user@host:port/database")
    add = server_sub.add_parser(
        "add-reviewer", help="add a reviewer to the server (--db URL, else the connected server)"
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", choices=("lead", "reviewer"), default="reviewer")
    add.add_argument("--display-name", default="", metavar="X")
    server_sub.add_parser("reviewers", help="list the server's reviewers (--db URL, else the connected one)")

    connect = sub.add_parser("connect", help="connect this workstation to a team server as a reviewer")
    connect.add_argument("url", metavar="URL", help="postgresql+psycopg://user@host:port/database")
    connect.add_argument("--as", dest="handle", metavar="HANDLE", help="reviewer handle (default: you)")
    connect.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input (one line)"
    )
    connect.add_argument(
        "--queues", default="", metavar="CODE,CODE", help="channel codes this workstation works"
    )
    connect.set_defaults(handler=_handler)
    disconnect = sub.add_parser(
        "disconnect", help="forget the team server and its password on this workstation"
    )
    disconnect.set_defaults(handler=_handler)


def _server_db(args: argparse.Namespace) -> Any:
    from reviewer.sync.remote import load_config, open_server

    if args.db:
        return open_server(args.db)
    cfg = load_config()
    if cfg is None:
        raise _Mistake("no team server: name one with --db URL, or connect first (reviewer connect URL)")
    return open_server(cfg)


def _init(args: argparse.Namespace) -> int:
    from reviewer.sync.server import init_server, server_id

    db = init_server(args.url)
    try:
        print(f"team server ready (id {server_id(db)})")
    finally:
        db.dispose()
    print(f"database: {db.label}", file=sys.stderr)
    return 0


def _add_reviewer(args: argparse.Namespace) -> int:
    from reviewer.identity import current_handle
    from reviewer.sync.server import add_reviewer

    db = _server_db(args)
    try:
        row = add_reviewer(db, args.name, args.role, args.display_name, actor=current_handle())
    except ValueError as exc:
        raise _Mistake(str(exc)) from None
    finally:
        db.dispose()
    print(f"{visible(row.handle)} is a {row.role} on the server")
    print(f"database: {db.label}", file=sys.stderr)
    return 0


def _reviewers(args: argparse.Namespace) -> int:
    from reviewer.sync.server import list_reviewers

    db = _server_db(args)
    try:
        rows = list_reviewers(db)
    finally:
        db.dispose()
    for row in rows:
        print(f"{visible(row.handle)}\t{row.role}\t{visible(row.display_name)}")
    print(f"database: {db.label}", file=sys.stderr)
    return 0


def _progress(what: str, done: int, total: int) -> None:
    print(f"  {what}: {done:,}/{total:,}", file=sys.stderr)


def _connect(args: argparse.Namespace) -> int:
    from reviewer.identity import current_handle
    from reviewer.paths import default_db_url
    from reviewer.storage.migrate import open_database
    from reviewer.sync.connecting import connect
    from reviewer.sync.remote import require_keyring

    require_keyring()  # before the working copy is even made: nothing written
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
    handle = args.handle or current_handle()
    queues = tuple(q.strip() for q in args.queues.split(",") if q.strip())
    local = open_database(default_db_url(), create=True)
    try:
        done = connect(args.url, handle, local, password=password, queues=queues, progress=_progress)
    finally:
        local.dispose()
    print(
        f"connected as {visible(handle)}; {done.reviewers_pulled} reviewers and {done.cases_pulled:,} cases pulled"
    )
    for skipped in done.skipped_handles:
        print(f"  not pulled: a local reviewer {visible(skipped)} is not the server's", file=sys.stderr)
    print(f"database: {local.label}", file=sys.stderr)
    return 0


def _disconnect(args: argparse.Namespace) -> int:
    from reviewer.sync.connecting import disconnect

    cfg = disconnect()
    print("not connected" if cfg is None else "disconnected: the server's address and password are forgotten")
    return 0


def _handler(args: argparse.Namespace, _tools: object) -> int:
    """The CLI's hook for command modules (``reviewer.cli_tools``): these verbs keep their own exit codes."""
    return run(args)


def run(args: argparse.Namespace) -> int:
    """Run one of ``COMMANDS``; every mistake is one line on stderr."""
    from reviewer.storage.errors import DatabaseOpenError
    from reviewer.sync.remote import ServerError, ServerUnavailable

    try:
        if args.command == "connect":
            return _connect(args)
        if args.command == "disconnect":
            return _disconnect(args)
        if args.server_command == "init":
            return _init(args)
        if args.server_command == "add-reviewer":
            return _add_reviewer(args)
        return _reviewers(args)
    except ServerUnavailable as exc:
        print(f"reviewer: {_one_line(str(exc))}", file=sys.stderr)
        return EXIT_OFFLINE
    except (_Mistake, ServerError, DatabaseOpenError) as exc:
        print(f"reviewer: {_one_line(str(exc))}", file=sys.stderr)
        return EXIT_USAGE


def _one_line(message: str) -> str:
    return visible(" ".join(message.split()))
