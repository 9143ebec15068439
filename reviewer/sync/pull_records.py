"""Record rows of a pull (investigations, responses …) written into the working copy.

The rule is in ``reviewer.sync.records``. What a row refers to comes first: the cases it names (or whose
items it names) are pulled even outside this workstation's queues, with their items, media and
decisions; reviewers, sessions and pack versions as decisions pull theirs; accounts are matched by
platform and handle; records it refers to that this copy lacks are fetched too. A row this workstation
changed and has not pushed yet keeps the local value; a row whose case this copy holds under another id
(imported here on its own) is left out.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from reviewer.audit.snapshots import RECORD_TABLES, snapshot
from reviewer.importing.writing import sink_for
from reviewer.sync import pull_rows as R
from reviewer.sync.records import map_columns, record_tables, referenced_ids, references, table
from reviewer.sync.rows import fetch, present_ids

if TYPE_CHECKING:
    from reviewer.sync.pull_writer import Apply, PullWriter, Step

Snaps = dict[str, list[dict[str, Any]]]


def _case_ids(p: PullWriter, rows: dict[str, list[dict[str, Any]]]) -> set[uuid.UUID]:
    found = referenced_ids(rows, "case")
    items = referenced_ids(rows, "item")
    if items:
        found.update(r["case_id"] for r in fetch(p.server, R.ITEMS, "id", list(items)))
    return found


def _with_referenced_records(
    p: PullWriter, name: str, rows: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """``rows`` of ``name`` and, table by table, the records they refer to that this copy lacks."""
    out: dict[str, list[dict[str, Any]]] = {name: rows}
    with p.local.read() as session:
        conn = session.connection()
        for column, target in references(name):
            if target not in RECORD_TABLES:
                continue
            ids = {r[column] for r in rows if r[column] is not None}
            t = table(target)
            ids -= present_ids(conn, t, ids)
            fetched = fetch(p.server, t, "id", sorted(ids))
            if fetched:
                for key, value in _with_referenced_records(p, target, fetched).items():
                    out.setdefault(key, []).extend(value)
    return out


def record_step(p: PullWriter, name: str, ids: Sequence[str]) -> Step:
    """One batch of ``name``'s changed rows (server ids)."""

    def prepare() -> Apply:
        fetched = fetch(p.server, table(name), "id", [uuid.UUID(i) for i in ids])
        rows = _with_referenced_records(p, name, fetched)
        wanted_cases = _case_ids(p, rows)
        with p.local.read() as session:
            missing = wanted_cases - p.local_case_ids(session.connection(), wanted_cases)
        case_apply = None
        if missing:
            p.forced_cases |= missing
            case_apply = p.cases([str(i) for i in sorted(missing)])()

        def apply(session: Any, conn: Connection) -> Snaps:
            snaps: Snaps = case_apply(session, conn) if case_apply is not None else {}
            local_cases = p.local_case_ids(conn, wanted_cases)
            for target in (t for t in record_tables() if t in rows):
                for key, value in _write(p, session, conn, target, rows[target], local_cases).items():
                    snaps.setdefault(key, []).extend(value)
            return snaps

        return apply

    return prepare


def _write(
    p: PullWriter,
    session: Any,
    conn: Connection,
    name: str,
    rows: list[dict[str, Any]],
    cases: set[uuid.UUID],
) -> Snaps:
    snaps = p.referenced(conn, name, rows)
    accounts = referenced_ids({name: rows}, "account")
    if accounts:
        mapped, missing = p.match(conn, R.ACCOUNTS, ("platform", "handle"), accounts)
        if missing:
            sink_for(session, p.vault).write([], [R.account_tuple(a) for a in missing], [], [])
    else:
        mapped = {}
    items_here: set[uuid.UUID] = set()
    items = sorted(referenced_ids({name: rows}, "item"))
    if items:
        items_here = set(conn.execute(select(R.ITEMS.c.id).where(R.ITEMS.c.id.in_(items))).scalars())
    usable = []
    for server_row in rows:
        row = dict(server_row)
        if (name, row["id"]) in p.unpushed_records:
            p.counts["skipped_unpushed"] += 1
            continue
        map_columns(name, row, "account", mapped)
        map_columns(name, row, "reviewer", p.ids.reviewer)
        map_columns(name, row, "policy_pack_version", p.ids.policy_pack_version)
        named_cases = referenced_ids({name: [row]}, "case")
        named_items = referenced_ids({name: [row]}, "item")
        if named_cases <= cases and named_items <= items_here:
            usable.append(row)
        # else: its case is held here under another id (imported here on its own): left out
    written = R.upsert_rows(conn, name, usable, p.ids, append_only=False)
    p.counts["records"] += len(written)
    if written:
        snaps.setdefault(name, []).extend(snapshot(name, r) for r in written)
    return snaps
