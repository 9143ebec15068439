"""policy gaps, the source text of pack versions, and which pack version each reviewer has seen

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

Three record tables (``reviewer.models.policy_records``), audited row by row and shared by the team
sync: on PostgreSQL their inserts and updates go to the change log (``reviewer.storage.changelog``).
``policy_pack_source.id`` is the ``policy_pack_version`` row's id: one text per cited version.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reviewer.storage.changelog import drop_log, log_changes

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TABLES = ("policy_gap", "policy_pack_source", "policy_pack_seen")


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "policy_gap",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("reviewer_id", sa.Uuid(), sa.ForeignKey("reviewer.id"), nullable=False),
        sa.Column("policy_code", sa.String(32), nullable=True),
        sa.Column("pack_version", sa.String(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _when("created_at"),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("closed_by", sa.Uuid(), nullable=True),
        _when("closed_at", nullable=True),
        sa.Column("closing_note", sa.Text(), nullable=False),
    )
    op.create_index("ix_policy_gap_status", "policy_gap", ["status", "created_at"])
    op.create_index("ix_policy_gap_case", "policy_gap", ["case_id"])
    op.create_table(
        "policy_pack_source",
        sa.Column("id", sa.Uuid(), sa.ForeignKey("policy_pack_version.id"), primary_key=True),
        sa.Column("pack_id", sa.String(64), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("installed_by", sa.String(64), nullable=False),
        _when("installed_at"),
    )
    op.create_table(
        "policy_pack_seen",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("reviewer_id", sa.Uuid(), sa.ForeignKey("reviewer.id"), nullable=False),
        sa.Column("pack_version_id", sa.Uuid(), sa.ForeignKey("policy_pack_version.id"), nullable=False),
        sa.Column("session_id", sa.Uuid(), sa.ForeignKey("review_session.id"), nullable=True),
        _when("seen_at"),
    )
    op.create_index("ix_policy_pack_seen_reviewer", "policy_pack_seen", ["reviewer_id", "seen_at"])
    log_changes(op, *TABLES)


def downgrade() -> None:
    drop_log(op, *TABLES)
    op.drop_index("ix_policy_pack_seen_reviewer", "policy_pack_seen")
    op.drop_table("policy_pack_seen")
    op.drop_table("policy_pack_source")
    op.drop_index("ix_policy_gap_case", "policy_gap")
    op.drop_index("ix_policy_gap_status", "policy_gap")
    op.drop_table("policy_gap")
