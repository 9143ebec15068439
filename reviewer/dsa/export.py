"""Writing statements of reasons for the Transparency Database: API batches as JSON, and CSV.

JSON: each batch is exactly the body of ``POST /api/v1/statements``, ``{"statements": [...]}`` with at
most :data:`~reviewer.dsa.rules.BATCH_MAX` (100) statements. Into a folder, one file per batch
(``sor-0001.json``, …); into a ``.jsonl`` file, one batch body per line (JSON Lines of batches).
CSV: one statement per row, the columns ``decision_id``, ``decision_date`` (the decision's UTC time) then
every API field in the published order; a list is a JSON array in its cell.

Only valid statements are written; the others are counted and listed by :func:`missing`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from reviewer.display import visible
from reviewer.dsa.derive import Statement, statements
from reviewer.dsa.rules import BATCH_MAX, FIELDS, LIST_FIELDS, missing_fields
from reviewer.exporting import FORMULA_PREFIXES, check_export_target, write_private_file, write_rows
from reviewer.storage.database import Database
from reviewer.storage.errors import DataLocationError, describe_os_error

CSV_FIELDS: tuple[str, ...] = ("decision_id", "decision_date", *FIELDS)


@dataclass(frozen=True)
class ExportResult:
    written: int
    batches: int
    invalid: int
    files: tuple[Path, ...]


@dataclass(frozen=True)
class MissingEntry:
    """A decision that cannot yet produce a valid statement, and why."""

    decision_id: str
    case_external_id: str
    action: str
    missing: tuple[str, ...]
    invalid: tuple[str, ...]


def batches(bodies: Iterable[dict[str, Any]], size: int = BATCH_MAX) -> Iterator[list[dict[str, Any]]]:
    """``bodies`` in lists of at most ``size`` (the API's limit), none empty."""
    if not 1 <= size <= BATCH_MAX:
        raise ValueError(f"batch size must be 1 to {BATCH_MAX}")
    batch: list[dict[str, Any]] = []
    for body in bodies:
        batch.append(body)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def batch_json(batch: Sequence[dict[str, Any]]) -> str:
    return json.dumps({"statements": list(batch)}, ensure_ascii=False)


def csv_row(statement: Statement, body: dict[str, Any] | None = None) -> dict[str, Any]:
    body = statement.body() if body is None else body
    row: dict[str, Any] = {"decision_id": str(statement.decision_id), "decision_date": _utc(statement)}
    for name in FIELDS:
        value = body.get(name)
        row[name] = "" if value is None else json.dumps(value) if name in LIST_FIELDS else value
    return row


def read_csv(text: str) -> list[dict[str, Any]]:
    """Statement bodies back from a CSV this module wrote (the round trip): lists decoded, empty cells
    dropped, the ``'`` that made a formula-like cell inert removed."""
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        body: dict[str, Any] = {}
        for name in FIELDS:
            cell = row.get(name) or ""
            if cell.startswith("'") and cell[1:2] in FORMULA_PREFIXES:
                cell = cell[1:]
            if cell:
                body[name] = json.loads(cell) if name in LIST_FIELDS else cell
        out.append(body)
    return out


def _utc(statement: Statement) -> str:
    return statement.decided_at.isoformat()


def split(db: Database) -> tuple[list[tuple[Statement, dict[str, Any]]], int]:
    """The valid statements with the bodies sent, and how many others there are."""
    good: list[tuple[Statement, dict[str, Any]]] = []
    bad = 0
    for s in statements(db):
        if s.valid:
            good.append((s, s.body()))
        else:
            bad += 1
    return good, bad


def missing(db: Database) -> list[MissingEntry]:
    """Every decision that restricts something but cannot yet produce a valid statement."""
    return [entry_of(s) for s in statements(db) if not s.valid]


def entry_of(statement: Statement) -> MissingEntry:
    return MissingEntry(
        str(statement.decision_id),
        statement.case_external_id,
        statement.action,
        tuple(missing_fields(statement.problems)),
        tuple(str(p) for p in statement.problems if not p.missing),
    )


def check_json_target(path: Path) -> None:
    """DataLocationError (one sentence) when ``path`` can be neither a batch folder nor a .jsonl file."""
    if path.suffix == ".jsonl":
        check_export_target(path)
        return
    if path.suffix == ".json":
        raise DataLocationError(
            f"{path}: a .json file would hold one batch of at most {BATCH_MAX}; give a folder (one file per "
            "batch) or a file name ending in .jsonl"
        )
    if path.exists() and not path.is_dir():
        raise DataLocationError(f"{path} is a file: give a folder, or a file name ending in .jsonl")
    if not path.parent.is_dir():
        raise DataLocationError(f"cannot write {path}: the folder {path.parent} does not exist")


def export_sor(db: Database, target: Path, csv_path: Path | None = None) -> ExportResult:
    """Write the valid statements as API batches into ``target`` (a folder, made if missing, or a .jsonl
    file) and, with ``csv_path``, as CSV. DataLocationError if a target cannot be written."""
    check_json_target(target)
    if csv_path is not None:
        check_export_target(csv_path)
    good, bad = split(db)
    groups = list(batches(body for _s, body in good))
    files: list[Path] = []
    try:
        if target.suffix == ".jsonl":
            _write(target, lambda out: out.write("".join(batch_json(b) + "\n" for b in groups)))
            files.append(target)
        else:
            target.mkdir(exist_ok=True)
            for number, group in enumerate(groups, start=1):
                path = target / f"sor-{number:04d}.json"
                _write(path, lambda out, g=group: out.write(batch_json(g) + "\n"))
                files.append(path)
        if csv_path is not None:
            _write(csv_path, lambda out: write_rows(out, "csv", CSV_FIELDS, (csv_row(s, b) for s, b in good)))
            files.append(csv_path)
    except OSError as exc:
        raise DataLocationError(
            describe_os_error(exc, f"write {target}") + "; the export is incomplete"
        ) from None
    return ExportResult(len(good), len(groups), bad, tuple(files))


def _write(path: Path, write: Any) -> None:
    if path.exists() and not stat.S_ISREG(path.stat().st_mode):  # a device or a pipe
        with open(os.open(path, os.O_WRONLY), "w", encoding="utf-8", newline="") as out:
            write(out)
    else:
        write_private_file(path, write)


def write_missing(entries: Sequence[MissingEntry], out: TextIO) -> None:
    for e in entries:
        what = ", ".join(e.missing) or "-"
        extra = f"; invalid: {'; '.join(e.invalid)}" if e.invalid else ""
        out.write(f"{e.decision_id}  {visible(e.case_external_id)}  {e.action}  missing: {what}{extra}\n")
