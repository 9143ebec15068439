"""``reviewer pack export | open | return``: work packs for air-gapped review (see README).

``pack open`` of a return that was already imported says so on stderr and exits 0 (the import is
idempotent: nothing is written, nothing is wrong); every other refusal is one line and exit 1.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from reviewer.cli_tools import CommandTools
from reviewer.display import visible


def add_commands(sub: Any) -> None:
    pack = sub.add_parser("pack", help="work packs: cases in an encrypted file for review without a network")
    acts = pack.add_subparsers(dest="pack_command", metavar="ACTION", required=True)
    exp = acts.add_parser("export", help="lease cases to a reviewer and write them into an encrypted pack")
    which = exp.add_mutually_exclusive_group(required=True)
    which.add_argument("--cases", help="case ids or external ids, separated by commas")
    which.add_argument("--first", type=int, metavar="N", help="the first N free cases in queue order")
    exp.add_argument("-o", "--output", type=Path, required=True, help="the pack file to write")
    exp.add_argument("--for", dest="handle", metavar="HANDLE", help="the reviewer (default: you)")
    exp.add_argument("--hours", type=float, default=24.0, help="how long the lease lasts (default 24)")
    _passphrase_arg(exp)
    exp.set_defaults(handler=cmd_pack_export)
    opn = acts.add_parser("open", help="open a work pack here, or import a return at the pack's origin")
    opn.add_argument("file", type=Path)
    _passphrase_arg(opn)
    opn.set_defaults(handler=cmd_pack_open)
    ret = acts.add_parser("return", help="write this workstation's decisions back for the pack's origin")
    ret.add_argument("-o", "--output", type=Path, required=True, help="the return file to write")
    ret.add_argument("--pack", metavar="PACK_ID", help="which opened pack (when several were opened here)")
    _passphrase_arg(ret)
    ret.set_defaults(handler=cmd_pack_return)


def _passphrase_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--passphrase-file", type=Path, metavar="FILE", help="read the passphrase from the first line of FILE"
    )


def _passphrase(args: argparse.Namespace, tools: CommandTools, *, twice: bool) -> str:
    UserError = tools.error
    from reviewer.packs.cipher import PackError, check_passphrase

    if args.passphrase_file is not None:
        try:
            lines = args.passphrase_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"cannot read the passphrase file {args.passphrase_file}: {exc}") from None
        phrase = lines[0] if lines else ""
    else:
        phrase = getpass.getpass("Pack passphrase: ")
        if twice and getpass.getpass("Passphrase again: ") != phrase:
            raise UserError("the two passphrases differ")
    if twice:
        try:
            check_passphrase(phrase)
        except PackError as exc:
            raise UserError(str(exc)) from None
    return phrase


def _target(path: Path, tools: CommandTools) -> None:
    UserError = tools.error

    if path.is_dir():
        raise UserError(f"{path} is a folder: give the file to write")
    if not path.parent.is_dir():
        raise UserError(f"no folder {path.parent} to write {path.name} into")


def cmd_pack_export(args: argparse.Namespace, tools: CommandTools) -> int:
    UserError, _open, _used = tools.error, tools.open, tools.used
    from reviewer.identity import current_handle
    from reviewer.packs.cipher import PackError
    from reviewer.packs.export import export_pack, resolve_cases

    _target(args.output, tools)
    if args.first is not None and args.first < 1:
        raise UserError("--first must be at least 1")
    passphrase = _passphrase(args, tools, twice=True)
    db = _open(args)
    try:
        names = [n.strip() for n in args.cases.split(",") if n.strip()] if args.cases else None
        case_ids = resolve_cases(db, names, args.first)
        report = export_pack(
            db,
            args.output,
            case_ids,
            handle=args.handle or current_handle(),
            passphrase=passphrase,
            hours=args.hours,
        )
    except PackError as exc:
        raise UserError(visible(str(exc))) from None
    finally:
        db.dispose()
    print(
        f"work pack {report.pack_id}: {report.cases} cases, {report.media} media files, leased until "
        f"{report.expires_at:%Y-%m-%d %H:%M} UTC, {report.size} bytes: {args.output}"
    )
    _used(db)
    return 0


def cmd_pack_open(args: argparse.Namespace, tools: CommandTools) -> int:
    UserError, _open, _used = tools.error, tools.open, tools.used
    from reviewer.packs.cipher import PackError, PackReader
    from reviewer.packs.opening import read_work, write_work
    from reviewer.packs.returning import AlreadyReturned, import_return

    if not args.file.is_file():
        raise UserError(
            f"no such file: {args.file}" if not args.file.is_dir() else f"{args.file} is a folder"
        )
    passphrase = _passphrase(args, tools, twice=False)
    try:
        reader = PackReader(args.file, passphrase)
        reader.check()  # every chunk, before the database is even opened
    except PackError as exc:
        raise UserError(str(exc)) from None
    db = _open(args, creates=True)
    try:
        if reader.kind == "return":
            ret = import_return(db, reader)
            print(
                f"return of pack {ret.pack_id}: {ret.events} events, {ret.decisions} decisions "
                f"({ret.applied} applied, {ret.conflicts} conflicts), {ret.records} reveal/break records"
            )
        else:
            work = write_work(db, read_work(db, reader))
            print(
                f"opened work pack {work.pack_id}: {work.cases} cases, {work.media} media files for "
                f"{visible(work.reviewer)}, leased until {work.expires_at:%Y-%m-%d %H:%M} UTC"
            )
    except AlreadyReturned as exc:
        print(f"reviewer: {exc}", file=sys.stderr)
        _used(db)
        return 0
    except PackError as exc:
        raise UserError(visible(str(exc))) from None
    finally:
        db.dispose()
    _used(db)
    return 0


def cmd_pack_return(args: argparse.Namespace, tools: CommandTools) -> int:
    UserError, _open, _used = tools.error, tools.open, tools.used
    from reviewer.packs.cipher import PackError
    from reviewer.packs.returning import write_return

    _target(args.output, tools)
    passphrase = _passphrase(args, tools, twice=True)
    db = _open(args)
    try:
        pack_id, events = write_return(db, args.output, passphrase=passphrase, pack_id=args.pack)
    except PackError as exc:
        raise UserError(visible(str(exc))) from None
    finally:
        db.dispose()
    print(f"return of pack {pack_id}: {events} audit events: {args.output}")
    _used(db)
    return 0
