"""audit chains per source, checkpoints, full-row audit records, lease state, roles, pack content hash

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

Existing data is carried over: the old single chain becomes the "legacy" source's chain (format 1, still
verified by its old rule), the migration checks it once and records any problem it finds, then seals
every existing reviewer, pack version, session, decision and non-initial case state again in the current
format under a "migration" source, so ``verify`` covers every column of the old rows too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import reviewer.models.types
from reviewer.audit.chain import GENESIS, build_event, canonical
from reviewer.audit.legacy import legacy_check
from reviewer.audit.snapshots import jsonable

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC_DT = reviewer.models.types.UTCDateTime
CHUNK = 500

# The audited rows as they are at this revision (frozen here: later models may have more columns).
_TABLES: dict[str, sa.TableClause] = {
    "reviewer": sa.table(
        "reviewer",
        sa.column("id", sa.Uuid()),
        sa.column("handle", sa.String()),
        sa.column("display_name", sa.String()),
        sa.column("created_at", UTC_DT()),
        sa.column("role", sa.String()),
    ),
    "policy_pack_version": sa.table(
        "policy_pack_version",
        sa.column("id", sa.Uuid()),
        sa.column("pack_id", sa.String()),
        sa.column("version", sa.String()),
        sa.column("sha256", sa.String()),
        sa.column("loaded_at", UTC_DT()),
    ),
    "review_session": sa.table(
        "review_session",
        sa.column("id", sa.Uuid()),
        sa.column("reviewer_id", sa.Uuid()),
        sa.column("started_at", UTC_DT()),
        sa.column("ended_at", UTC_DT()),
        sa.column("host", sa.String()),
        sa.column("source_id", sa.Uuid()),
    ),
    "decision": sa.table(
        "decision",
        sa.column("id", sa.Uuid()),
        sa.column("case_id", sa.Uuid()),
        sa.column("reviewer_id", sa.Uuid()),
        sa.column("session_id", sa.Uuid()),
        sa.column("action", sa.String()),
        sa.column("policy_code", sa.String()),
        sa.column("policy_pack_version_id", sa.Uuid()),
        sa.column("policy_version", sa.String()),
        sa.column("note", sa.Text()),
        sa.column("tier", sa.Integer()),
        sa.column("handle_ms", sa.Integer()),
        sa.column("revealed", sa.Boolean()),
        sa.column("reverses_id", sa.Uuid()),
        sa.column("client_seq", sa.Integer()),
        sa.column("created_at", UTC_DT()),
        sa.column("policy_sha256", sa.String()),
    ),
}
_case = sa.table(
    "case",
    sa.column("id", sa.Uuid()),
    sa.column("status", sa.String()),
    sa.column("tier", sa.Integer()),
    sa.column("claimed_by", sa.Uuid()),
    sa.column("claim_expires_at", UTC_DT()),
    sa.column("state_seq", sa.Integer()),
)
_events = sa.table(
    "audit_event",
    sa.column("id", sa.Uuid()),
    sa.column("source_id", sa.Uuid()),
    sa.column("seq", sa.Integer()),
    sa.column("format", sa.Integer()),
    sa.column("created_at", UTC_DT()),
    sa.column("actor", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("subject", sa.String()),
    sa.column("payload", sa.Text()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)
_sources = sa.table(
    "audit_source",
    sa.column("id", sa.Uuid()),
    sa.column("kind", sa.String()),
    sa.column("host", sa.String()),
    sa.column("created_at", UTC_DT()),
)


def _schema() -> None:
    op.create_table(
        "audit_source",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("host", sa.String(length=128), nullable=False),
        sa.Column("created_at", UTC_DT(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_source")),
    )
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC_DT(timezone=True), nullable=False),
        sa.Column("signer_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("heads", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoint")),
    )
    with op.batch_alter_table("reviewer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=16), server_default="reviewer", nullable=False)
        )
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state_seq", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("review_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_id", sa.Uuid(), nullable=True))
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("policy_sha256", sa.String(length=64), nullable=True))
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("format", sa.Integer(), server_default="2", nullable=False))


def _finish_event_schema() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.alter_column("source_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_constraint("uq_audit_event_seq", type_="unique")
        batch_op.create_unique_constraint("uq_audit_event_source_seq", ["source_id", "seq"])


def _rows(conn: sa.Connection, table: str) -> Iterator[dict[str, Any]]:
    t = _TABLES[table]
    for row in conn.execute(sa.select(t)):
        yield {k: jsonable(v) for k, v in row._mapping.items()}


def _prepare(conn: sa.Connection, legacy_source: uuid.UUID | None) -> list[tuple[str, dict[str, Any]]]:
    """Check the old chain, move it to its source, fill the new columns; returns the seal events."""
    head, problem = legacy_check(conn) if legacy_source else (None, None)
    if legacy_source:
        conn.execute(sa.update(_events).values(source_id=legacy_source, format=1))
    conn.execute(
        sa.update(_case)
        .where(sa.or_(_case.c.status != "open", _case.c.tier != 1, _case.c.claimed_by.is_not(None)))
        .values(state_seq=1)
    )
    conn.execute(
        sa.text(
            "UPDATE decision SET policy_sha256 = (SELECT p.sha256 FROM policy_pack_version p"
            " WHERE p.id = decision.policy_pack_version_id) WHERE policy_pack_version_id IS NOT NULL"
        )
    )
    batches: list[tuple[str, dict[str, Any]]] = [
        (
            "legacy_seal",
            {
                "legacy_source": str(legacy_source) if legacy_source else None,
                "legacy_head": list(head) if head else None,
                "legacy_problem": problem,
            },
        )
    ]
    for table in _TABLES:
        chunk: list[dict[str, Any]] = []
        for snap in _rows(conn, table):
            chunk.append(snap)
            if len(chunk) >= CHUNK:
                batches.append(("migration_seal", {"rows": {table: chunk}}))
                chunk = []
        if chunk:
            batches.append(("migration_seal", {"rows": {table: chunk}}))
    states: list[dict[str, Any]] = []
    for row in conn.execute(sa.select(_case).where(_case.c.state_seq > 0)):
        states.append({k: jsonable(v) for k, v in row._mapping.items()})
        if len(states) >= CHUNK:
            batches.append(("migration_seal", {"rows": {"case": states}}))
            states = []
    if states:
        batches.append(("migration_seal", {"rows": {"case": states}}))
    if len(batches) == 1 and legacy_source is None:
        return []  # an empty database: nothing to seal
    return batches


def _seal(conn: sa.Connection, batches: list[tuple[str, dict[str, Any]]]) -> None:
    """Record every existing audited row again, in the current format, as the migration source's chain."""
    if not batches:
        return
    source = uuid.uuid4()
    now = datetime.now(UTC)
    conn.execute(sa.insert(_sources).values(id=source, kind="migration", host="schema 0003", created_at=now))
    prev = GENESIS
    for seq, (kind, payload) in enumerate(batches, start=1):
        values = build_event(
            source_id=source,
            seq=seq,
            prev=prev,
            created_at=now,
            actor="migration",
            kind=kind,
            subject="schema 0003",
            payload=canonical(payload),
        )
        conn.execute(sa.insert(_events).values(**values))
        prev = values["hash"]


def upgrade() -> None:
    _schema()
    conn = op.get_bind()
    legacy_source = None
    if conn.execute(sa.select(sa.func.count()).select_from(_events)).scalar():
        legacy_source = uuid.uuid4()
        conn.execute(
            sa.insert(_sources).values(
                id=legacy_source, kind="legacy", host="before schema 0003", created_at=datetime.now(UTC)
            )
        )
    # Check the old chain before any of its rows change (the legacy rule reads them as they were).
    batches = _prepare(conn, legacy_source)
    _finish_event_schema()
    _seal(conn, batches)


def downgrade() -> None:
    raise NotImplementedError("schema 0003 cannot be downgraded: it re-seals the audit log")
