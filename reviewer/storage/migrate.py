"""Schema migrations with Alembic: upgrade an older database on start, refuse a newer one."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import DBAPIError

from reviewer.storage.database import Database
from reviewer.storage.errors import DatabaseOpenError, SchemaTooNewError, explain_sqlite_error

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database) -> bool:
    """Bring the schema to head. Returns True if anything ran. Raises SchemaTooNewError for a newer db."""
    script = ScriptDirectory.from_config(alembic_config())
    try:
        current = current_revision(db)
        if current is not None:
            try:
                script.get_revision(current)
            except Exception as exc:
                raise SchemaTooNewError(
                    f"{db.label} was written by a newer version of Reviewer Workstation "
                    f"(schema {current}); update the app to open it. Nothing was changed."
                ) from exc
        if current == script.get_current_head():
            return False
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
