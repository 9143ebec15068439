"""Record tables in the team sync: which they are, in which order they go in, and what they refer to.

A feature's record tables (``reviewer.audit.snapshots.RECORD_MODELS``: investigations, responses, policy
gaps …) are shared generically, with one rule on both sides: **the newest write wins**, by the row's
``updated_at`` when it has one (an older snapshot never overwrites a newer row), else by arrival. Rows are
never deleted (a status or ``removed_at`` says so), so nothing else can conflict.

* Push: the rows of a pushed event's snapshots are upserted on the server (``apply_records``); what the
  server holds afterwards it re-asserts in its own ``sync.apply`` event, so ``verify`` finds every row
  equal to its newest snapshot whichever workstation's write won. Cases and accounts they refer to go to
  the server first (``ship``), accounts matched by platform and handle.
* Pull: the server's change log names them like any pulled table (their migration adds the trigger:
  ``reviewer.storage.changelog``); rows this workstation changed and has not pushed yet keep the local
  value; cases they refer to are pulled even outside the workstation's queues (``pull_records``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from sqlalchemy import Table

from reviewer.audit.snapshots import RECORD_TABLES, audited_table
from reviewer.models import Base

#: Tables a record may refer to that are not record tables themselves, and how each side resolves them.
CASE_LIKE = ("case", "item")


@cache
def record_tables() -> tuple[str, ...]:
    """The record tables in foreign-key order (a row's referenced records go in first)."""
    order = [t.name for t in Base.metadata.sorted_tables]
    return tuple(sorted(RECORD_TABLES, key=order.index))


def table(name: str) -> Table:
    return audited_table(name)


@cache
def references(name: str) -> tuple[tuple[str, str], ...]:
    """``(column, referenced table)`` of each foreign key of record table ``name`` (to an ``id``)."""
    found = []
    for column in table(name).columns:
        for fk in column.foreign_keys:
            found.append((column.name, fk.column.table.name))
    return tuple(found)


def referenced_ids(rows: Mapping[str, Iterable[Mapping[str, Any]]], target: str) -> set[uuid.UUID]:
    """Every id of ``target`` the record rows (by table; snapshots or row values) refer to."""
    found: set[uuid.UUID] = set()
    for name, values in rows.items():
        if name not in RECORD_TABLES:
            continue
        columns = [c for c, t in references(name) if t == target]
        for row in values:
            for column in columns:
                value = row.get(column)
                if value is not None:
                    found.add(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
    return found


def newer_kept(found: Mapping[str, Any] | None, incoming: Mapping[str, Any]) -> bool:
    """True when the row held (``found``) is newer than ``incoming`` by ``updated_at`` and stays."""
    if found is None:
        return False
    held, new = found.get("updated_at"), incoming.get("updated_at")
    return held is not None and new is not None and held > new


def map_columns(name: str, row: dict[str, Any], target: str, mapping: Mapping[uuid.UUID, uuid.UUID]) -> None:
    """Rewrite ``row``'s references to ``target`` through ``mapping`` (ids one side holds under another)."""
    if not mapping:
        return
    for column, t in references(name):
        if t == target and row.get(column) in mapping:
            row[column] = mapping[row[column]]
