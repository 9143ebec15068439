"""hand-entered fields of DSA statements of reasons

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-02

One record table (``reviewer.models.dsa.SorAmendment``), audited row by row and shared by the team sync:
on PostgreSQL its inserts and updates go to the change log (``reviewer.storage.changelog``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reviewer.storage.changelog import drop_log, log_changes

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLES = ("sor_amendment",)


def upgrade() -> None:
    op.create_table(
        "sor_amendment",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    log_changes(op, *TABLES)


def downgrade() -> None:
    drop_log(op, *TABLES)
    op.drop_table("sor_amendment")
