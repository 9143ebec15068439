"""each case's own index terms; the words too common to list from the index

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04

``case.terms``: the blind index terms of the case's report words (8 bytes each), so the search checks a
row it walks in the row itself instead of probing ``case_term`` once per word. ``common_term``: the
terms known to be in more cases than a search lists from the index; an import writes no ``case_term``
rows for them (issue 17 part 6: 9 of the 10 rows per case of the 1M bench import). Existing cases keep
NULL ``terms`` and every ``case_term`` row: the search checks them through ``case_term`` as before, so
nothing is rewritten here.

``ix_item_sha256`` and ``ix_item_phash`` become partial (``IS NOT NULL``): text and link items, most items
of a big import, have neither, and every lookup names a value or asks for ``IS NOT NULL``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


#: index name → its column; the partial condition is "<column> IS NOT NULL".
ITEM_INDEXES = {"ix_item_sha256": "media_sha256", "ix_item_phash": "phash"}


def upgrade() -> None:
    for name, column in ITEM_INDEXES.items():
        op.drop_index(name, table_name="item")
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, "item", [column], sqlite_where=where, postgresql_where=where)
    op.add_column("case", sa.Column("terms", sa.LargeBinary(), nullable=True))
    op.create_table(
        "common_term",
        sa.Column("term", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_common_term")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    for name, column in ITEM_INDEXES.items():
        op.drop_index(name, table_name="item")
        op.create_index(name, "item", [column])
    op.drop_table("common_term")
    op.execute('ALTER TABLE "case" DROP COLUMN terms')  # plain, as 0012 does (no batch copy of "case")
