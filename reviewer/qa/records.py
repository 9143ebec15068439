"""Writing a QA record row with its audit event (a snapshot of the whole row), on the caller's connection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from reviewer.audit.chain import append_event_core
from reviewer.audit.snapshots import snapshot


def audit_rows(
    conn: Connection,
    *,
    actor: str,
    kind: str,
    table: str,
    rows: Sequence[Mapping[str, Any]],
    subject: str = "",
) -> None:
    """One audit event vouching for ``rows`` of ``table`` (the chain is locked by the caller)."""
    append_event_core(
        conn,
        actor=actor,
        kind=kind,
        subject=subject or (str(rows[0]["id"]) if rows else ""),
        rows={table: [snapshot(table, dict(r)) for r in rows]},
        locked=True,
    )
