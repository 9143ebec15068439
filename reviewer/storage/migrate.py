"""Schema migrations with Alembic: upgrade an older database on start, refuse a newer one.

Alembic (with mako and friends) costs ~0.3 s to import, so the common case — a database already at
head — is recognised from ``KNOWN_REVISIONS`` with one plain query, and Alembic loads only to migrate.
A test keeps ``KNOWN_REVISIONS`` equal to the migration scripts.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from reviewer.display import visible
from reviewer.paths import sqlite_file
from reviewer.storage.database import Database
from reviewer.storage.errors import (
    DatabaseMissingError,
    DatabaseOpenError,
    DataLocationError,
    ForeignDatabaseError,
    SchemaTooNewError,
    describe_os_error,
    explain_sqlite_error,
)
from reviewer.vault.permissions import tighten_database

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Every revision this version knows, oldest first; the last is head.
KNOWN_REVISIONS = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
    "0011",
    "0012",
    "0013",
    "0014",
    "0015",
    "0016",
    "0017",
    "0018",
)


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    return KNOWN_REVISIONS[-1]


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(db: Database) -> bool:
    """Bring the schema to head. Returns True if anything ran. Raises SchemaTooNewError for a newer db."""
    try:
        current = current_revision(db)
        if current is not None and current not in KNOWN_REVISIONS:
            raise SchemaTooNewError(
                f"{db.label} was written by a newer version of Reviewer Workstation "
                f"(schema {current}); update the app to open it. Nothing was changed."
            )
        if current == head_revision():
            return False
        from alembic import command

        cfg = alembic_config()
        with db.write_engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        return True
    except DBAPIError as exc:
        raise explain_sqlite_error(exc, db.label) from exc


def foreign_tables(url: str) -> list[str]:
    """Tables of a database that is not ours (tables, but no ``alembic_version``); [] for ours or an empty one.

    A SQLite file is read through a read-only connection of its own: the app's engine would switch it to
    WAL on connect, which already changes a foreign file. A file SQLite cannot read gives [] (opening it
    then says what is wrong with it).
    """
    file = sqlite_file(url)
    if file is not None:
        try:
            conn = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
            try:
                names = [
                    row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                ]
            finally:
                conn.close()
        except sqlite3.Error:
            return []
    else:
        db = Database(url)
        try:
            with db.engine.connect() as conn_:
                names = inspect(conn_).get_table_names()
        except DBAPIError as exc:
            raise explain_sqlite_error(exc, db.label) from exc
        finally:
            db.dispose()
    return [] if "alembic_version" in names else sorted(names)


def _create_sqlite_file(path: Path) -> None:
    """Create an empty database file (0600) in an existing folder; never creates a folder."""
    folder = path.parent
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        raise DataLocationError(f"the folder {folder} {what}; no database was created at {path}")
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return  # made meanwhile (another instance): open it
    except OSError as exc:
        raise DataLocationError(describe_os_error(exc, f"create the database {path}")) from None


def open_database(url: str, *, create: bool = True, init: bool = False) -> Database:
    """Open and migrate a database.

    ``create``: a missing SQLite file may be created (in an existing folder: folders are never made here);
    otherwise DatabaseMissingError. ``init``: the app's tables may be added to a database that holds
    other tables and none of ours; otherwise ForeignDatabaseError and nothing is changed.
    """
    file = sqlite_file(url)
    if file is not None and not file.exists():
        if not create:
            raise DatabaseMissingError(f"no database at {file}")
        _create_sqlite_file(file)
    elif file is not None and file.is_dir():
        raise DataLocationError(f"{file} is a folder, not a database file")
    foreign = [] if init else foreign_tables(url)
    if foreign:
        shown = ", ".join(map(visible, foreign[:3])) + (
            f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        )
        where = file if file is not None else make_url(url).render_as_string(hide_password=True)
        raise ForeignDatabaseError(
            f"{where} is not a Reviewer Workstation database (it holds other tables: {shown}); "
            "nothing was changed. Open another database, or add the app's tables to it on purpose "
            "(reviewer --init)."
        )
    db = Database(url)
    tighten_database(db.file)  # 0600/0700: what an older version left readable by others
    try:
        upgrade(db)
    except SchemaTooNewError:
        db.dispose()
        raise
    except DatabaseOpenError as exc:
        # Say "damaged, restore a backup" rather than whatever the first failing statement reported.
        if "locked" not in str(exc):
            try:
                db.quick_check()
            except DatabaseOpenError as damaged:
                db.dispose()
                raise damaged from exc
        db.dispose()
        raise
    except BaseException:
        db.dispose()
        raise
    return db
