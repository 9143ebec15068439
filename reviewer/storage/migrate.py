"""Schema migrations with Alembic: upgrade an older database on start, refuse a newer one.

Alembic (with mako and friends) costs ~0.3 s to import, so the common case — a database already at
head — is recognised from ``KNOWN_REVISIONS`` with one plain query, and Alembic loads only to migrate.
A test keeps ``KNOWN_REVISIONS`` equal to the migration scripts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from reviewer.storage.database import Database
from reviewer.storage.errors import DatabaseOpenError, SchemaTooNewError, explain_sqlite_error
from reviewer.vault.permissions import tighten_database

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Every revision this version knows, oldest first; the last is head.
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005")


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


def open_database(url: str) -> Database:
    """Open (creating if needed) and migrate a database."""
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
