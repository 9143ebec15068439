"""Rows re-made from audit snapshots, and audit events moved between databases as plain mappings.

A snapshot (``reviewer.audit.snapshots``) holds every column of a row as JSON (UUIDs as text, datetimes
as UTC ISO 8601); :func:`row_values` turns it back into column values for an insert. Events travel
(push, work-pack return) as mappings of every ``audit_event`` column: :func:`event_values` reads them,
:func:`event_record` checks one that came from elsewhere before it is trusted anywhere.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Row, Table, Uuid, select

from reviewer.audit.chain import event_hash
from reviewer.audit.snapshots import audited_table
from reviewer.models import AuditEvent, table_of

_events = table_of(AuditEvent)
EVENT_COLUMNS = tuple(c.name for c in _events.columns)
#: A workstation's record of rows it pulled (copies of server state: they change nothing when pushed).
PULL_KIND = "sync.pull"
#: What a target derived when it applied a pushed batch (its own chain).
APPLY_KIND = "sync.apply"


class ChainMismatch(Exception):
    """The events cannot continue the target's copy of the chain (a gap, another history), or refer to
    what the target does not hold; nothing of the batch was written."""


class BadEvent(ValueError):
    """An event that is not what it claims: a wrong hash, a missing column, a payload that is not JSON."""


def _as_uuid(value: Any) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def _as_time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def row_values(table: str, snap: Mapping[str, Any]) -> dict[str, Any]:
    """The column values of the row a snapshot of ``table`` describes (only the columns it holds)."""
    columns = audited_table(table).columns
    values: dict[str, Any] = {}
    for name, value in snap.items():
        if name not in columns:
            continue
        kind = columns[name].type
        if isinstance(kind, Uuid):
            values[name] = _as_uuid(value)
        elif isinstance(getattr(kind, "impl", kind), DateTime):
            values[name] = _as_time(value)
        else:
            values[name] = value
    return values


def event_values(row: Row[Any] | Mapping[str, Any]) -> dict[str, Any]:
    """Every column of an ``audit_event`` row as a plain dict."""
    mapping = row._mapping if isinstance(row, Row) else row
    return {name: mapping[name] for name in EVENT_COLUMNS}


def event_record(raw: Mapping[str, Any]) -> dict[str, Any]:
    """An event from elsewhere, typed and checked: its hash must cover its fields (format 2 only: events
    of the first release are never sent). BadEvent otherwise."""
    try:
        values: dict[str, Any] = {
            "id": _as_uuid(raw["id"]),
            "source_id": _as_uuid(raw["source_id"]),
            "seq": int(raw["seq"]),
            "format": int(raw["format"]),
            "created_at": _as_time(raw["created_at"]),
            "actor": str(raw["actor"]),
            "kind": str(raw["kind"]),
            "subject": str(raw["subject"]),
            "payload": str(raw["payload"]),
            "prev_hash": str(raw["prev_hash"]),
            "hash": str(raw["hash"]),
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise BadEvent(f"an audit event is incomplete or malformed ({exc})") from None
    if values["format"] != 2:
        raise BadEvent(f"audit event #{values['seq']} has format {values['format']}, which is never sent")
    expected = event_hash(
        values["source_id"],
        values["seq"],
        values["created_at"],
        values["actor"],
        values["kind"],
        values["subject"],
        values["payload"],
        values["prev_hash"],
    )
    if expected != values["hash"]:
        raise BadEvent(f"audit event #{values['seq']} does not match its hash (altered on the way)")
    return values


def unsent_rows(
    conn: Connection, source_id: uuid.UUID, after_seq: int
) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """The row snapshots of ``source_id``'s events after ``after_seq`` (what the server has not seen, when
    ``after_seq`` is its head), one mapping per event; the pulls' own records left out."""
    payloads = conn.execute(
        select(_events.c.payload).where(
            _events.c.source_id == source_id, _events.c.seq > after_seq, _events.c.kind != PULL_KIND
        )
    ).scalars()
    for payload in payloads:
        yield event_rows({"payload": payload})


def event_rows(event: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The row snapshots an event vouches for, by table ({} when it holds none)."""
    try:
        payload = json.loads(event["payload"])
    except ValueError:
        return {}
    rows = payload.get("rows") if isinstance(payload, dict) else None
    if not isinstance(rows, dict):
        return {}
    return {str(t): [s for s in snaps if isinstance(s, dict) and "id" in s] for t, snaps in rows.items()}


def by_columns(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows grouped by the columns they carry (an executemany needs one column set), order kept within
    each group; snapshots written before a column existed lack it and take its default."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return list(groups.values())


#: Ids per ``IN`` list (well under every database's bound-parameter limit).
IN_CHUNK = 500


def chunks(ids: Sequence[Any], size: int = IN_CHUNK) -> Iterable[Sequence[Any]]:
    for at in range(0, len(ids), size):
        yield ids[at : at + size]


def fetch(conn: Connection, table: Table, column: str, keys: Sequence[Any]) -> list[dict[str, Any]]:
    """Every row of ``table`` whose ``column`` is in ``keys``, as plain dicts."""
    rows: list[dict[str, Any]] = []
    for part in chunks(list(keys)):
        stmt = select(table).where(table.c[column].in_(part))
        rows.extend(dict(r._mapping) for r in conn.execute(stmt))
    return rows


def present_ids(conn: Connection, table: Table, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``ids`` ``table`` holds."""
    found: set[uuid.UUID] = set()
    for part in chunks(sorted(ids)):
        found.update(conn.execute(select(table.c.id).where(table.c.id.in_(part))).scalars())
    return found
