"""Rows of a pull: reading them on the server, and writing them into the working copy.

Reviewers, sessions, policy pack versions, decisions and conflicts are written as they are on the server
(upserts that skip identical rows). Two of them carry a natural key a working copy may already hold under
another id (a reviewer's handle, a pack's ``(pack_id, version)``: each database made its own row before
it ever synced); those keep the local row and the server's id is mapped onto it in what refers to it.
New cases go in through the importer's sink (``reviewer.importing.writing``), so their texts are sealed
and indexed exactly as an import seals them; channels and accounts are matched by their natural keys.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update

from reviewer.audit.snapshots import RECORD_TABLES, audited_table
from reviewer.importing.parsing import utc_text
from reviewer.importing.writing import CASE_COLUMNS, ITEM_COLUMNS
from reviewer.models import (
    Account,
    Case,
    Channel,
    Decision,
    Item,
    PolicyPackVersion,
    Reviewer,
    ReviewSession,
    SyncConflict,
    table_of,
)
from reviewer.sync.records import newer_kept

CASES = table_of(Case)
ITEMS = table_of(Item)
CHANNELS = table_of(Channel)
ACCOUNTS = table_of(Account)
REVIEWERS = table_of(Reviewer)
SESSIONS = table_of(ReviewSession)
DECISIONS = table_of(Decision)
PACK_VERSIONS = table_of(PolicyPackVersion)
CONFLICTS = table_of(SyncConflict)

#: Audited tables with their natural key (None: the id only); the record tables have none.
NATURAL_KEYS: dict[str, tuple[str, ...] | None] = {
    "reviewer": ("handle",),
    "policy_pack_version": ("pack_id", "version"),
    "review_session": None,
    "decision": None,
    "sync_conflict": None,
    **dict.fromkeys(RECORD_TABLES),
}
TABLES: dict[str, Table] = {
    "reviewer": REVIEWERS,
    "policy_pack_version": PACK_VERSIONS,
    "review_session": SESSIONS,
    "decision": DECISIONS,
    "sync_conflict": CONFLICTS,
    **{name: audited_table(name) for name in RECORD_TABLES},
}
class IdMap:
    """Server id → local id, for rows a working copy already held under its own id (same natural key)."""

    def __init__(self) -> None:
        self.reviewer: dict[uuid.UUID, uuid.UUID] = {}
        self.policy_pack_version: dict[uuid.UUID, uuid.UUID] = {}

    def of(self, table: str) -> dict[uuid.UUID, uuid.UUID]:
        return self.reviewer if table == "reviewer" else self.policy_pack_version

    def apply(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        """``row`` with the ids it refers to mapped onto the local rows."""
        if table == "review_session":
            row["reviewer_id"] = self.reviewer.get(row["reviewer_id"], row["reviewer_id"])
        elif table == "decision":
            row["reviewer_id"] = self.reviewer.get(row["reviewer_id"], row["reviewer_id"])
            ppv = row["policy_pack_version_id"]
            row["policy_pack_version_id"] = self.policy_pack_version.get(ppv, ppv) if ppv else None
        return row


def upsert_rows(
    local: Connection, table_name: str, rows: list[dict[str, Any]], ids: IdMap, *, append_only: bool
) -> list[dict[str, Any]]:
    """Write ``rows`` (server values) locally: insert the missing, update the differing (unless
    ``append_only``, or the row here is newer by ``updated_at``: ``records.newer_kept``), skip the
    identical. Returns the rows written."""
    table = TABLES[table_name]
    natural = NATURAL_KEYS[table_name]
    written: list[dict[str, Any]] = []
    for row in rows:
        row = ids.apply(table_name, dict(row))
        current = local.execute(select(table).where(table.c.id == row["id"])).first()
        if current is None and natural is not None:
            clash = local.execute(select(table).where(*(table.c[k] == row[k] for k in natural))).first()
            if clash is not None:  # the same thing under this copy's own id: keep it, map onto it
                ids.of(table_name)[row["id"]] = clash.id
                continue
        if current is None:
            local.execute(insert(table).values(**row))
        elif append_only or dict(current._mapping) == row or newer_kept(dict(current._mapping), row):
            continue
        else:
            local.execute(update(table).where(table.c.id == row["id"]).values(**row))
        written.append(row)
    return written


def case_tuple(row: dict[str, Any]) -> tuple[Any, ...]:
    """A server case row as the importer's sink takes it (``CASE_COLUMNS``, SQLite storage forms)."""
    values = dict(row)
    values["id"] = row["id"].hex
    values["channel_id"] = row["channel_id"].hex
    values["account_id"] = row["account_id"].hex if row["account_id"] else None
    values["sla_deadline"] = utc_text(row["sla_deadline"])
    values["created_at"] = utc_text(row["created_at"])
    values["scores"] = json.dumps(row["scores"])
    due = row.get("response_due_at")
    values["response_due_at"] = None if due is None else utc_text(due)  # schema 0012
    values.setdefault("requester", None)
    return tuple(values[c] for c in CASE_COLUMNS)


def item_tuple(row: dict[str, Any]) -> tuple[Any, ...]:
    values = dict(row, id=row["id"].hex, case_id=row["case_id"].hex)
    return tuple(values[c] for c in ITEM_COLUMNS)


def account_tuple(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        row["id"].hex,
        row["platform"],
        row["handle"],
        json.dumps(row["risk_flags"]),
        row["risk_score"],
        utc_text(row["created_at"]),
    )


def channel_tuple(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["id"].hex, row["code"], row["name"])
