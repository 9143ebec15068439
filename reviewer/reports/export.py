"""Exporting a report: checkpoint, gather, render, then write the file and its audit event together.

Four steps, each a plain function so the app can run each on its own worker (a write, a read, the
render, a write) and the CLI runs them in a row (``export_report``):

1. ``anchor(db)``: a fresh signed audit checkpoint (``reviewer.audit.checkpoints.write_checkpoint``); the
   report names it, so a reader can tell which state of the audit log the report was built from.
2. ``gather(db, inv_id, …)`` (``reviewer.reports.gather``): the content, thumbnails blurred by default.
3. ``render(content, fmt, render_pdf)``: the bytes (HTML here; a PDF through the renderer the Qt side
   injects: the core has no Qt).
4. ``record_export(db, …)``: the file is written beside its target, the ``report.export`` audit event
   (investigation, format, hash, checkpoint, whether clear images are in it) is committed, and only then
   is the file renamed into place: every report that exists was audited.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.audit.chain import canonical
from reviewer.exporting import private_file
from reviewer.reports.content import FORMATS, CheckpointRef, ReportContent, content_sha256
from reviewer.reports.html import render_html

if TYPE_CHECKING:
    from reviewer.reports.gather import Progress
    from reviewer.reports.thumbs import Thumbnailer
    from reviewer.storage.database import Database

EVENT_KIND = "report.export"
#: ``render_pdf(content, sha256) -> bytes``: supplied by the Qt side (``ui.reports.pdf.render_pdf``).
PdfRenderer = Callable[[ReportContent, str], bytes]
SUFFIXES = {".pdf": "pdf", ".html": "html", ".htm": "html"}
NO_PDF = "PDF reports are made by the desktop app's Qt: run the `reviewer` command of the full install, or write .html"


class ReportError(Exception):
    """A report that cannot be made as asked (one line for the user)."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: str
    sha256: str  # the content hash the footer shows
    file_sha256: str  # the written file's bytes
    checkpoint: CheckpointRef | None
    clear_images: bool
    size: int


def format_of(path: Path) -> str:
    """``pdf`` or ``html`` from the file name; ReportError for anything else."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ReportError(f"{path.name}: a report is written as .pdf or .html")
    return fmt


def check_target(path: Path) -> None:
    """Refuse, before any work, a target that cannot be written (its folder missing, a folder itself)."""
    if path.is_dir():
        raise ReportError(f"{path} is a folder: name the report file")
    if not path.parent.is_dir():
        raise ReportError(f"no folder {path.parent} to write the report into")


def heads_digest(heads: dict[str, tuple[int, str]]) -> str:
    return hashlib.sha256(canonical({s: list(h) for s, h in heads.items()}).encode("utf-8")).hexdigest()


def anchor(db: Database) -> CheckpointRef | None:
    """Step 1: sign the audit chains' heads now; None when the audit log is empty."""
    from reviewer.audit.checkpoints import write_checkpoint

    checkpoint = write_checkpoint(db, force=True)
    if checkpoint is None:
        return None
    return CheckpointRef(
        checkpoint.id, checkpoint.created_at, heads_digest(checkpoint.heads), checkpoint.key_id
    )


def render(content: ReportContent, fmt: str, render_pdf: PdfRenderer | None = None) -> tuple[str, bytes]:
    """Step 3: ``(content hash, file bytes)``."""
    if fmt not in FORMATS:
        raise ReportError(f"unknown report format {fmt!r}")
    sha = content_sha256(content)
    if fmt == "html":
        return sha, render_html(content, sha).encode("utf-8")
    if render_pdf is None:
        raise ReportError(NO_PDF)
    return sha, render_pdf(content, sha)


def record_export(
    db: Database,
    content: ReportContent,
    *,
    path: Path,
    fmt: str,
    sha256: str,
    data: bytes,
    actor: str,
) -> ExportResult:
    """Step 4: the file, written next to ``path``, is renamed into place once its audit event is
    committed (a failed write leaves no report and no event)."""
    from reviewer.audit.chain import append_event

    check_target(path)
    file_sha = hashlib.sha256(data).hexdigest()
    with private_file(path, lambda out: out.write(data), binary=True):
        inv = content.investigation
        payload = {
            "investigation_id": str(inv.id),
            "format": fmt,
            "sha256": sha256,
            "file_sha256": file_sha,
            "clear_images": content.options.clear_images,
            "checkpoint_id": str(content.checkpoint.id) if content.checkpoint else None,
            "evidence": len(content.evidence),
            "file_name": path.name,
        }
        with db.write() as session:
            append_event(session, actor=actor, kind=EVENT_KIND, subject=str(inv.id), payload=payload)
    from reviewer.audit.checkpoints import note_appended

    note_appended(db)
    return ExportResult(
        path, fmt, sha256, file_sha, content.checkpoint, content.options.clear_images, len(data)
    )


def export_report(
    db: Database,
    inv_id: uuid.UUID,
    path: Path,
    *,
    actor: str,
    clear_images: bool = False,
    render_pdf: PdfRenderer | None = None,
    media: Thumbnailer | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """The four steps in a row (the CLI's way). ``media``: the thumbnailer (default: one on the
    database's media store, with its own decode workers, stopped at the end)."""
    from reviewer.reports.gather import gather

    fmt = format_of(path)
    check_target(path)
    if fmt == "pdf" and render_pdf is None:
        raise ReportError(NO_PDF)
    checkpoint = anchor(db)
    content = gather(
        db,
        inv_id,
        clear_images=clear_images,
        media=media,
        checkpoint=checkpoint,
        generated_by=actor,
        progress=progress,
    )
    sha, data = render(content, fmt, render_pdf)
    return record_export(db, content, path=path, fmt=fmt, sha256=sha, data=data, actor=actor)
