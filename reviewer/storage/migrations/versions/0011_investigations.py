"""investigations: their members (accounts, cases, items) and notes, record tables shared by the team

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

Three record tables (``reviewer.audit.snapshots.RECORD_MODELS``): every row is audited with a snapshot of
all its columns and never deleted. On PostgreSQL their inserts and updates go to the change log, so a
pull brings them to every workstation.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reviewer.storage.changelog import drop_log, log_changes

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TABLES = ("investigation", "investigation_member", "investigation_note")


def upgrade() -> None:
    op.create_table(
        "investigation",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.Uuid(), sa.ForeignKey("reviewer.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("risk_assessment", sa.Text(), nullable=False),
        sa.Column("recommended_actions", sa.Text(), nullable=False),
        sa.Column("policy_gaps", sa.Text(), nullable=False),
        sa.Column("findings_md", sa.Text(), nullable=False),
    )
    op.create_index("ix_investigation_status", "investigation", ["status", "updated_at"])
    op.create_table(
        "investigation_member",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("investigation_id", sa.Uuid(), sa.ForeignKey("investigation.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("account_id", sa.Uuid(), sa.ForeignKey("account.id"), nullable=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=True),
        sa.Column("item_id", sa.Uuid(), sa.ForeignKey("item.id"), nullable=True),
        sa.Column("added_by", sa.Uuid(), sa.ForeignKey("reviewer.id"), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_index("ix_investigation_member_inv", "investigation_member", ["investigation_id", "added_at"])
    op.create_index("ix_investigation_member_case", "investigation_member", ["case_id"])
    op.create_index("ix_investigation_member_account", "investigation_member", ["account_id"])
    op.create_index("ix_investigation_member_item", "investigation_member", ["item_id"])
    op.create_table(
        "investigation_note",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("investigation_id", sa.Uuid(), sa.ForeignKey("investigation.id"), nullable=False),
        sa.Column("author_id", sa.Uuid(), sa.ForeignKey("reviewer.id"), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=True),
    )
    op.create_index("ix_investigation_note_inv", "investigation_note", ["investigation_id", "created_at"])
    log_changes(op, *TABLES)


def downgrade() -> None:
    drop_log(op, *TABLES)
    op.drop_index("ix_investigation_note_inv", table_name="investigation_note")
    op.drop_table("investigation_note")
    for name in ("item", "account", "case", "inv"):
        op.drop_index(f"ix_investigation_member_{name}", table_name="investigation_member")
    op.drop_table("investigation_member")
    op.drop_index("ix_investigation_status", table_name="investigation")
    op.drop_table("investigation")
