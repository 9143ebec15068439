"""The ``reviewer`` command: open the app, build a demo, import, export, back up, verify the audit log.

User mistakes print one clear line on stderr and exit non-zero; tracebacks are for bugs only.

Which database: ``--db``, else ``$REVIEWER_DB``, else ``reviewer.sqlite3`` in the data folder (``demo``
builds ``demo.sqlite3`` there instead). Every command that used a database ends by naming it on stderr
(``database: …``). Only ``demo`` (its job) and ``import`` into the default database create a database;
a new database anywhere else needs ``--init``, which also allows adding the app's tables to a SQLite
file that holds other tables. Folders are never created for ``--db``. A read command that finds no
default database but a demo one says so and how to pick it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer import __version__
from reviewer.display import visible
from reviewer.paths import (
    ENV_DB,
    configured_db_url,
    default_db_path,
    demo_db_path,
    normalize_db_url,
    sqlite_file,
    sqlite_url,
)

if TYPE_CHECKING:  # the storage stack (SQLAlchemy) loads only for the commands that use it
    from reviewer.storage.database import Database

EXIT_USAGE, EXIT_FAILED = 2, 1
#: Bad lines listed by a refused import (the first ones; then how many more).
ERRORS_SHOWN = 20


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
        help=f"database: a SQLAlchemy URL or a SQLite file (default: ${ENV_DB}, else reviewer.sqlite3 "
        "in the user data folder); its folder must exist",
    )
    parser.add_argument(
        "--init",
        action="store_true",
        help="allow creating a new database at --db, or adding the app's tables to a SQLite file "
        "that holds other tables",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("open", help="open the app (the default)")

    demo = sub.add_parser("demo", help="build a demo database with synthetic cases and media")
    demo.add_argument("--cases", type=int, default=3000, help="how many cases (default 3000)")
    demo.add_argument("--seed", type=int, default=7, help="random seed; same seed, same demo (default 7)")
    demo.add_argument("--images", type=int, default=120, help="distinct synthetic images (default 120)")
    demo.add_argument("--history-days", type=int, default=30, help="days of past decisions (default 30; 0: none)")
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

    sub.add_parser("backup", help="take a backup of the SQLite database now (the app takes one each session)")
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
    # Commands kept in their own modules; each registers a handler (reviewer.cli_tools.CommandTools).
    from reviewer import (
        cli_escalations,
        cli_investigations,
        cli_metrics,
        cli_offline,
        cli_packs,
        cli_policy,
        cli_reports,
        cli_responses,
        cli_server,
        cli_sync,
    )

    modules = (cli_server, cli_sync, cli_offline, cli_packs, cli_metrics, cli_escalations, cli_responses)
    for module in (*modules, cli_investigations, cli_reports, cli_policy):
        module.add_commands(sub)
    return parser


def _db_url(args: argparse.Namespace, *, demo: bool = False) -> tuple[str, bool]:
    """The database URL, and whether the user named it (``--db`` or ``$REVIEWER_DB``)."""
    named = normalize_db_url(args.db) if args.db else configured_db_url()
    if named:
        return named, True
    return sqlite_url(demo_db_path() if demo else default_db_path()), False


def _missing(file: Path, named: bool) -> str:
    if named:
        return f"no database at {file}; pass --init to create a new one there, or check the path"
    demo = demo_db_path()
    if demo.exists():
        return (
            f"no database at {file} (the default); the demo database is {demo}: "
            f"pass --db {demo} to use it, or import cases into the default one"
        )
    return f"no database at {file} yet: import cases first (reviewer import FILE) or name one with --db"


def _open(args: argparse.Namespace, *, creates: bool = False, demo: bool = False) -> Database:
    """Open the database the command works on. ``creates``: this command may create the default database
    (never one the user named, unless ``--init``)."""
    from reviewer.storage.errors import DatabaseMissingError
    from reviewer.storage.migrate import open_database

    url, named = _db_url(args, demo=demo)
    create = args.init or demo or (creates and not named)
    try:
        return open_database(url, create=create, init=args.init)
    except DatabaseMissingError:
        file = sqlite_file(url)
        assert file is not None  # only a SQLite file can be missing
        raise UserError(_missing(file, named)) from None


def _used(db: Database) -> None:
    """The last line of every command that used a database: which one."""
    print(f"database: {db.label}", file=sys.stderr)


def cmd_demo(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from reviewer.demo import DemoSpec, build_demo
    from reviewer.models import Case

    if args.cases < 1 or args.images < 1:
        raise UserError("--cases and --images must be at least 1")
    db = _open(args, demo=True)
    url = db.url
    with db.read() as session:
        existing = session.execute(select(func.count()).select_from(Case)).scalar_one()
    if existing and args.if_missing:
        print(f"demo database already has {existing} cases: {db.label}")
    elif existing:
        raise UserError(f"{db.label} already has {existing} cases; use another --db or --if-missing")
    else:
        spec = DemoSpec(cases=args.cases, seed=args.seed, images=args.images, history_days=max(0, args.history_days))
        report = build_demo(db, spec)
        print(
            f"demo database ready: {report.cases} cases, {report.items} items, {report.media_files} media files"
        )
        print(f"  {db.label}")
    db.dispose()
    _used(db)
    if args.open:
        return _run_app(url)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from reviewer.identity import current_handle
    from reviewer.importing.importer import ImportFailed, import_file

    if args.file.is_dir():
        raise UserError(f"{args.file} is a folder, not a file: give the JSON Lines file to import")
    if not args.file.is_file():
        raise UserError(f"no such file: {args.file}")
    db = _open(args, creates=True)
    try:
        report = import_file(db, args.file, media_root=args.media_root, actor=current_handle())
    except ImportFailed as exc:
        print(f"reviewer: {visible(str(exc))}", file=sys.stderr)
        for line in exc.errors[:ERRORS_SHOWN]:
            print(f"  {visible(line)}", file=sys.stderr)
        if exc.total_errors > ERRORS_SHOWN:
            print(f"  … and {exc.total_errors - ERRORS_SHOWN} more", file=sys.stderr)
        return EXIT_FAILED
    finally:
        db.dispose()
    print(f"imported {report.cases} cases, {report.items} items, {report.media_files} media files")
    _used(db)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from reviewer.exporting import FORMATS, check_export_target, export_decisions, export_to_file

    if args.output:
        check_export_target(args.output)  # before the database is opened: a mistake costs nothing
    db = _open(args)
    try:
        if args.output:
            n = export_to_file(db, args.output, args.format)
        else:
            n = export_decisions(db, sys.stdout, args.format)
            sys.stdout.flush()
    finally:
        db.dispose()
    where = str(args.output) if args.output else "standard output"
    print(f"exported {n} decisions as {FORMATS[args.format]} to {where}", file=sys.stderr)
    _used(db)
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from reviewer.audit import verify, write_checkpoint

    db = _open(args)
    try:
        if args.audit_command == "checkpoint":
            checkpoint = write_checkpoint(db, force=True)
            print("nothing to anchor: the audit log is empty" if checkpoint is None else "checkpoint written")
            _used(db)
            return 0
        report = verify(db)
    finally:
        db.dispose()
    print(report)
    _used(db)
    return 0 if report.ok else EXIT_FAILED


def cmd_backup(args: argparse.Namespace) -> int:
    from reviewer.storage.backup import take_backup

    db = _open(args)
    db.dispose()
    if db.file is None:
        raise UserError(f"{db.label} is not a SQLite file: back it up with the database server's own tools")
    target = take_backup(db.file)
    print(f"backup written: {target}")
    _used(db)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from reviewer.doctor import check_permissions, diagnose
    from reviewer.vault.opening import allow_file_key

    url, _named = _db_url(args)
    permission_lines = check_permissions(url)  # before opening, which would tighten silently
    db = _open(args)
    try:
        if args.allow_file_key:
            vault = allow_file_key(db)
            print(f"key: {vault.describe()}")
        report = diagnose(db, permission_lines)
    finally:
        db.dispose()
    print(report)
    _used(db)
    return 0 if report.ok else EXIT_FAILED


def cmd_role(args: argparse.Namespace) -> int:
    from reviewer.identity import current_handle, set_role

    db = _open(args)
    try:
        set_role(db, args.handle, args.role, actor=current_handle())
    except ValueError as exc:
        raise UserError(visible(str(exc))) from exc
    finally:
        db.dispose()
    print(f"{visible(args.handle)} is now a {args.role}")
    _used(db)
    return 0


AppOpener = Callable[[str], int]
_app_opener: AppOpener | None = None


def _run_app(url: str) -> int:
    if _app_opener is None:
        raise UserError(
            "the desktop app is not installed here (run the `reviewer` command of the full install)"
        )
    return _app_opener(url)


def cmd_open(args: argparse.Namespace) -> int:
    """The app on the chosen database, checked here first (missing, foreign, --init) like every command."""
    if _app_opener is None:
        return _run_app("")  # says the app is not installed
    db = _open(args, creates=True)
    db.dispose()
    _used(db)
    return _run_app(db.url)


def main(
    argv: Sequence[str] | None = None,
    *,
    open_app: AppOpener | None = None,
    render_pdf: Callable[..., bytes] | None = None,
) -> int:
    """Run the CLI. ``open_app`` opens the desktop app on a database URL, ``render_pdf`` draws a report
    as PDF (``reviewer.reports.export.PdfRenderer``); the ui package supplies both."""
    global _app_opener
    _app_opener = open_app
    from reviewer.storage.errors import DatabaseOpenError, describe_os_error
    from reviewer.vault.errors import VaultError
    from reviewer.vault.permissions import restrict_new_files

    restrict_new_files()  # every file made from here on is 0600, every folder 0700
    args = _parser().parse_args(argv)
    try:
        if getattr(args, "handler", None) is not None:  # commands registered by their own modules
            from reviewer.cli_tools import CommandTools, run_handler

            return run_handler(args.handler, args, CommandTools(_open, _used, UserError, render_pdf))
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
        if args.command == "backup":
            return cmd_backup(args)
        if args.command == "doctor":
            return cmd_doctor(args)
        return cmd_open(args)
    except (UserError, DatabaseOpenError, VaultError) as exc:
        print(f"reviewer: {_one_line(str(exc))}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:  # the environment refused something (a full disk, a read-only place)
        if isinstance(exc, BrokenPipeError):
            return 0
        where = exc.filename if exc.filename is not None else "a file"
        print(f"reviewer: {_one_line(describe_os_error(exc, f'use {where}'))}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


def _one_line(message: str) -> str:
    return " ".join(message.split("\n"))


if __name__ == "__main__":
    sys.exit(main())
