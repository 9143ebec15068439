"""Applying a pushed chain to a target database: the team server, or the origin of a work pack's return.

A workstation's audit events arrive verbatim (same id, source, seq and hash) and continue the target's
copy of that chain. The rows they vouch for are re-made from their snapshots, and the decisions among
them are applied to the cases under the same rules a local decision follows, inside one transaction
per batch:

* A decision is applied when the case is still as the workstation saw it: not closed by a decision of
  another workstation, and at the tier the decision was made at. Otherwise it is **kept but not
  applied**: the row is inserted and a ``sync_conflict`` names it and the decision that stands, for a
  lead to settle (``reviewer.sync.conflicts``). Nothing is overwritten, nothing is lost.
* An undo applies when the decision it reverses stands; the undo of a decision that was kept as a
  conflict withdraws that conflict.
* A claim, renewal or release applies when the case is workable and free, expired, or held by the same
  workstation.
* The workstation's own review sessions are updated (their end); anything else it sends that differs
  from the target's rows (a reviewer's role, say) is not taken, and the target re-asserts its row.

The target records what it derived in its own chain (``reviewer.sync.state.server_source_id``): one
``sync.apply`` event per batch with the new state of every case it touched, numbered above every state
the workstation sent, so ``verify`` finds each row equal to its newest snapshot on both sides. Events
of kind ``sync.pull`` (a workstation's record of what it pulled) are stored and change nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from reviewer.audit.chain import GENESIS, lock_chain
from reviewer.clock import utcnow
from reviewer.models import AuditEvent, AuditSource, table_of
from reviewer.storage.database import Database
from reviewer.sync.apply_batch import BatchApplier, ChainMismatch
from reviewer.sync.rows import APPLY_KIND, PULL_KIND, event_record
from reviewer.sync.state import server_source_id

__all__ = ["APPLY_KIND", "PULL_KIND", "ApplyReport", "ChainMismatch", "apply_chain", "head_in", "source_head"]

Progress = Callable[[str, int, int], None]

_events = table_of(AuditEvent)
_sources = table_of(AuditSource)


@dataclass(frozen=True)
class ApplyReport:
    events: int = 0  # events written
    decisions: int = 0  # decision rows written
    applied: int = 0  # of which changed their case
    conflicts: int = 0  # of which were kept as conflicts
    skipped: int = 0  # events the target already held
    records: int = 0  # record rows (investigations, responses …) written or changed

    def __add__(self, other: ApplyReport) -> ApplyReport:
        return ApplyReport(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


def head_in(conn: Connection, source_id: uuid.UUID) -> tuple[int, str]:
    """The last ``(seq, hash)`` of ``source_id``'s chain in this database; ``(0, GENESIS)`` when none."""
    row = conn.execute(
        select(_events.c.seq, _events.c.hash)
        .where(_events.c.source_id == source_id)
        .order_by(_events.c.seq.desc())
        .limit(1)
    ).first()
    return (row.seq, row.hash) if row is not None else (0, GENESIS)


def source_head(target: Database, source_id: uuid.UUID) -> tuple[int, str]:
    with target.read() as session:
        return head_in(session.connection(), source_id)


def apply_chain(
    target: Database,
    events: Sequence[Mapping[str, Any]],
    *,
    batch: int = 500,
    progress: Progress | None = None,
    now: datetime | None = None,
    account_map: Mapping[uuid.UUID, uuid.UUID] | None = None,
) -> ApplyReport:
    """Write ``events`` (one source's, in seq order; those the target holds are skipped) and apply them.

    Raises BadEvent for an event whose hash does not cover it, ChainMismatch for events that do not
    continue the target's chain (``account_map``: the sender's account ids that records name → the
    target's, for accounts each side imported on its own); each batch is one transaction, so a failure or a kill keeps every
    earlier batch whole and writes nothing of its own.
    """
    records = [event_record(e) for e in events]
    if not records:
        return ApplyReport()
    source = records[0]["source_id"]
    for before, after in zip(records, records[1:], strict=False):
        if after["source_id"] != source or after["seq"] != before["seq"] + 1:
            raise ChainMismatch("the events sent are not one unbroken run of one workstation's chain")
    report = ApplyReport()
    for start in range(0, len(records), batch):
        chunk = records[start : start + batch]
        with target.write() as session:
            report += _apply_batch(session.connection(), source, chunk, now or utcnow(), account_map or {})
        if progress is not None:
            progress("audit events", start + len(chunk), len(records))
    return report


def _apply_batch(
    conn: Connection,
    source: uuid.UUID,
    chunk: list[dict[str, Any]],
    now: datetime,
    account_map: Mapping[uuid.UUID, uuid.UUID],
) -> ApplyReport:
    lock_chain(conn, source)
    head_seq, head_hash = head_in(conn, source)
    held = [e for e in chunk if e["seq"] <= head_seq]
    if held:
        stored = dict(
            conn.execute(
                select(_events.c.seq, _events.c.hash).where(
                    _events.c.source_id == source, _events.c.seq.in_([e["seq"] for e in held])
                )
            ).all()
        )
        if any(stored.get(e["seq"]) != e["hash"] for e in held):
            raise ChainMismatch(
                f"workstation {str(source)[:8]}'s chain here differs from the one sent (its database was "
                "restored from an older copy or replaced); nothing was written"
            )
    fresh = [e for e in chunk if e["seq"] > head_seq]
    if not fresh:
        return ApplyReport(skipped=len(chunk))
    if fresh[0]["seq"] != head_seq + 1 or fresh[0]["prev_hash"] != head_hash:
        raise ChainMismatch(
            f"workstation {str(source)[:8]}'s events #{head_seq + 1}.. are missing before #{fresh[0]['seq']} "
            "(or follow another history); nothing was written"
        )
    merge = server_source_id(conn)
    lock_chain(conn, merge)
    if conn.execute(select(_sources.c.id).where(_sources.c.id == source)).first() is None:
        conn.execute(insert(_sources).values(id=source, kind="workstation", host="", created_at=now))
    conn.execute(insert(_events), fresh)
    work = BatchApplier(conn, source, now, account_map=account_map)
    work.run(fresh, merge)
    return ApplyReport(
        events=len(fresh),
        decisions=work.decisions,
        applied=work.applied,
        conflicts=len(work.conflicts),
        skipped=len(held),
        records=work.records.written if work.records is not None else 0,
    )
