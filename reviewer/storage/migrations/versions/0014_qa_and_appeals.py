"""QA sample rates, blind second reviews of sampled decisions, and appeals

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02

Three record tables (``reviewer.models.qa``), audited row by row and shared by the team sync: on
PostgreSQL their inserts and updates go to the change log (``reviewer.storage.changelog``). The
``decision`` table is not touched: QA items and appeals name decisions by id.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reviewer.storage.changelog import drop_log, log_changes

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLES = ("qa_rate", "qa_review", "appeal")


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _uuid(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.Uuid(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "qa_rate",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("policy_code", sa.String(32), nullable=False),
        sa.Column("channel_code", sa.String(32), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        _when("set_at"),
    )
    op.create_index("ix_qa_rate_pair", "qa_rate", ["policy_code", "channel_code", "set_at"])
    op.create_table(
        "qa_review",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _uuid("decision_id", nullable=False),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("first_reviewer_id", sa.Uuid(), sa.ForeignKey("reviewer.id"), nullable=False),
        sa.Column("first_action", sa.String(32), nullable=False),
        sa.Column("first_policy", sa.String(32), nullable=True),
        sa.Column("channel_code", sa.String(32), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        _when("sampled_at"),
        sa.Column("status", sa.String(12), nullable=False),
        _uuid("second_reviewer_id"),
        sa.Column("verdict_action", sa.String(32), nullable=True),
        sa.Column("verdict_policy", sa.String(32), nullable=True),
        _when("verdict_at", nullable=True),
        sa.Column("agreed", sa.Boolean(), nullable=True),
        _uuid("adjudicated_by"),
        _uuid("adjudication_decision_id"),
        _when("adjudicated_at", nullable=True),
        sa.Column("adjudication_note", sa.Text(), nullable=False),
        _when("updated_at"),
    )
    op.create_index("ix_qa_review_status", "qa_review", ["status", "sampled_at"])
    op.create_index("ix_qa_review_decision", "qa_review", ["decision_id"])
    op.create_table(
        "appeal",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False),
        _uuid("original_decision_id", nullable=False),
        sa.Column("original_reviewer_id", sa.Uuid(), sa.ForeignKey("reviewer.id"), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        _when("appealed_at"),
        _when("imported_at"),
        sa.Column("imported_by", sa.String(64), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        _uuid("worked_by"),
        _uuid("outcome_decision_id"),
        _uuid("undo_decision_id"),
        _when("decided_at", nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=False),
        _when("updated_at"),
    )
    op.create_index("ix_appeal_status", "appeal", ["status", "appealed_at"])
    op.create_index("ix_appeal_external", "appeal", ["external_id"], unique=True)
    log_changes(op, *TABLES)
    op.create_table(  # this database's own sampling progress (SQLite rowid); not synced
        "qa_sample_mark",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("last_rowid", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("qa_sample_mark")
    drop_log(op, *TABLES)
    op.drop_index("ix_appeal_external", "appeal")
    op.drop_index("ix_appeal_status", "appeal")
    op.drop_table("appeal")
    op.drop_index("ix_qa_review_decision", "qa_review")
    op.drop_index("ix_qa_review_status", "qa_review")
    op.drop_table("qa_review")
    op.drop_index("ix_qa_rate_pair", "qa_rate")
    op.drop_table("qa_rate")
