"""``reviewer policy`` (install, versions, diff) and ``reviewer gaps`` (list, export, close).

``policy install FILE.toml`` validates the pack and stores its text; from then on the app and the CLI
work under it (``reviewer.policy_sources``: the last installed version is in force). An invalid pack is
one line and exit 2, nothing stored. ``gaps`` lists the open policy gaps (``--all``: closed ones too) or
exports them (``-o FILE.csv|.jsonl``); ``gaps close ID --note …`` closes one (a lead).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reviewer.cli_tools import CommandTools

EXIT_INVALID_PACK = 2


def add_commands(sub: Any) -> None:
    policy = sub.add_parser("policy", help="policy packs: install a new version, list versions, diff two")
    actions = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    install = actions.add_parser("install", help="validate a pack file and make it the version in force")
    install.add_argument("file", type=Path)
    actions.add_parser("versions", help="the stored pack versions, the one in force marked *")
    diff = actions.add_parser("diff", help="the sections changed between two stored versions")
    diff.add_argument("old", help="a version (e.g. 2026.11) or the start of its id")
    diff.add_argument("new", help="a version or the start of its id")
    policy.set_defaults(handler=_policy)

    gaps = sub.add_parser("gaps", help="policy gaps reviewers flagged: list, export, close (a lead)")
    gaps.add_argument("--all", action="store_true", help="closed ones too")
    gaps.add_argument("--since", help="only gaps flagged on or after this date (YYYY-MM-DD)")
    gaps.add_argument("--policy", metavar="CODE", help="only gaps about this section")
    gaps.add_argument("-o", "--output", type=Path, help="export to FILE.csv or FILE.jsonl instead")
    gaps.set_defaults(handler=_gaps)
    close = gaps.add_subparsers(dest="gap_command", metavar="ACTION")
    one = close.add_parser("close", help="close an open gap with a note (a lead)")
    one.add_argument("gap", help="the gap's id (its first 8 characters are enough)")
    one.add_argument("--note", required=True, help="what was done about it (required; recorded)")


def _policy(args: argparse.Namespace, tools: CommandTools) -> int:
    from reviewer.policy import PolicyPackError, load_pack

    if args.policy_command == "install":
        try:
            load_pack(args.file)  # checked before any database is opened: nothing stored
        except PolicyPackError as exc:
            print(f"reviewer: {_line(str(exc))}", file=sys.stderr)
            return EXIT_INVALID_PACK
    db = tools.open(args)
    try:
        if args.policy_command == "install":
            return _install(db, args.file)
        if args.policy_command == "versions":
            return _versions(db)
        return _diff(db, args.old, args.new, tools)
    finally:
        db.dispose()
        tools.used(db)


def _line(text: str) -> str:
    from reviewer.display import visible

    return visible(" ".join(text.split()))


def _install(db: Any, file: Path) -> int:
    from reviewer.conflicts import PolicyPackChanged
    from reviewer.identity import current_handle
    from reviewer.policy import PolicyPackError
    from reviewer.policy_sources import install_pack

    try:
        result = install_pack(db, file, actor=current_handle())
    except (PolicyPackError, PolicyPackChanged) as exc:
        print(f"reviewer: {_line(str(exc))}", file=sys.stderr)
        return EXIT_INVALID_PACK
    label = _line(result.source.label)
    if result.new:
        print(f"installed policy pack {label}; the app and the CLI now use it")
    else:
        print(f"policy pack {label} is installed already; nothing changed")
    return 0


def _versions(db: Any) -> int:
    from reviewer.policy_sources import list_sources, newest_installed

    sources = list_sources(db)
    if not sources:
        print("no pack stored yet: the app uses its built-in pack")
    in_force = newest_installed(db)
    for s in sources:
        mark = "*" if (in_force is not None and s.id == in_force.id) else " "
        when = s.installed_at.astimezone().strftime("%Y-%m-%d %H:%M")
        print(
            f"{mark} {_line(s.version):<12} {_line(s.pack_id)}  {s.origin} by {_line(s.installed_by)} {when}  {str(s.id)[:8]}"
        )
    if sources and in_force is None:
        print("(none installed: the app uses its built-in pack)")
    return 0


def _diff(db: Any, old_key: str, new_key: str, tools: CommandTools) -> int:
    from reviewer.display import visible
    from reviewer.policy import PolicyPackError
    from reviewer.policy_sources import find_source, load_source
    from reviewer.policy_updates import section_changes

    try:
        old, new = (load_source(db, find_source(db, key)) for key in (old_key, new_key))
    except (LookupError, PolicyPackError) as exc:
        raise tools.error(_line(str(exc.args[0] if exc.args else exc))) from None
    changes = section_changes(old, new)
    print(f"policy {visible(old.version)} → {visible(new.version)}: {len(changes)} section(s) differ")
    for change in changes:
        print(f"\n== {visible(change.code)} {visible(change.title)} ({change.kind})")
        for line in change.diff_lines():
            print(visible(line))
    return 0


def _since(text: str | None, tools: CommandTools) -> datetime | None:
    if text is None:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise tools.error(f"--since {text!r}: give a date as YYYY-MM-DD") from None
    return day.replace(tzinfo=UTC)


def _gaps(args: argparse.Namespace, tools: CommandTools) -> int:
    from reviewer.display import visible
    from reviewer.exporting import check_export_target
    from reviewer.identity import current_handle, ensure_reviewer
    from reviewer.policy_gaps import GapError, close_gap, export_format, export_gaps, find_gap, list_gaps
    from reviewer.storage.errors import DataLocationError

    since = _since(args.since, tools)
    if args.output is not None and args.gap_command is None:
        try:
            export_format(args.output)
            check_export_target(args.output)
        except DataLocationError as exc:
            raise tools.error(str(exc)) from None
    db = tools.open(args)
    try:
        if args.gap_command == "close":
            lead = ensure_reviewer(db, current_handle())
            try:
                gap = find_gap(list_gaps(db, limit=100_000), args.gap)
                close_gap(db, gap.id, lead=lead, note=args.note)
            except GapError as exc:
                raise tools.error(visible(str(exc))) from None
            print(f"policy gap on case {visible(gap.case_external_id)} closed")
            return 0
        if args.output is not None:
            try:
                n = export_gaps(db, args.output, actor=current_handle(), open_only=not args.all)
            except DataLocationError as exc:
                raise tools.error(str(exc)) from None
            print(f"{n} policy gap(s) written to {args.output}")
            return 0
        rows = list_gaps(db, open_only=not args.all, since=since, policy_code=args.policy)
        if not rows:
            print("no open policy gaps" if not args.all else "no policy gaps")
        for g in rows:
            when = g.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
            section = visible(g.policy_code or "no section")
            state = "" if g.open else f"  [closed by {visible(g.closed_by or '?')}]"
            note = visible(g.note)
            print(
                f"{str(g.id)[:8]}  {when}  case {visible(g.case_external_id)}  {section}  {visible(g.flagged_by)}: {note}{state}"
            )
        return 0
    finally:
        db.dispose()
        tools.used(db)
