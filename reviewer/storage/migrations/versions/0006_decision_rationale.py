"""a rationale on every decision, the target tier of an escalation, the bulk a decision belongs to

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

Existing decisions get an empty rationale, no target tier and no bulk. Their audit snapshots were written
before these columns existed; ``reviewer.audit.snapshots.ADDED_COLUMNS`` declares these values, so an
old snapshot still covers an old row while the new columns hold them (and a row edited to anything else
after the upgrade differs from its record). Nothing is re-sealed: a re-seal would bless an edit made
before the upgrade.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rationale", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("to_tier", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("bulk_id", sa.Uuid(), nullable=True))
        batch_op.create_index("ix_decision_bulk", ["bulk_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index("ix_decision_bulk")
        batch_op.drop_column("bulk_id")
        batch_op.drop_column("to_tier")
        batch_op.drop_column("rationale")
