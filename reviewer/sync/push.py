"""Push: this workstation's chain (and the rows it vouches for) to the server, then exposure and breaks.

The server's copy of the chain says where to resume: events after its head are sent in batches, each
applied in one server transaction (``reviewer.sync.apply``). A kill at any instant leaves every batch
either whole on the server or absent, and the next push resumes after what is there; a resend is
harmless (events and rows carry their ids). Reveal events and breaks are not in the chain: they are
upserted by id (a break's end arrives later), resumed from a local cursor moved only after the server
committed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Table, func, literal_column, select, update

from reviewer.audit.checkpoints import write_checkpoint
from reviewer.clock import utcnow
from reviewer.models import AuditEvent, BreakRecord, Case, Item, RevealEvent, ReviewSession, table_of
from reviewer.storage.database import Database
from reviewer.sync.apply import ApplyReport, Progress, apply_chain, source_head
from reviewer.sync.rows import event_values, present_ids, unsent_rows
from reviewer.sync.ship import cases_to_ship, ship_accounts, ship_missing_cases
from reviewer.sync.state import get_value, set_value
from reviewer.workstation import workstation_id

_events = table_of(AuditEvent)
_reveals = table_of(RevealEvent)
_breaks = table_of(BreakRecord)
_cases = table_of(Case)
_items = table_of(Item)
_sessions = table_of(ReviewSession)

PUSHED_SEQ = "pushed_seq"  # the server's head of this workstation's chain, as the last push left it
REVEAL_CURSOR = "push_reveal_rowid"
BREAK_CURSOR = "push_break_rowid"
#: Breaks are re-sent while they may still change (their end is written when they end).
OPEN_BREAKS = timedelta(days=2)


@dataclass(frozen=True)
class PushReport:
    chain: ApplyReport
    reveals: int = 0
    breaks: int = 0
    cases: int = 0  # cases imported here that went to the server with the first decision on them

    @property
    def events(self) -> int:
        return self.chain.events

    @property
    def decisions(self) -> int:
        return self.chain.decisions

    @property
    def conflicts(self) -> int:
        return self.chain.conflicts


def push(
    local: Database,
    server: Database,
    *,
    source_id: uuid.UUID | None = None,
    progress: Progress | None = None,
    batch: int = 500,
) -> PushReport:
    """Send what the server lacks of this workstation's record; returns what was written there."""
    source = source_id or workstation_id()
    head_seq, _ = source_head(server, source)
    with local.read() as session:
        conn = session.connection()
        last = (
            conn.execute(select(func.max(_events.c.seq)).where(_events.c.source_id == source)).scalar() or 0
        )
    chain = ApplyReport()
    done, shipped = head_seq, 0
    while done < last:
        with local.read() as session:
            rows = session.connection().execute(
                select(_events)
                .where(_events.c.source_id == source, _events.c.seq > done)
                .order_by(_events.c.seq)
                .limit(batch)
            )
            events = [event_values(r) for r in rows]
        if not events:
            break
        shipped += ship_missing_cases(local, server, cases_to_ship(local, events))
        accounts = ship_accounts(local, server, events)
        chain += apply_chain(server, events, batch=batch, account_map=accounts)
        done = events[-1]["seq"]
        if progress is not None:
            progress("decisions and claims", done - head_seq, last - head_seq)
    with local.write() as session:
        set_value(session.connection(), PUSHED_SEQ, str(done))
    reveals = _push_rows(local, server, _reveals, REVEAL_CURSOR, reveal_fits)
    breaks = _push_rows(local, server, _breaks, BREAK_CURSOR, break_fits, resend_open=True)
    if chain.events:
        write_checkpoint(server)  # anchors every chain the server holds, signed by this workstation
    return PushReport(chain, reveals, breaks, shipped)


def reveal_fits(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reveals of cases, items and sessions the server holds (a case imported only here stays here)."""
    cases = present_ids(conn, _cases, {r["case_id"] for r in rows})
    items = present_ids(conn, _items, {r["item_id"] for r in rows if r["item_id"] is not None})
    sessions = present_ids(conn, _sessions, {r["session_id"] for r in rows if r["session_id"] is not None})
    return [
        r
        for r in rows
        if r["case_id"] in cases
        and (r["item_id"] is None or r["item_id"] in items)
        and (r["session_id"] is None or r["session_id"] in sessions)
    ]


def break_fits(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    sessions = present_ids(conn, _sessions, {r["session_id"] for r in rows if r["session_id"] is not None})
    return [r for r in rows if r["session_id"] is None or r["session_id"] in sessions]


def _push_rows(
    local: Database,
    server: Database,
    table: Table,
    cursor_key: str,
    fits: Any,
    *,
    resend_open: bool = False,
    batch: int = 1000,
) -> int:
    """Upsert ``table``'s rows after the local cursor (SQLite rowid: the order they were written) and,
    for breaks, the recent ones that may still change; returns how many the server took."""
    sent, first = 0, True
    while True:
        with local.read() as session:
            conn = session.connection()
            cursor = int(get_value(conn, cursor_key) or 0)
            rid: Any = literal_column("rowid")
            query = select(rid.label("rowid_"), *table.c).where(rid > cursor).order_by(rid).limit(batch)
            rows = [dict(r._mapping) for r in conn.execute(query)]
            if resend_open and first:
                known = {r["id"] for r in rows}
                recent = select(rid.label("rowid_"), *table.c).where(
                    table.c.started_at > utcnow() - OPEN_BREAKS
                )
                rows += [dict(r._mapping) for r in conn.execute(recent) if r.id not in known]
        first = False
        if not rows:
            return sent
        top = max([cursor, *(r.pop("rowid_") for r in rows)])
        sent += _upsert(server, table, fits, rows)
        with local.write() as session:
            set_value(session.connection(), cursor_key, str(top))
        if top == cursor:
            return sent


def _upsert(server: Database, table: Table, fits: Any, rows: list[dict[str, Any]]) -> int:
    with server.write() as session:
        conn = session.connection()
        usable = fits(conn, rows)
        have = {
            r.id: dict(r._mapping)
            for r in conn.execute(select(table).where(table.c.id.in_([r["id"] for r in usable])))
        }
        new = [r for r in usable if r["id"] not in have]
        if new:
            conn.execute(table.insert(), new)
        changed = [r for r in usable if r["id"] in have and have[r["id"]] != r]
        for r in changed:
            conn.execute(update(table).where(table.c.id == r["id"]).values(**r))
    return len(new) + len(changed)


def waiting_decisions(local: Database, source_id: uuid.UUID | None = None) -> int:
    """Decisions written here that the server did not have at the last push (read from the chain's
    events after the pushed head, so a decision is counted exactly once)."""
    source = source_id or workstation_id()
    with local.read() as session:
        conn = session.connection()
        pushed = int(get_value(conn, PUSHED_SEQ) or 0)
        return sum(len(rows.get("decision", [])) for rows in unsent_rows(conn, source, pushed))
