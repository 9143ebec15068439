"""Alembic steps for the migration tests: one database taken down to a revision, or up to one."""

from __future__ import annotations

from reviewer.storage.database import Database
from reviewer.storage.migrate import alembic_config


def migrate(db: Database, target: str, *, down: bool) -> None:
    """``db`` downgraded (``down``) or upgraded to ``target``, in one transaction of its write engine."""
    from alembic import command

    cfg = alembic_config()
    with db.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, target)


def pg_index_defs(db: Database, names: tuple[str, ...]) -> dict[str, str]:
    """Index name → definition on PostgreSQL, for ``names`` in this test's schema only (other tests create
    and drop the same indexes in theirs at the same time; pg_indexes over every schema can meet one
    mid-drop)."""
    from sqlalchemy import text

    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes"
                " WHERE schemaname = current_schema() AND indexname = ANY(:names)"
            ),
            {"names": list(names)},
        ).all()
    return {name: d for name, d in rows}


def sqlite_index_sql(db: Database, names: tuple[str, ...]) -> dict[str, str]:
    """Index name → its ``CREATE INDEX`` statement on SQLite, for ``names``."""
    from sqlalchemy import bindparam, text

    query = text("SELECT name, sql FROM sqlite_master WHERE name IN :names").bindparams(
        bindparam("names", expanding=True)
    )
    with db.engine.connect() as conn:
        rows = conn.execute(query, {"names": list(names)}).all()
    return {name: sql for name, sql in rows}
