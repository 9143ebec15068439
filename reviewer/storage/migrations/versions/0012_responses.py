"""responses: the requester of a case and its response deadline; the ``response`` record table

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

``case.requester`` holds the imported requester object as JSON text, sealed by the vault like
``report_text`` (it is personal data from a file); ``case.response_due_at`` is the response SLA's
deadline, apart from the review SLA (NULL: no response is expected). Existing cases get neither. The
case's audit snapshots hold only its state columns, so nothing needs re-snapshotting.

``response`` rows are reviewer-written (stored plain), audited with a snapshot of every column and
shared with the team server through its change log.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reviewer.storage.changelog import drop_log, log_changes

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("case", sa.Column("requester", sa.Text(), nullable=True))
    op.add_column("case", sa.Column("response_due_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "response",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("reviewer_id", sa.Uuid(), sa.ForeignKey("reviewer.id"), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=True),
        sa.Column("template_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finalised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_response_case", "response", ["case_id", "status"])
    op.create_index("ix_response_created", "response", ["created_at"])
    log_changes(op, "response")


def downgrade() -> None:
    drop_log(op, "response")
    op.drop_index("ix_response_created", table_name="response")
    op.drop_index("ix_response_case", table_name="response")
    op.drop_table("response")
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35 too): a batch copy of "case" would trip over the
    # analyst views (schema 0008) that name it.
    for column in ("response_due_at", "requester"):
        op.execute(f'ALTER TABLE "case" DROP COLUMN {column}')
