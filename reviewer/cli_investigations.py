"""``reviewer investigations`` and ``reviewer investigation …``: investigations from the command line.

``investigations [--all]`` lists them (open ones unless ``--all``); ``investigation new TITLE`` starts one;
``investigation add INV --case EXT_ID | --account PLATFORM:HANDLE`` gathers a case or an account;
``investigation note INV TEXT``, ``close INV``, ``reopen INV``; ``investigation show INV [--timeline]``.
INV is an id prefix of at least 6 characters or an exact title; one that names several investigations
ends in one line and exit 2. Imported values (external ids, handles) are printed through ``visible``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from reviewer.cli_tools import CommandTools

EXIT_AMBIGUOUS = 2


def add_commands(sub: Any) -> None:
    listing = sub.add_parser("investigations", help="list investigations (open ones unless --all)")
    listing.add_argument("--all", action="store_true", help="closed ones too")
    listing.set_defaults(handler=_list)
    one = sub.add_parser("investigation", help="start, extend, show, close an investigation")
    verbs = one.add_subparsers(dest="verb", metavar="VERB", required=True)
    new = verbs.add_parser("new", help="start an investigation")
    new.add_argument("title")
    add = verbs.add_parser("add", help="add a case or an account to an investigation")
    add.add_argument("investigation", metavar="INV", help="id prefix (6+ characters) or exact title")
    what = add.add_mutually_exclusive_group(required=True)
    what.add_argument("--case", metavar="EXT_ID", help="the case's external id")
    what.add_argument("--account", metavar="PLATFORM:HANDLE", help="the account")
    add.add_argument("--note", default="", help="why it belongs here")
    note = verbs.add_parser("note", help="add a note to an investigation")
    note.add_argument("investigation", metavar="INV")
    note.add_argument("text")
    for name, text in (("close", "close an investigation"), ("reopen", "reopen a closed investigation")):
        verbs.add_parser(name, help=text).add_argument("investigation", metavar="INV")
    show = verbs.add_parser("show", help="an investigation's head, findings, members and notes")
    show.add_argument("investigation", metavar="INV")
    show.add_argument("--timeline", action="store_true", help="the timeline across channels too")
    one.set_defaults(handler=_one)


def _s(n: int) -> str:
    """The plural ending, padded so the columns stay aligned."""
    return " " if n == 1 else "s"


def _when(moment: Any) -> str:
    return str(moment.strftime("%Y-%m-%d %H:%M"))


def _list(args: argparse.Namespace, tools: CommandTools) -> int:
    from reviewer.display import visible
    from reviewer.investigations import list_investigations

    db = tools.open(args)
    try:
        rows = list_investigations(db, status=None if args.all else "open")
        if not rows:
            print("no investigations" if args.all else "no open investigations")
        for inv in rows:
            print(
                f"{inv.id.hex[:8]}  {inv.status:6}  {inv.members:3} member{_s(inv.members)}  {inv.notes:3} note{_s(inv.notes)}  "
                f"{_when(inv.updated_at)}  {visible(inv.title)}  ({visible(inv.created_by)})"
            )
        return 0
    finally:
        db.dispose()
        tools.used(db)


def _one(args: argparse.Namespace, tools: CommandTools) -> int:
    from reviewer.display import visible
    from reviewer.investigations import AmbiguousReference, InvestigationError

    db = tools.open(args)
    try:
        return _run(args, db)
    except AmbiguousReference as exc:
        print(f"reviewer: {visible(str(exc))}", file=sys.stderr)
        return EXIT_AMBIGUOUS
    except InvestigationError as exc:
        raise tools.error(visible(str(exc))) from None
    finally:
        db.dispose()
        tools.used(db)


def _run(args: argparse.Namespace, db: Any) -> int:
    from reviewer import investigations as inv
    from reviewer.display import visible
    from reviewer.identity import current_handle, ensure_reviewer

    if args.verb == "show":
        return _show(db, inv.find_investigation(db, args.investigation), timeline=args.timeline)
    me = ensure_reviewer(db, current_handle())
    if args.verb == "new":
        made = inv.create_investigation(db, me, args.title)
        print(f"investigation {made.hex[:8]} started: {visible(inv.get_investigation(db, made).title)}")
        return 0
    inv_id = inv.find_investigation(db, args.investigation)
    if args.verb == "add":
        if args.case is not None:
            result = inv.add_case(db, me, inv_id, inv.find_case(db, args.case), note=args.note)
        else:
            result = inv.add_account(db, me, inv_id, inv.find_account(db, args.account), note=args.note)
        state = "added" if result.added else "already a member; nothing changed"
        print(f"{visible(result.label)}: {state}")
    elif args.verb == "note":
        inv.add_note(db, me, inv_id, args.text)
        print("note added")
    elif args.verb == "close":
        inv.close_investigation(db, me, inv_id)
        print("investigation closed")
    elif args.verb == "reopen":
        inv.reopen_investigation(db, me, inv_id)
        print("investigation reopened")
    return 0


def _show(db: Any, inv_id: Any, *, timeline: bool) -> int:
    from reviewer.display import visible
    from reviewer.investigations import Findings, get_investigation, investigation_timeline

    view = get_investigation(db, inv_id)
    print(f"{visible(view.title)}  [{view.status}]  {view.id}")
    print(f"started by {visible(view.created_by)} {_when(view.created_at)}, changed {_when(view.updated_at)}")
    for name in Findings.FIELDS:
        value = getattr(view.findings, name)
        if value.strip():
            print(f"\n{name.replace('_', ' ').replace(' md', '')}:\n{visible(value, multiline=True)}")
    print(f"\nmembers ({len(view.members)}):")
    for m in view.members:
        channel = f" [{visible(m.channel)}]" if m.channel else ""
        print(f"  {m.kind:7} {visible(m.label)}{channel}  added by {visible(m.added_by)} {_when(m.added_at)}")
    print(f"\nnotes ({len(view.notes)}):")
    for n in view.notes:
        about = f" on {visible(n.external_id)}" if n.external_id else ""
        print(f"  {_when(n.created_at)} {visible(n.author)}{about}: {visible(n.body)}")
    if timeline:
        print("\ntimeline:")
        for e in investigation_timeline(db, inv_id):
            parts = [
                e.kind,
                visible(e.external_id),
                visible(e.channel),
                visible(e.account),
                visible(e.actor),
                e.action,
            ]
            parts += [e.policy_code, e.policy_version, visible(e.text)]
            print(f"  {_when(e.at)}  " + "  ".join(p for p in parts if p))
    return 0
