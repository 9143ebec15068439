"""Cases that exist only on this workstation (imported here) go to the server before decisions on them.

The same holds for the cases and accounts that records (investigations, responses …) name.

A pushed decision must find its case on the server. Before each push batch, the cases its decisions
name that the server lacks are copied there in one transaction: the case row (its texts opened from
this workstation's vault: the server stores them as a server stores texts), its items, its channel and
account (matched by code and by platform and handle when the server already has them under other ids),
and its media bytes (``BlobStore``: ``media_blob``, checked against their content hash). The server's triggers log
them, so other workstations pull them like any case.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, insert, select

from reviewer.audit.snapshots import RECORD_TABLES
from reviewer.media.blobs import BlobStore
from reviewer.models import Account, Case, Channel, Item, table_of
from reviewer.storage.database import Database
from reviewer.sync.records import referenced_ids
from reviewer.sync.rows import event_rows
from reviewer.vault.opening import media_store_of, open_vault
from reviewer.vault.state import without_local

_cases = table_of(Case)
_items = table_of(Item)
_channels = table_of(Channel)
_accounts = table_of(Account)


def decided_cases(events: Iterable[Mapping[str, Any]]) -> set[uuid.UUID]:
    """The cases the decisions in ``events`` are about."""
    found = set()
    for event in events:
        for snap in event_rows(event).get("decision", []):
            try:
                found.add(uuid.UUID(str(snap["case_id"])))
            except (KeyError, ValueError):
                continue
    return found


def _record_rows(events: Iterable[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        for name, snaps in event_rows(event).items():
            if name in RECORD_TABLES:
                rows.setdefault(name, []).extend(snaps)
    return rows


def cases_to_ship(local: Database, events: Sequence[Mapping[str, Any]]) -> set[uuid.UUID]:
    """The cases the decisions and records in ``events`` name (an item named: its case)."""
    records = _record_rows(events)
    found = decided_cases(events) | referenced_ids(records, "case")
    items = sorted(referenced_ids(records, "item"))
    if items:
        with local.read() as session:
            found.update(session.execute(select(_items.c.case_id).where(_items.c.id.in_(items))).scalars())
    return found


def ship_accounts(
    local: Database, server: Database, events: Sequence[Mapping[str, Any]]
) -> dict[uuid.UUID, uuid.UUID]:
    """The accounts records in ``events`` name, on the server: this copy's id → the server's (matched by
    platform and handle; copied when the server lacks them)."""
    wanted = sorted(referenced_ids(_record_rows(events), "account"))
    if not wanted:
        return {}
    with local.read() as session:
        rows = [
            dict(r._mapping) for r in session.execute(select(_accounts).where(_accounts.c.id.in_(wanted)))
        ]
    mapping: dict[uuid.UUID, uuid.UUID] = {}
    with server.write() as session:
        conn = session.connection()
        for account in rows:
            here = _account_here(conn, account)
            if here != account["id"]:
                mapping[account["id"]] = here
    return mapping


def ship_missing_cases(local: Database, server: Database, case_ids: set[uuid.UUID]) -> int:
    """Copy the cases of ``case_ids`` the server lacks; returns how many were copied."""
    if not case_ids:
        return 0
    with server.read() as session:
        present = set(session.execute(select(_cases.c.id).where(_cases.c.id.in_(sorted(case_ids)))).scalars())
    missing = sorted(case_ids - present)
    if not missing:
        return 0
    vault = open_vault(local)
    with local.read() as session:
        conn = session.connection()
        cases = [dict(r._mapping) for r in conn.execute(select(_cases).where(_cases.c.id.in_(missing)))]
        items = [dict(r._mapping) for r in conn.execute(select(_items).where(_items.c.case_id.in_(missing)))]
        channels = {r.id: dict(r._mapping) for r in conn.execute(select(_channels))}
        account_ids = {c["account_id"] for c in cases if c["account_id"] is not None}
        accounts = {
            r.id: dict(r._mapping)
            for r in conn.execute(select(_accounts).where(_accounts.c.id.in_(account_ids)))
        }
    if vault is not None:
        cases = [vault.open_row("case", c) for c in cases]
        items = [vault.open_row("item", i) for i in items]
    for case in cases:
        without_local("case", case)
        case.update(status="open", tier=1, claimed_by=None, claim_expires_at=None, state_seq=0)
    store, blobs = media_store_of(local), BlobStore(server)
    for sha in sorted({i["media_sha256"] for i in items if i["media_sha256"]}):
        # Media first, each its own small write (named by content: harmless if the cases then fail).
        if not blobs.has(sha) and blobs.put_bytes(store.read(sha)) != sha:
            raise ValueError(f"media {sha[:12]}… does not match its content hash")
    with server.write() as session:
        conn = session.connection()
        for case in cases:
            case["channel_id"] = _channel_here(conn, channels[case["channel_id"]])
            if case["account_id"] is not None:
                case["account_id"] = _account_here(conn, accounts[case["account_id"]])
        conn.execute(insert(_cases), cases)
        if items:
            conn.execute(insert(_items), items)
    return len(cases)


def _channel_here(conn: Connection, channel: Mapping[str, Any]) -> uuid.UUID:
    found = conn.execute(select(_channels.c.id).where(_channels.c.code == channel["code"])).scalar()
    if found is not None:
        return found
    conn.execute(insert(_channels).values(**channel))
    return channel["id"]


def _account_here(conn: Connection, account: Mapping[str, Any]) -> uuid.UUID:
    found = conn.execute(
        select(_accounts.c.id).where(
            _accounts.c.platform == account["platform"], _accounts.c.handle == account["handle"]
        )
    ).scalar()
    if found is not None:
        return found
    conn.execute(insert(_accounts).values(**account))
    return account["id"]
