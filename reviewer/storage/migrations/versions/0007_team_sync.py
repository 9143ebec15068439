"""team sync: conflicts, the server's media blobs, its change log (PostgreSQL triggers), sync bookkeeping

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

On PostgreSQL a trigger on each table a workstation pulls (case, decision, reviewer, policy_pack_version,
review_session, sync_conflict) writes one ``change_log`` row per inserted or updated row, with the id of
the changing transaction (``pg_current_xact_id()``). A pull reads the rows of transactions older than
its snapshot's ``xmin``: those are final, so a pull never skips a change a slower transaction commits
later. SQLite gets the tables but no triggers (a working copy is never pulled from).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: Tables whose changes a pull needs (items come with their case, accounts and channels with theirs).
TRACKED = ("case", "decision", "reviewer", "policy_pack_version", "review_session", "sync_conflict")

_FUNCTION = """
CREATE OR REPLACE FUNCTION rw_log_change() RETURNS trigger AS $$
BEGIN
    INSERT INTO change_log (xid, table_name, row_id)
    VALUES (pg_current_xact_id()::text::bigint, TG_TABLE_NAME, NEW.id::text);
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=False, unique=True),
        sa.Column("standing_id", sa.Uuid(), nullable=True),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("resolution", sa.String(16), nullable=False, server_default=""),
        sa.Column("resolution_note", sa.Text(), nullable=False, server_default=""),
        sa.Column("resolution_decision_id", sa.Uuid(), nullable=True),
    )
    op.create_index("ix_sync_conflict_open", "sync_conflict", ["resolved_at", "created_at"])
    op.create_table(
        "media_blob",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "change_log",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("xid", sa.BigInteger(), nullable=False),
        sa.Column("table_name", sa.String(32), nullable=False),
        sa.Column("row_id", sa.String(64), nullable=False),
    )
    op.create_index("ix_change_log_xid", "change_log", ["xid"])
    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION)
        for table in TRACKED:
            op.execute(
                f'CREATE TRIGGER rw_log_{table} AFTER INSERT OR UPDATE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION rw_log_change()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TRACKED:
            op.execute(f'DROP TRIGGER IF EXISTS rw_log_{table} ON "{table}"')
        op.execute("DROP FUNCTION IF EXISTS rw_log_change()")
    op.drop_table("sync_state")
    op.drop_index("ix_change_log_xid", table_name="change_log")
    op.drop_table("change_log")
    op.drop_table("media_blob")
    op.drop_index("ix_sync_conflict_open", table_name="sync_conflict")
    op.drop_table("sync_conflict")
