"""search indexes: a trigram index of account handles (SQLite FTS5, PostgreSQL pg_trgm)

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-02

SQLite: ``account_handle_fts``, an FTS5 table with the trigram tokenizer holding each account's handle and
id (handles are plain at rest already; no report text goes in here: those are sealed and searched through
the keyed word index ``case_term``). Triggers on ``account`` keep it correct on every write path: a new
account (or a changed handle) is noted in ``account_handle_fts_pending`` (one small b-tree row; an FTS5
insert per row costs ten times a bulk one, as FTS5 flushes its segment at every statement), which the
import's writer folds into the FTS table in bulk per batch (``reviewer.queue_search.fold_pending``), and a
search also scans until then. The migration fills it from the accounts already there. A derived local
index: not a record table, never synced.

PostgreSQL (the team server, texts plain): ``pg_trgm`` GIN indexes on ``account.handle`` and
``case.report_text`` so ``ILIKE '%x%'`` can use them. The extension is made once per database, in the
schema it already lives in or ``public`` (never a per-test or per-tenant schema that may be dropped); when
it is not available (or not allowed), the migration logs one warning and text search scans rows.
"""

from __future__ import annotations

import logging

from alembic import op
from sqlalchemy import text
from sqlalchemy.engine import Connection

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

FTS = "account_handle_fts"
PG_INDEXES = (
    ("ix_account_handle_trgm", "account", "handle"),
    ("ix_case_report_text_trgm", "case", "report_text"),
)

SQLITE_UP = (
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(handle, account_id UNINDEXED, tokenize='trigram')",
    f"CREATE TABLE {FTS}_pending (account_id CHAR(32) NOT NULL PRIMARY KEY) WITHOUT ROWID",
    f"CREATE TRIGGER {FTS}_ai AFTER INSERT ON account BEGIN"
    f" INSERT OR IGNORE INTO {FTS}_pending (account_id) VALUES (new.id); END",
    # Deleting an account scans the (small) handle index by id: accounts are rarely deleted.
    f"CREATE TRIGGER {FTS}_ad AFTER DELETE ON account BEGIN DELETE FROM {FTS} WHERE account_id = old.id;"
    f" DELETE FROM {FTS}_pending WHERE account_id = old.id; END",
    f"CREATE TRIGGER {FTS}_au AFTER UPDATE OF handle, id ON account"
    f" WHEN old.handle IS NOT new.handle OR old.id IS NOT new.id BEGIN"
    f" DELETE FROM {FTS} WHERE account_id = old.id;"
    f" DELETE FROM {FTS}_pending WHERE account_id = old.id;"
    f" INSERT OR IGNORE INTO {FTS}_pending (account_id) VALUES (new.id); END",
    f"INSERT INTO {FTS} (handle, account_id) SELECT handle, id FROM account",
)
SQLITE_DOWN = (
    f"DROP TRIGGER IF EXISTS {FTS}_au",
    f"DROP TRIGGER IF EXISTS {FTS}_ad",
    f"DROP TRIGGER IF EXISTS {FTS}_ai",
    f"DROP TABLE IF EXISTS {FTS}_pending",
    f"DROP TABLE IF EXISTS {FTS}",
)


def _trgm_schema(bind: Connection) -> str | None:
    """The schema pg_trgm lives in, made in ``public`` (or the current schema) if it is not there yet;
    None when it cannot be had."""
    find = text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'pg_trgm'"
    )
    found = bind.execute(find).scalar()
    if found is not None:
        return str(found)
    if bind.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first() is None:
        log.warning("pg_trgm is not available on this server: text search will scan rows")
        return None
    public = bind.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = 'public'")).first() is not None
    target = "public" if public else str(bind.execute(text("SELECT current_schema()")).scalar())
    try:
        with bind.begin_nested():
            bind.execute(text(f'CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA "{target}"'))
    except Exception as exc:  # no privilege, or another session made it first
        found = bind.execute(find).scalar()
        if found is None:
            log.warning(
                "pg_trgm could not be created (%s): text search will scan rows", exc.__class__.__name__
            )
            return None
        return str(found)
    return target


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for sql in SQLITE_UP:
            op.execute(sql)
    elif bind.dialect.name == "postgresql":
        schema = _trgm_schema(bind)
        if schema is not None:
            for name, table, column in PG_INDEXES:
                op.execute(f'CREATE INDEX {name} ON "{table}" USING gin ({column} "{schema}".gin_trgm_ops)')


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for sql in SQLITE_DOWN:
            op.execute(sql)
    elif bind.dialect.name == "postgresql":
        for name, _table, _column in PG_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
