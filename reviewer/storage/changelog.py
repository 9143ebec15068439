"""The team server's change log, for migrations: which tables a pull reads by transaction id.

Migration 0007 created ``change_log`` and the PostgreSQL function ``rw_log_change()``; a migration that
adds a table workstations pull (an audited record table, see ``reviewer.audit.snapshots``) calls
:func:`log_changes` for it, and :func:`drop_log` in its downgrade. SQLite gets nothing: a working copy is
never pulled from.
"""

from __future__ import annotations

from typing import Any


def log_changes(op: Any, *tables: str) -> None:
    """On PostgreSQL, log every insert and update of ``tables`` into ``change_log`` (Alembic ``op``)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        op.execute(
            f'CREATE TRIGGER rw_log_{table} AFTER INSERT OR UPDATE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION rw_log_change()"
        )


def drop_log(op: Any, *tables: str) -> None:
    """Undo :func:`log_changes` (a downgrade)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        op.execute(f'DROP TRIGGER IF EXISTS rw_log_{table} ON "{table}"')
