"""Policy gaps: cases a reviewer flags because the pack does not cover them well (or a section is
ambiguous), listed and exported for the policy team.

Rules, here once: anyone flags a case, with a required note and optionally the section they considered
(it must be a section of the pack in force); only a lead closes a gap, with a required closing note; an
open gap is closed once. Each write is one transaction with its audit event (``policy_gap.flag``,
``policy_gap.close``); an export is audited too (``policy_gap.export``). Notes are the reviewer's own
words, stored plain like a decision's rationale.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, insert, select, update
from sqlalchemy.orm import aliased

from reviewer.audit.chain import append_event_core, lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.audit.snapshots import snapshot
from reviewer.clock import utcnow
from reviewer.exporting import check_export_target, write_private_file, write_rows
from reviewer.models import Case, PolicyGap, Reviewer, table_of
from reviewer.overrides import may_override
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from reviewer.storage.errors import DataLocationError, describe_os_error

OPEN, CLOSED = "open", "closed"
FLAG_KIND, CLOSE_KIND, EXPORT_KIND = "policy_gap.flag", "policy_gap.close", "policy_gap.export"
EXPORT_FORMATS = {".csv": "csv", ".jsonl": "jsonl"}
_gaps = table_of(PolicyGap)
_cases = table_of(Case)
_reviewers = table_of(Reviewer)


class GapError(ValueError):
    """A gap cannot be written so (one line for the reviewer)."""


@dataclass(frozen=True)
class GapRow:
    id: uuid.UUID
    case_id: uuid.UUID
    case_external_id: str
    flagged_by: str
    policy_code: str | None
    pack_version: str
    note: str
    created_at: datetime
    status: str
    closed_by: str | None
    closed_at: datetime | None
    closing_note: str

    @property
    def open(self) -> bool:
        return self.status == OPEN


def may_close(reviewer: Reviewer) -> bool:
    """Anyone flags a gap; a lead closes it."""
    return may_override(reviewer)


def flag_gap(
    db: Database,
    *,
    case_id: uuid.UUID,
    reviewer: Reviewer,
    pack: PolicyPack,
    note: str,
    policy_code: str | None = None,
    now: datetime | None = None,
) -> uuid.UUID:
    """Flag ``case_id`` as a policy gap; returns the gap's id."""
    note = note.strip()
    if not note:
        raise GapError("a policy gap needs a note: what the pack does not cover, or what is ambiguous")
    code = (policy_code or "").strip() or None
    if code is not None and not pack.has_section(code):
        raise GapError(f"policy code {code!r} is not in pack {pack.version}")
    with db.write() as session:
        conn = session.connection()
        lock_chain(conn)
        if conn.execute(select(_cases.c.id).where(_cases.c.id == case_id)).first() is None:
            raise GapError("that case is not in this database")
        gap_id = uuid.uuid4()
        values = {
            "id": gap_id,
            "case_id": case_id,
            "reviewer_id": reviewer.id,
            "policy_code": code,
            "pack_version": pack.version,
            "note": note,
            "created_at": now or utcnow(),
            "status": OPEN,
            "closed_by": None,
            "closed_at": None,
            "closing_note": "",
        }
        conn.execute(insert(_gaps), values)
        _audit(conn, reviewer.handle, FLAG_KIND, values)
    note_appended(db)
    return gap_id


def close_gap(
    db: Database, gap_id: uuid.UUID, *, lead: Reviewer, note: str, now: datetime | None = None
) -> None:
    """Close an open gap (a lead only), with a required closing note."""
    if not may_close(lead):
        raise GapError(f"{lead.handle} is not a lead; only a lead closes a policy gap")
    note = note.strip()
    if not note:
        raise GapError("closing a policy gap needs a note: what was done about it")
    with db.write() as session:
        conn = session.connection()
        lock_chain(conn)
        done = conn.execute(
            update(_gaps)
            .where(_gaps.c.id == gap_id, _gaps.c.status == OPEN)
            .values(status=CLOSED, closed_by=lead.id, closed_at=now or utcnow(), closing_note=note)
        )
        if not done.rowcount:
            raise GapError("that policy gap is closed already, or is not in this database")
        row = conn.execute(select(_gaps).where(_gaps.c.id == gap_id)).one()
        _audit(conn, lead.handle, CLOSE_KIND, dict(row._mapping))
    note_appended(db)


