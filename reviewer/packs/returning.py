"""Return files: this workstation's audit chain (the rows are in its events' snapshots) plus its reveal
and break records, for the origin of a work pack; and their import at the origin through
``reviewer.sync.apply.apply_chain``, once per pack."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update

from reviewer.audit.snapshots import jsonable
from reviewer.models import AuditEvent, BreakRecord, RevealEvent, SyncState, table_of
from reviewer.packs.body import put_record, records
from reviewer.packs.cipher import PackDamaged, PackError, PackReader, PackWriter
from reviewer.packs.export import EXPORTED_KEY
from reviewer.packs.opening import OPENED_KEY
from reviewer.storage.database import Database
from reviewer.sync.state import get_value, set_value
from reviewer.workstation import workstation_id

Progress = Callable[[str, int, int], None] | None
RETURNED_KEY = "pack_return:"  # + pack id → JSON {decisions, events}
_events = table_of(AuditEvent)
_extra = {"reveal": table_of(RevealEvent), "break": table_of(BreakRecord)}
_UUIDS = {"id", "source_id", "reviewer_id", "session_id", "case_id", "item_id"}
_TIMES = {"created_at", "started_at", "ended_at"}


class AlreadyReturned(PackError):
    """Not a mistake: the return is in already (``decisions``: how many it brought)."""

    def __init__(self, pack_id: str, decisions: int) -> None:
        super().__init__(f"this return was already imported ({decisions} decisions); nothing written")
        self.pack_id, self.decisions = pack_id, decisions


@dataclass(frozen=True)
class ReturnReport:
    pack_id: uuid.UUID
    events: int
    decisions: int
    applied: int
    conflicts: int
    records: int


def opened_packs(db: Database) -> list[str]:
    """Ids of the work packs opened here, oldest first."""
    table = table_of(SyncState)
    with db.read() as session:
        rows = session.execute(
            select(table.c.key).where(table.c.key.like(OPENED_KEY + "%")).order_by(table.c.updated_at)
        ).scalars()
        return [key[len(OPENED_KEY) :] for key in rows]


def write_return(
    db: Database, path: Path, *, passphrase: str, pack_id: str | None = None, progress: Progress = None
) -> tuple[str, int]:
    """Write the return of ``pack_id`` (the only pack opened here by default); returns (pack id, events)."""
    opened = opened_packs(db)
    if pack_id is None:
        if not opened:
            raise PackError("no work pack was opened in this database: nothing to return")
        if len(opened) > 1:
            raise PackError(
                f"several work packs were opened here; name one with --pack ({', '.join(opened)})"
            )
        pack_id = opened[0]
    elif pack_id not in opened:
        raise PackError(f"work pack {pack_id} was not opened in this database")
    source = workstation_id()
    with PackWriter(path, "return", passphrase) as out, db.read() as session:
        conn = session.connection()
        total = (
            conn.execute(
                select(_events.c.seq).where(_events.c.source_id == source).order_by(_events.c.seq.desc())
            ).scalar()
            or 0
        )
        put_record(out, {"t": "return", "pack_id": pack_id, "source_id": str(source), "events": total})
        rows = conn.execute(select(_events).where(_events.c.source_id == source).order_by(_events.c.seq))
        for n, row in enumerate(rows, 1):
            put_record(out, {"t": "event", **{k: jsonable(v) for k, v in row._mapping.items()}})
            if progress and n % 500 == 0:
                progress("return", n, total)
        extra = 0
        for kind, table in _extra.items():
            for row in conn.execute(select(table).order_by(table.c.id)):
                put_record(out, {"t": kind, **{k: jsonable(v) for k, v in row._mapping.items()}})
                extra += 1
        put_record(out, {"t": "end", "events": total, "records": extra})
        out.commit()
    return pack_id, total


def _typed(raw: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in raw.items():
        if key == "t":
            continue
        if value is not None and key in _UUIDS:
            value = uuid.UUID(value)
        elif value is not None and key in _TIMES:
            value = datetime.fromisoformat(value).astimezone(UTC)
        out[key] = value
    return out


def _read(
    reader: PackReader,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[tuple[str, dict[str, Any]]]]:
    meta: dict[str, Any] = {}
    events: list[dict[str, Any]] = []
    extra: list[tuple[str, dict[str, Any]]] = []
    ended = False
    try:
        for record, _blob in records(reader.plain_chunks()):
            kind = record["t"]
            if ended or (not meta and kind != "return"):
                raise PackDamaged("the return's content is damaged (records out of place)")
            if kind == "return":
                meta = record
            elif kind == "event":
                events.append(_typed(record))
            elif kind in _extra:
                extra.append((kind, _typed(record)))
            elif kind == "end":
                ended = record.get("events") == len(events) and record.get("records") == len(extra)
                if not ended:
                    raise PackDamaged("the return's content is damaged (its counts)")
            else:
                raise PackDamaged("the return's content is damaged (an unknown record)")
        source = uuid.UUID(meta["source_id"])
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        if isinstance(exc, PackError):
            raise
        raise PackDamaged(
            "the return's content is damaged (a record lacks a field or has a bad value)"
        ) from None
    if not ended:
        raise PackDamaged("the return's content is damaged (no end record)")
    if any(e.get("source_id") != source for e in events):
        raise PackDamaged("the return's content is damaged (events of another workstation)")
    return meta, events, extra


def _check_known(conn: Connection, pack_id: str) -> None:
    if get_value(conn, EXPORTED_KEY + pack_id) is None:
        raise PackError(f"this is the return of work pack {pack_id}, which this database did not export")
    done = get_value(conn, RETURNED_KEY + pack_id)
    if done is not None:
        raise AlreadyReturned(pack_id, int(json.loads(done).get("decisions", 0)))


def import_return(db: Database, reader: PackReader, *, progress: Progress = None) -> ReturnReport:
    """Check, then apply the returned chain and upsert the reveal and break records; once per pack."""
    from reviewer.sync.apply import ChainMismatch, apply_chain
    from reviewer.sync.push import _break_fits, _reveal_fits
    from reviewer.sync.rows import BadEvent

    reader.check()
    with db.read() as session:  # before reading it all: a wrong or repeated return costs little
        _check_known(session.connection(), str(_first_pack_id(reader)))
    meta, events, extra = _read(reader)
    pack_id = str(meta["pack_id"])
    try:
        report = apply_chain(db, events, progress=progress)
    except ChainMismatch as exc:
        raise PackError(f"the returned audit chain does not continue this database's copy: {exc}") from None
    except BadEvent as exc:
        raise PackDamaged(f"the return's content is damaged: {exc}") from None
    with db.write() as session:
        conn = session.connection()
        _check_known(conn, pack_id)
        fits = {"reveal": _reveal_fits, "break": _break_fits}
        for kind, row in extra:
            table = _extra[kind]
            if not fits[kind](conn, [row]):
                continue  # a row about cases this database does not hold
            if conn.execute(select(table.c.id).where(table.c.id == row["id"])).first() is None:
                conn.execute(insert(table), row)
            else:
                conn.execute(update(table).where(table.c.id == row["id"]).values(**row))
        set_value(
            conn, RETURNED_KEY + pack_id, json.dumps({"decisions": report.decisions, "events": len(events)})
        )
    return ReturnReport(
        uuid.UUID(pack_id), len(events), report.decisions, report.applied, report.conflicts, len(extra)
    )


def _first_pack_id(reader: PackReader) -> str:
    for record, _blob in records(reader.plain_chunks()):
        if record.get("t") != "return":
            break
        return str(record.get("pack_id"))
    raise PackDamaged("the return's content is damaged (it does not start with its description)")
