"""an index on the case's reporter for related cases; the (status, created_at) index of 0009 dropped

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

The case panel's related cases ask for the newest cases of the same reporter. Without an index SQLite
walked the whole table (0.33 s on the 1M bench database), and once schema 0008 indexed ``created_at`` it
walked that index instead (1.0 s), on the read worker the next case's prefetch waits behind. The index
holds ``id`` too, so the panel's order (newest first, then id) needs no sort of the reporter's cases.

The ``(status, created_at)`` index made by 0009 for the metrics' backlog age is dropped: without table
statistics SQLite then chose it for the queue's page query (``status = ?`` ordered by priority, SLA,
risk, id) and sorted every open case for each page, instead of walking ``ix_case_queue``.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_case_reporter", "case", ["reporter", "created_at", "id"])
    op.drop_index("ix_case_status_created", table_name="case")


def downgrade() -> None:
    op.create_index("ix_case_status_created", "case", ["status", "created_at"])
    op.drop_index("ix_case_reporter", table_name="case")
