"""``reviewer appeals import FILE.jsonl``: all or nothing.

One appeal per line::

    {"appeal_id": "AP-1", "case": "<case external id>", "statement": "…", "appealed_at": "2026-12-01T10:00:00Z"}

``appealed_at`` is optional (default: now). Every line is checked before anything is written: valid JSON
object, only these fields, non-empty strings within their limits, an aware ISO 8601 time, no appeal id twice
(in the file or already imported), a case that exists and has a standing deciding decision (the decision
appealed against, and its reviewer, are recorded). Any problem: ``AppealImportFailed`` with every bad line by
number, nothing written. The appellant's statement is imported free text: sealed by the vault (table
``appeal``, column ``statement``, the appeal's id) on a workstation, plain on a team server.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from reviewer.audit.chain import lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.clock import utcnow
from reviewer.followup import DECIDING_ACTIONS
from reviewer.models import Appeal, Case, Decision, table_of
from reviewer.qa.records import audit_rows
from reviewer.storage.database import Database
from reviewer.vault.opening import ensure_vault

APPEAL_NAMESPACE = uuid.UUID("0b8a4f8e-5d7c-4e51-9c39-6b2f1d0e7a24")
FIELDS = {"appeal_id", "case", "statement", "appealed_at"}
REQUIRED = ("appeal_id", "case", "statement")
MAX_ID, MAX_STATEMENT, MAX_LINE_BYTES = 64, 20_000, 1 << 20
IMPORT_KIND = "appeal.import"
ERRORS_KEPT = 1000
_appeals, _cases, _d = table_of(Appeal), table_of(Case), table_of(Decision)


class AppealImportFailed(ValueError):
    """The file was refused; nothing was written. ``errors``: ``line N: what`` (the first ERRORS_KEPT)."""

    def __init__(self, errors: list[str], total: int) -> None:
        self.errors, self.total_errors = errors[:ERRORS_KEPT], total
        super().__init__(f"appeals refused, nothing written: {total} problem(s)")


@dataclass(frozen=True)
class AppealIn:
    line: int
    external_id: str
    case_external_id: str
    statement: str
    appealed_at: datetime | None


def appeal_id_for(external_id: str) -> uuid.UUID:
    return uuid.uuid5(APPEAL_NAMESPACE, external_id)


def parse_line(number: int, raw: bytes) -> AppealIn:
    """One line as an appeal; ValueError with the reason otherwise."""
    if len(raw) > MAX_LINE_BYTES:
        raise ValueError(f"longer than {MAX_LINE_BYTES} bytes")
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not valid JSON ({exc.__class__.__name__})") from None
    if not isinstance(obj, dict):
        raise ValueError("an appeal is a JSON object")
    unknown = sorted(set(obj) - FIELDS)
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(unknown)}")
    for name in REQUIRED:
        value = obj.get(name)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"'{name}' must be a non-empty string")
        if "\x00" in value:
            raise ValueError(f"'{name}' contains a NUL character")
    if len(obj["appeal_id"]) > MAX_ID or len(obj["case"]) > MAX_ID:
        raise ValueError(f"'appeal_id' and 'case' are at most {MAX_ID} characters")
    if len(obj["statement"]) > MAX_STATEMENT:
        raise ValueError(f"'statement' is at most {MAX_STATEMENT} characters")
    return AppealIn(
        number, obj["appeal_id"].strip(), obj["case"].strip(), obj["statement"], _when(obj.get("appealed_at"))
    )


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("'appealed_at' must be an ISO 8601 time as a string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"'appealed_at' is not an ISO 8601 time: {value[:40]!r}") from None
    if moment.tzinfo is None:
        raise ValueError("'appealed_at' needs a time zone (e.g. Z)")
    return moment


def parse_file(path: Path) -> tuple[list[AppealIn], list[str]]:
    """Every line of ``path`` checked on its own: the appeals and the ``line N: …`` errors."""
    appeals: list[AppealIn] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                appeal = parse_line(number, raw)
            except ValueError as exc:
                errors.append(f"line {number}: {exc}")
                continue
            if appeal.external_id in seen:
                errors.append(
                    f"line {number}: appeal {appeal.external_id!r} is on line {seen[appeal.external_id]} too"
                )
                continue
            seen[appeal.external_id] = number
            appeals.append(appeal)
    return appeals, errors


def _standing_decisions(
    conn: Connection, case_ids: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID]]:
    """Case id → (its latest standing deciding decision, that decision's reviewer)."""
    undone = select(_d.c.reverses_id).where(_d.c.reverses_id.is_not(None))
    out: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID]] = {}
    for start in range(0, len(case_ids), 500):
        q = (
            select(_d.c.case_id, _d.c.id, _d.c.reviewer_id)
            .where(
                _d.c.case_id.in_(case_ids[start : start + 500]),
                _d.c.action.in_(DECIDING_ACTIONS),
                _d.c.id.not_in(undone),
            )
            .order_by(_d.c.created_at)
        )
        for case_id, decision_id, reviewer_id in conn.execute(q):
            out[case_id] = (decision_id, reviewer_id)  # the newest wins
    return out


