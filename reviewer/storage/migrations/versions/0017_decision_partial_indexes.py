"""the decision table's bulk and reverses indexes hold only the rows that have a value

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03

``ix_decision_bulk`` (one undo reverses a bulk apply) and ``ix_decision_reverses`` ("was it undone")
are looked up only by a value (``bulk_id = ?``, ``reverses_id = d.id``, ``reverses_id IS NOT NULL``),
yet they held an entry for every decision, almost all NULL: two B-tree pages written in every decision's
commit for nothing (issue 17 part 5: ~15 WAL pages per decision → ~13). As partial indexes they hold only
bulk decisions and undos, and every query that used them still does (``EXPLAIN QUERY PLAN`` in the tests).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

#: index name → its column; the partial condition is "<column> IS NOT NULL".
INDEXES = {"ix_decision_bulk": "bulk_id", "ix_decision_reverses": "reverses_id"}


def upgrade() -> None:
    for name, column in INDEXES.items():
        op.drop_index(name, table_name="decision")
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, "decision", [column], sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name, column in INDEXES.items():
        op.drop_index(name, table_name="decision")
        op.create_index(name, "decision", [column])
