"""The ``reviewer`` command: open the app, build a demo, import, export, verify the audit log.

User mistakes print one clear line on stderr and exit non-zero; tracebacks are for bugs only.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer import __version__
from reviewer.paths import ENV_DB, default_db_url, demo_db_path, normalize_db_url, sqlite_url

if TYPE_CHECKING:  # the storage stack (SQLAlchemy) loads only for the commands that use it
    from reviewer.storage.database import Database

EXIT_USAGE, EXIT_FAILED = 2, 1


class UserError(Exception):
    """A problem the user can fix; printed as one line."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reviewer",
        description="Reviewer Workstation: keyboard-first review of escalated content. "
        "With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"reviewer {__version__}")
    parser.add_argument(
        "--db",
        metavar="URL_OR_FILE",
        help=f"database: a SQLAlchemy URL or a SQLite file (default: ${ENV_DB} or the user data dir)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("open", help="open the app (the default)")

    demo = sub.add_parser("demo", help="build a demo database with synthetic cases and media")
    demo.add_argument("--cases", type=int, default=3000, help="how many cases (default 3000)")
    demo.add_argument("--seed", type=int, default=7, help="random seed; same seed, same demo (default 7)")
    demo.add_argument("--images", type=int, default=120, help="distinct synthetic images (default 120)")
    demo.add_argument(
        "--if-missing", action="store_true", help="do nothing if the database already has cases"
    )
    demo.add_argument("--open", action="store_true", help="open the app on the demo database afterwards")

    imp = sub.add_parser("import", help="import cases from a JSON Lines file (all or nothing)")
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--media-root", type=Path, help="folder media paths are relative to (default: the file's)"
    )

    exp = sub.add_parser("export", help="export decisions as CSV or JSON Lines")
    exp.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    exp.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")

    audit = sub.add_parser("audit", help="audit log tools")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    audit_sub.add_parser(
        "verify", help="check every audit chain, row and checkpoint; one line per problem, or OK"
    )
    audit_sub.add_parser("checkpoint", help="sign and store the chain heads now (the app does so itself)")

    doctor = sub.add_parser(
        "doctor", help="check permissions, keyring and encryption of the database; non-zero if not private"
    )
    doctor.add_argument(
        "--allow-file-key",
        action="store_true",
        help="with no OS keyring: keep this database's key in a 0600 file beside it (weaker) and seal with it",
    )

    role = sub.add_parser("role", help="make a reviewer a lead (who may override decisions) or not")
    role.add_argument("handle")
    role.add_argument("role", choices=("lead", "reviewer"))
    return parser


def _db_url(args: argparse.Namespace, *, demo: bool = False) -> str:
    if args.db:
        return normalize_db_url(args.db)
    if demo:
        return sqlite_url(demo_db_path())
    return default_db_url()


def _open(url: str) -> Database:
    from reviewer.storage.migrate import open_database

    return open_database(url)


def cmd_demo(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from reviewer.demo import DemoSpec, build_demo
    from reviewer.models import Case

    if args.cases < 1 or args.images < 1:
        raise UserError("--cases and --images must be at least 1")
    url = _db_url(args, demo=True)
    db = _open(url)
    with db.read() as session:
        existing = session.execute(select(func.count()).select_from(Case)).scalar_one()
    if existing and args.if_missing:
        print(f"demo database already has {existing} cases: {db.label}")
    elif existing:
        raise UserError(f"{db.label} already has {existing} cases; use another --db or --if-missing")
    else:
        report = build_demo(db, DemoSpec(cases=args.cases, seed=args.seed, images=args.images))
        print(
            f"demo database ready: {report.cases} cases, {report.items} items, {report.media_files} media files"
        )
        print(f"  {db.label}")
    db.dispose()
    if args.open:
        return _run_app(url)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from reviewer.identity import current_handle
    from reviewer.importing.importer import ImportFailed, import_file

    if not args.file.is_file():
        raise UserError(f"no such file: {args.file}")
    db = _open(_db_url(args))
    try:
        report = import_file(db, args.file, media_root=args.media_root, actor=current_handle())
    except ImportFailed as exc:
        print(f"reviewer: {exc}", file=sys.stderr)
        for line in exc.errors:
            print(f"  {line}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        db.dispose()
    print(f"imported {report.cases} cases, {report.items} items, {report.media_files} media files")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from reviewer.exporting import export_decisions

    db = _open(_db_url(args))
    try:
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                n = export_decisions(db, out, args.format)
            print(f"exported {n} decisions to {args.output}", file=sys.stderr)
        else:
            export_decisions(db, sys.stdout, args.format)
    finally:
        db.dispose()
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from reviewer.audit import verify, write_checkpoint

    db = _open(_db_url(args))
    try:
        if args.audit_command == "checkpoint":
            checkpoint = write_checkpoint(db, force=True)
            print("nothing to anchor: the audit log is empty" if checkpoint is None else "checkpoint written")
            return 0
        report = verify(db)
    finally:
        db.dispose()
    print(report)
    return 0 if report.ok else EXIT_FAILED


def cmd_doctor(args: argparse.Namespace) -> int:
    from reviewer.doctor import check_permissions, diagnose
    from reviewer.vault.opening import allow_file_key

    url = _db_url(args)
    permission_lines = check_permissions(url)  # before opening, which would tighten silently
    db = _open(url)
    try:
        if args.allow_file_key:
            vault = allow_file_key(db)
            print(f"key: {vault.describe()}")
        report = diagnose(db, permission_lines)
    finally:
        db.dispose()
    print(report)
    return 0 if report.ok else EXIT_FAILED


def cmd_role(args: argparse.Namespace) -> int:
    from reviewer.identity import current_handle, set_role

    db = _open(_db_url(args))
    try:
        set_role(db, args.handle, args.role, actor=current_handle())
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    finally:
        db.dispose()
    print(f"{args.handle} is now a {args.role}")
    return 0


AppOpener = Callable[[str], int]
_app_opener: AppOpener | None = None


def _run_app(url: str) -> int:
    if _app_opener is None:
        raise UserError(
            "the desktop app is not installed here (run the `reviewer` command of the full install)"
        )
    return _app_opener(url)


def main(argv: Sequence[str] | None = None, *, open_app: AppOpener | None = None) -> int:
    """Run the CLI. ``open_app`` opens the desktop app on a database URL (the ui package supplies it)."""
    global _app_opener
    _app_opener = open_app
    from reviewer.storage.errors import DatabaseOpenError
    from reviewer.vault.errors import VaultError
    from reviewer.vault.permissions import restrict_new_files

    restrict_new_files()  # every file made from here on is 0600, every folder 0700
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            return cmd_demo(args)
        if args.command == "import":
            return cmd_import(args)
        if args.command == "export":
            return cmd_export(args)
        if args.command == "audit":
            return cmd_audit(args)
        if args.command == "role":
            return cmd_role(args)
        if args.command == "doctor":
            return cmd_doctor(args)
        return _run_app(_db_url(args))
    except (UserError, DatabaseOpenError, VaultError) as exc:
        print(f"reviewer: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