def import_appeals(db: Database, path: Path, *, actor: str, now: datetime | None = None) -> int:
    """Import the appeals of ``path`` (all or nothing); returns how many. AppealImportFailed otherwise."""
    appeals, errors = parse_file(path)
    now = now or utcnow()
    vault = ensure_vault(db) if appeals and not errors else None
    with db.write() as session:
        conn = session.connection()
        lock_chain(conn)
        externals = sorted({a.case_external_id for a in appeals})
        cases: dict[str, uuid.UUID] = {}
        for start in range(0, len(externals), 500):
            part = externals[start : start + 500]
            cases.update(
                (str(e), i)
                for e, i in conn.execute(
                    select(_cases.c.external_id, _cases.c.id).where(_cases.c.external_id.in_(part))
                ).all()
            )
        decided = _standing_decisions(conn, list(cases.values()))
        ids = [a.external_id for a in appeals]
        known = (
            set(conn.execute(select(_appeals.c.external_id).where(_appeals.c.external_id.in_(ids))).scalars())
            if ids
            else set()
        )
        rows = []
        for a in appeals:
            case_id = cases.get(a.case_external_id)
            if a.external_id in known:
                errors.append(f"line {a.line}: appeal {a.external_id!r} was imported already")
            elif case_id is None:
                errors.append(f"line {a.line}: no case {a.case_external_id!r} in this database")
            elif case_id not in decided:
                errors.append(
                    f"line {a.line}: case {a.case_external_id!r} has no standing decision to appeal"
                )
            else:
                rows.append(_row(a, case_id, decided[case_id], actor, now))
        if errors:
            errors.sort(key=lambda e: int(e.split(":", 1)[0].split()[1]))
            raise AppealImportFailed(errors, len(errors))
        if not rows:
            return 0
        plain = rows
        if vault is not None:
            rows = [
                {**r, "statement": vault.seal_text(r["statement"], "appeal", "statement", r["id"].hex)}
                for r in rows
            ]
        for start in range(0, len(rows), 500):
            conn.execute(insert(_appeals), rows[start : start + 500])
        audit_rows(
            conn, actor=actor, kind=IMPORT_KIND, table="appeal", rows=rows, subject=f"{len(rows)} appeals"
        )
    note_appended(db)
    return len(plain)


def _row(
    a: AppealIn, case_id: uuid.UUID, decided: tuple[uuid.UUID, uuid.UUID], actor: str, now: datetime
) -> dict[str, Any]:
    return {
        "id": appeal_id_for(a.external_id),
        "external_id": a.external_id,
        "case_id": case_id,
        "original_decision_id": decided[0],
        "original_reviewer_id": decided[1],
        "statement": a.statement,
        "appealed_at": a.appealed_at or now,
        "imported_at": now,
        "imported_by": actor,
        "status": "open",
        "worked_by": None,
        "outcome_decision_id": None,
        "undo_decision_id": None,
        "decided_at": None,
        "outcome_note": "",
        "updated_at": now,
    }
