"""Row snapshots: what an audit event vouches for, every column of the rows it records.

An event's payload carries ``{"rows": {table: [snapshot, ...]}}``. A snapshot holds every column of the
table (for ``case`` only its state columns: status, tier, claim and ``state_seq``), so ``verify`` can
compare each row with the newest snapshot of it. A migration that adds a column to an audited table must
either write new snapshots of the existing rows or declare the value it gives them in
:data:`ADDED_COLUMNS`: a snapshot written before the column existed covers it only at that value. Anything
else (a column no snapshot covers, a declared column edited later) is reported by ``verify``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table

from reviewer.models import (
    Appeal,
    Case,
    Decision,
    Investigation,
    InvestigationMember,
    InvestigationNote,
    PolicyGap,
    PolicyPackSeen,
    PolicyPackSource,
    PolicyPackVersion,
    QaRate,
    QaReview,
    Response,
    Reviewer,
    ReviewSession,
    SorAmendment,
)

CASE_STATE_COLUMNS = ("id", "status", "tier", "claimed_by", "claim_expires_at", "state_seq")
INITIAL_CASE_STATE = {
    "status": "open",
    "tier": 1,
    "claimed_by": None,
    "claim_expires_at": None,
    "state_seq": 0,
}

#: Record tables of feature packages (investigations, responses, policy gaps …): rows a workstation writes,
#: each write audited with a snapshot of every column, never deleted (a status or a ``removed_at`` column
#: instead). The team sync shares them generically: pushed by their newest snapshot, pulled through the
#: server's change log (their migration calls ``reviewer.storage.changelog.log_changes``). A feature adds
#: its models here.
RECORD_MODELS: tuple[Any, ...] = (
    Investigation,
    InvestigationMember,
    InvestigationNote,
    Response,
    PolicyGap,
    PolicyPackSource,
    PolicyPackSeen,
    SorAmendment,
    QaRate,
    QaReview,
    Appeal,
)

_models: tuple[Any, ...] = (Decision, Reviewer, PolicyPackVersion, ReviewSession, Case, *RECORD_MODELS)
_tables: dict[str, Table] = {m.__tablename__: m.__table__ for m in _models}
#: The record tables by name (see RECORD_MODELS).
RECORD_TABLES: tuple[str, ...] = tuple(m.__tablename__ for m in RECORD_MODELS)
#: Audited table → the columns its snapshots hold.
AUDITED_COLUMNS: dict[str, tuple[str, ...]] = {
    name: CASE_STATE_COLUMNS if name == "case" else tuple(c.name for c in table.columns)
    for name, table in _tables.items()
}

#: Columns added after snapshots were written without them → the value the migration gave existing rows.
ADDED_COLUMNS: dict[str, dict[str, Any]] = {
    "decision": {"rationale": "", "to_tier": None, "bulk_id": None},  # schema 0006
}


def covered_by(table: str, snap: dict[str, Any], recorded: frozenset[str]) -> dict[str, Any]:
    """``snap`` (a current row) as a snapshot with only the ``recorded`` columns would hold it: a column
    added later is dropped while it holds its declared value, and kept (so it differs) otherwise."""
    added = ADDED_COLUMNS.get(table, {})
    return {k: v for k, v in snap.items() if k in recorded or k not in added or v != added[k]}


_PLAIN = frozenset({str, int, bool, float})


def jsonable(value: Any) -> Any:
    """One column value as JSON: UUIDs as text, datetimes as UTC ISO 8601."""
    if value is None or type(value) in _PLAIN:  # most values: first, without isinstance
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC).isoformat()
    return value


def snapshot(table: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Every audited column of one row of ``table``; KeyError if ``values`` lacks one (a bug)."""
    return {name: jsonable(values[name]) for name in AUDITED_COLUMNS[table]}


def audited_table(name: str) -> Table:
    return _tables[name]
