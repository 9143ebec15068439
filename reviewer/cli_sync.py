"""``reviewer sync`` and ``reviewer conflicts``: the team sync from the command line.

``sync`` pushes this workstation's decisions and pulls what changed (``--status`` only says where it
stands); ``conflicts`` lists the decisions the server kept but did not apply, and lets a lead settle one
(``keep`` the standing decision or ``take`` the pushed one, with a reason). Settlements are written to
the working copy and reach the server with the next sync.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from reviewer.cli_tools import CommandTools

EXIT_OFFLINE = 3


def add_commands(sub: Any) -> None:
    sync = sub.add_parser("sync", help="sync with the team server once (push, then pull)")
    sync.add_argument("--status", action="store_true", help="only say where the sync stands")
    sync.set_defaults(handler=_sync)
    conflicts = sub.add_parser("conflicts", help="decisions the server kept but did not apply")
    conflicts.add_argument("--all", action="store_true", help="settled ones too")
    conflicts.set_defaults(handler=_conflicts)
    settle = conflicts.add_subparsers(dest="settle", metavar="ACTION")
    for name, text in (
        ("keep", "keep the standing decision (lead)"),
        ("take", "replace the standing decision with the pushed one (lead)"),
    ):
        one = settle.add_parser(name, help=text)
        one.add_argument("conflict", help="the conflict's id (or its first 8 characters)")
        one.add_argument("--reason", required=True, help="why (required; recorded)")


def _progress(what: str, done: int, total: int) -> None:
    print(f"  {what}: {done:,}/{total:,}", file=sys.stderr)


def _sync(args: argparse.Namespace, tools: CommandTools) -> int:
    from reviewer.sync.engine import NotConnected, sync_once, sync_status
    from reviewer.sync.remote import ServerUnavailable

    db = tools.open(args, creates=True)
    try:
        if args.status:
            status = sync_status(db)
            print(status.label() or "not connected to a team server")
            if status.last_error:
                print(f"last error: {status.last_error}")
            return 0
        try:
            report = sync_once(db, progress=_progress)
        except NotConnected as exc:
            raise tools.error(str(exc)) from None
        except ServerUnavailable as exc:
            print(f"reviewer: {exc}; decisions stay here until the next sync", file=sys.stderr)
            return EXIT_OFFLINE
        print(report.summary())
        return 0
    finally:
        db.dispose()
        tools.used(db)


def _find(rows: list[Any], key: str, user_error: type[Exception]) -> Any:
    key = key.strip().lower()
    found = [r for r in rows if str(r.id) == key or str(r.id).startswith(key)] if len(key) >= 8 else []
    if len(found) != 1:
        raise user_error(f"no open conflict {key!r} (list them with: reviewer conflicts)")
    return found[0]


def _conflicts(args: argparse.Namespace, tools: CommandTools) -> int:
    from reviewer.conflicts import DecisionError
    from reviewer.display import visible
    from reviewer.identity import current_handle, ensure_reviewer
    from reviewer.policy_sources import current_pack
    from reviewer.sync.conflicts import keep_standing, list_conflicts, take_pushed

    db = tools.open(args)
    try:
        if args.settle is None:
            rows = list_conflicts(db, open_only=not args.all)
            if not rows:
                print("no open conflicts" if not args.all else "no conflicts")
            for c in rows:
                standing = c.standing
                stood = f"{visible(standing.handle)} {standing.action}" if standing else "nothing"
                state = f"  [{c.resolution}]" if c.resolution else ""
                print(
                    f"{str(c.id)[:8]}  case {visible(c.external_id)}: {visible(c.pushed.handle)} "
                    f"{c.pushed.action} {c.pushed.policy_code or ''} vs standing {stood}{state}"
                )
            return 0
        lead = ensure_reviewer(db, current_handle())
        conflict = _find(list_conflicts(db), args.conflict, tools.error)
        try:
            if args.settle == "keep":
                keep_standing(db, conflict.id, lead=lead, reason=args.reason)
            else:
                take_pushed(db, conflict.id, lead=lead, reason=args.reason, pack=current_pack(db))
        except DecisionError as exc:
            raise tools.error(visible(str(exc))) from None
        print(
            f"conflict on case {visible(conflict.external_id)} settled ({args.settle}); the next sync sends it"
        )
        return 0
    finally:
        db.dispose()
        tools.used(db)
