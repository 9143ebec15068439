"""metrics rollups: small derived tables the metrics figures read instead of every decision row

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

Plain tables, not audited: everything in them is derived from ``decision``, ``case`` and
``reveal_event`` and can be rebuilt (``reviewer.metrics.rollup.rebuild_rollups``). They are folded
incrementally by ``refresh_rollups`` (a rowid watermark on SQLite, the ``metrics_folded`` set of ids on
PostgreSQL). One index serves the backlog's age by status.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = ("metrics_decision_day", "metrics_decision_hour", "metrics_handle", "metrics_handle_all", "metrics_case_first",
          "metrics_sla", "metrics_flow", "metrics_exposure", "metrics_folded")  # fmt: skip


def _text(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.String(64), primary_key=True)


def _count(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.BigInteger(), nullable=False, server_default="0")


def upgrade() -> None:
    key = (_text("day"), _text("channel"), _text("category"))
    op.create_table(
        "metrics_decision_day", *key, _text("action"), _text("policy"),
        sa.Column("is_final", sa.Integer(), primary_key=True), sa.Column("is_override", sa.Integer(), primary_key=True),
        _count("n"), _count("undone"), _count("undo_plain"), _count("undo_over"),
    )  # fmt: skip
    op.create_table(
        "metrics_decision_hour", *(sa.Column(c.name, c.type, primary_key=True) for c in key),
        sa.Column("hour", sa.Integer(), primary_key=True), _count("n"),
    )  # fmt: skip
    op.create_table(
        "metrics_handle", *(sa.Column(c.name, c.type, primary_key=True) for c in key), _text("action"),
        sa.Column("bucket", sa.Integer(), primary_key=True), _count("n"),
    )  # fmt: skip
    op.create_table(
        "metrics_handle_all", _text("day"), _text("action"), sa.Column("bucket", sa.Integer(), primary_key=True),
        _count("n"),
    )  # fmt: skip
    op.create_table(
        "metrics_case_first",
        sa.Column("case_id", sa.Uuid(), primary_key=True),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "metrics_sla", *(sa.Column(c.name, c.type, primary_key=True) for c in key),
        sa.Column("priority", sa.Integer(), primary_key=True), sa.Column("hour", sa.Integer(), primary_key=True),
        _count("cases"), _count("decided"), _count("met"),
    )  # fmt: skip
    op.create_table(
        "metrics_flow", *(sa.Column(c.name, c.type, primary_key=True) for c in key), _count("inflow"), _count("outflow"),
    )  # fmt: skip
    op.create_table(
        "metrics_exposure", _text("day"), sa.Column("reviewer_id", sa.Uuid(), primary_key=True),
        _count("reveals"), sa.Column("weighted_ms", sa.Float(), nullable=False, server_default="0"),
    )  # fmt: skip
    op.create_table("metrics_folded", _text("tbl"), sa.Column("id", sa.Uuid(), primary_key=True))
    op.create_index("ix_case_status_created", "case", ["status", "created_at"])
    op.create_index("ix_case_sla_deadline", "case", ["sla_deadline"])


def downgrade() -> None:
    op.drop_index("ix_case_sla_deadline", "case")
    op.drop_index("ix_case_status_created", "case")
    for name in reversed(TABLES):
        op.drop_table(name)