def _audit(conn: Any, actor: str, kind: str, values: dict[str, Any]) -> None:
    append_event_core(
        conn,
        actor=actor,
        kind=kind,
        subject=str(values["id"]),
        rows={"policy_gap": [snapshot("policy_gap", values)]},
        locked=True,
    )


def _query(open_only: bool, since: datetime | None, policy_code: str | None) -> Select[Any]:
    closer = aliased(_reviewers)
    stmt = (
        select(_gaps, _cases.c.external_id, _reviewers.c.handle, closer.c.handle.label("closer"))
        .join(_cases, _cases.c.id == _gaps.c.case_id)
        .join(_reviewers, _reviewers.c.id == _gaps.c.reviewer_id)
        .outerjoin(closer, closer.c.id == _gaps.c.closed_by)
        .order_by(_gaps.c.created_at.desc(), _gaps.c.id)
    )
    if open_only:
        stmt = stmt.where(_gaps.c.status == OPEN)
    if since is not None:
        stmt = stmt.where(_gaps.c.created_at >= since)
    if policy_code:
        stmt = stmt.where(_gaps.c.policy_code == policy_code)
    return stmt


def list_gaps(
    db: Database,
    *,
    open_only: bool = True,
    since: datetime | None = None,
    policy_code: str | None = None,
    limit: int = 5000,
) -> list[GapRow]:
    """Gaps, newest first: the open ones unless ``open_only`` is False; ``since`` and ``policy_code``
    narrow the list."""
    with db.read() as session:
        rows = session.execute(_query(open_only, since, policy_code).limit(limit)).all()
    return [
        GapRow(
            r.id,
            r.case_id,
            r.external_id,
            r.handle,
            r.policy_code,
            r.pack_version,
            r.note,
            r.created_at,
            r.status,
            r.closer,
            r.closed_at,
            r.closing_note,
        )  # fmt: skip
        for r in rows
    ]


def find_gap(rows: list[GapRow], key: str) -> GapRow:
    """The gap whose id starts with ``key`` (8+ characters); GapError otherwise."""
    key = key.strip().lower()
    found = [g for g in rows if str(g.id).startswith(key)] if len(key) >= 8 else []
    if len(found) != 1:
        raise GapError(f"no policy gap {key!r} (list them with: reviewer gaps --all)")
    return found[0]


EXPORT_FIELDS = tuple(GapRow.__dataclass_fields__)


def _record(gap: GapRow) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in asdict(gap).items():
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, uuid.UUID):
            value = str(value)
        out[key] = value
    return out


def export_format(path: Path) -> str:
    fmt = EXPORT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DataLocationError(f"{path}: name a .csv or a .jsonl file")
    return fmt


def export_gaps(db: Database, path: Path, *, actor: str, open_only: bool = True) -> int:
    """Write the gaps to ``path`` (.csv or .jsonl, created 0600 beside it and renamed into place); the
    export is audited. Returns how many; ``DataLocationError`` (nothing left behind) if it cannot be."""
    fmt = export_format(path)
    check_export_target(path)
    gaps = list_gaps(db, open_only=open_only, limit=1_000_000)
    try:
        write_private_file(path, lambda out: write_rows(out, fmt, EXPORT_FIELDS, map(_record, gaps)))
    except OSError as exc:
        raise DataLocationError(describe_os_error(exc, f"write {path}") + "; nothing was exported") from None
    with db.write() as session:
        append_event_core(
            session.connection(),
            actor=actor,
            kind=EXPORT_KIND,
            subject=path.name,
            payload={"count": len(gaps), "format": fmt, "open_only": open_only, "file": str(path)},
        )
    note_appended(db)
    return len(gaps)
