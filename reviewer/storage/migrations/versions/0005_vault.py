"""data at rest: the vault row (which key seals this database) and the blind index of report words

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

Report texts and item texts are sealed with a per-database key kept in the OS keyring (see
``reviewer.vault``); values already in the database are sealed by the vault when its key is first made,
not here, because the key does not exist yet when the schema is upgraded.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import reviewer.models.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vault",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("key_store", sa.String(length=16), nullable=False),
        sa.Column("key_label", sa.String(length=32), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("texts_sealed", sa.Boolean(), nullable=False),
        sa.Column("media_sealed", sa.Boolean(), nullable=False),
        sa.Column("created_at", reviewer.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vault")),
    )
    op.create_table(
        "case_term",
        sa.Column("term", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("term", "case_id", name=op.f("pk_case_term")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("case_term")
    op.drop_table("vault")
