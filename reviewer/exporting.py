"""Export of decisions to CSV or JSON Lines, streamed so a large history never sits in memory.

Rows name the reviewer by handle and by id (a renamed handle never reassigns decisions), the review
session and its workstation, and the policy pack's content hash next to its version.

CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return) get a leading ``'`` (OWASP's CSV injection advice); JSON Lines keeps values exact.
An export file is written 0600 beside its target and renamed into place, so a failed export (a full disk)
leaves no half file and an existing file is replaced only by a whole one.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import stat
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select

from reviewer.models import Case, Decision, Reviewer, ReviewSession
from reviewer.storage.database import Database
from reviewer.storage.errors import DataLocationError, describe_os_error

FORMATS = {"csv": "CSV", "jsonl": "JSON Lines"}
#: What makes a spreadsheet treat a cell as a formula (OWASP, CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

FIELDS = (
    "decision_id",
    "created_at",
    "case_external_id",
    "category",
    "action",
    "policy_code",
    "policy_version",
    "note",
    "reviewer",
    "tier",
    "handle_ms",
    "revealed",
    "reverses_id",
    "policy_sha256",
    "reviewer_id",
    "session_id",
    "workstation_id",
    "rationale",
    "to_tier",
    "bulk_id",
)


def iter_decisions(db: Database) -> Iterator[dict[str, Any]]:
    query = (
        select(Decision, Case.external_id, Case.category, Reviewer.handle, ReviewSession.source_id)
        .join(Case, Case.id == Decision.case_id)
        .join(Reviewer, Reviewer.id == Decision.reviewer_id)
        .outerjoin(ReviewSession, ReviewSession.id == Decision.session_id)
        .order_by(Decision.created_at, Decision.id)
        .execution_options(yield_per=2000)
    )
    with db.read() as session:
        for d, external_id, category, handle, workstation in session.execute(query):
            yield {
                "decision_id": str(d.id),
                "created_at": d.created_at.isoformat(),
                "case_external_id": external_id,
                "category": category,
                "action": d.action,
                "policy_code": d.policy_code or "",
                "policy_version": d.policy_version or "",
                "note": d.note,
                "reviewer": handle,
                "tier": d.tier,
                "handle_ms": d.handle_ms,
                "revealed": bool(d.revealed),
                "reverses_id": str(d.reverses_id) if d.reverses_id else "",
                "policy_sha256": d.policy_sha256 or "",
                "reviewer_id": str(d.reviewer_id),
                "session_id": str(d.session_id) if d.session_id else "",
                "workstation_id": str(workstation) if workstation else "",
                "rationale": d.rationale,
                "to_tier": d.to_tier if d.to_tier is not None else "",
                "bulk_id": str(d.bulk_id) if d.bulk_id else "",
            }


def neutralise_cell(value: Any) -> Any:
    """A text cell a spreadsheet would evaluate, made inert with a leading ``'``; other values as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_decisions(db: Database, out: TextIO, fmt: str = "csv") -> int:
    """Write every decision to ``out``; returns how many."""
    return write_rows(out, fmt, FIELDS, iter_decisions(db))


def write_rows(out: TextIO, fmt: str, fields: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> int:
    """``rows`` as CSV (a header of ``fields``; cells a spreadsheet would run neutralised) or JSON Lines
    (values exact); returns how many. ``fmt`` is "csv" or "jsonl"."""
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=list(fields))
        writer.writeheader()
        for row in rows:
            writer.writerow({key: neutralise_cell(value) for key, value in row.items()})
            count += 1
    elif fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    else:
        raise ValueError(f"unknown export format {fmt!r} (use csv or jsonl)")
    return count


def temp_beside(path: Path) -> Path:
    """The hidden file an export is written to before it is renamed onto ``path`` (unique per write)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


@contextlib.contextmanager
def private_file(path: Path, write: Callable[[Any], object], *, binary: bool = False) -> Iterator[Path]:
    """``write(out)`` into a new 0600 file beside ``path``, flushed and fsynced; then the ``with`` body runs
    (an audit event, say) and the file replaces ``path`` whole. Any failure (an OSError, the body's own)
    removes it and leaves ``path`` as it was."""
    temp = temp_beside(path)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with open(fd, "wb") if binary else open(fd, "w", encoding="utf-8", newline="") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        yield temp
        os.replace(temp, path)
    finally:
        with contextlib.suppress(OSError):  # gone once renamed
            temp.unlink()


def write_private_file(path: Path, write: Callable[[Any], object], *, binary: bool = False) -> None:
    """:func:`private_file` with nothing between the write and the rename."""
    with private_file(path, write, binary=binary):
        pass


def check_export_target(path: Path) -> None:
    """DataLocationError (one sentence) if ``path`` cannot be an export file: a folder, or a missing folder.

    Checked before the database is opened; whatever else (read-only, full) shows when writing.
    """
    if path.is_dir():
        raise DataLocationError(f"{path} is a folder: give a file name for the export")
    folder = path.parent
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        raise DataLocationError(f"cannot write {path}: the folder {folder} {what}")


def export_to_file(db: Database, path: Path, fmt: str = "csv") -> int:
    """Export into ``path`` (created 0600); returns how many decisions. DataLocationError if it cannot be
    written, with nothing left behind. A device or pipe (``/dev/stdout``) is written directly."""
    check_export_target(path)
    counted: list[int] = []

    def write(out: TextIO) -> None:
        counted.append(export_decisions(db, out, fmt))

    try:
        if path.exists() and not stat.S_ISREG(path.stat().st_mode):  # a device or a pipe
            with open(os.open(path, os.O_WRONLY), "w", encoding="utf-8", newline="") as out:
                write(out)
        else:
            write_private_file(path, write)
    except OSError as exc:
        raise DataLocationError(describe_os_error(exc, f"write {path}") + "; nothing was exported") from None
    return counted[0]
