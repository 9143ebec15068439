"""Export of final responses (JSON Lines or CSV by the file's suffix) for whoever delivers them; nothing
is sent from here.

One write transaction: the rows are read, written 0600 to a temporary file beside the target, marked
``exported_at`` and audited (``response.export``, a snapshot of every marked row), the file renamed into
place, then the transaction commits. A failure leaves neither a half file nor rows marked. CSV cells a
spreadsheet would run as formulas are made inert (``reviewer.exporting.neutralise_cell``). The
requester (who the response is for) is opened from the vault: the file holds it in clear, like a work
pack's export.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from reviewer.audit.chain import append_event
from reviewer.audit.checkpoints import note_appended
from reviewer.audit.snapshots import jsonable, snapshot
from reviewer.decisions import as_utc
from reviewer.exporting import check_export_target, write_private_file, write_rows
from reviewer.models import Case, Response, Reviewer
from reviewer.responses.compose import open_requester
from reviewer.responses.states import ANSWERED
from reviewer.responses.store import row_values
from reviewer.storage.database import Database
from reviewer.storage.errors import DataLocationError, describe_os_error

FORMATS = {".jsonl": "jsonl", ".csv": "csv"}
FIELDS = (
    "response_id",
    "case_external_id",
    "channel",
    "status",
    "template_id",
    "subject",
    "body",
    "reviewer",
    "requester_name",
    "requester_organisation",
    "requester_contact",
    "reference",
    "decision_id",
    "supersedes_id",
    "created_at",
    "finalised_at",
)


def export_format(path: Path) -> str:
    """``jsonl`` or ``csv`` from the file's suffix; ValueError (one line) for anything else."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"{path.name}: name the export file .jsonl or .csv")
    return fmt


def export_responses(
    db: Database,
    path: Path,
    *,
    actor: str,
    since: datetime | None = None,
    now: datetime | None = None,
) -> int:
    """Write the final (and superseded) responses finalised at or after ``since`` (all by default) to
    ``path``; returns how many. ValueError for a wrong suffix, DataLocationError if it cannot be written."""
    check_export_target(path)
    fmt = export_format(path)
    now = as_utc(now)
    try:
        with db.write() as session:
            query = (
                select(Response, Case.external_id, Case.requester, Reviewer.handle)
                .join(Case, Case.id == Response.case_id)
                .join(Reviewer, Reviewer.id == Response.reviewer_id)
                .where(Response.status.in_(ANSWERED))
                .order_by(Response.finalised_at, Response.id)
            )
            if since is not None:
                query = query.where(Response.finalised_at >= as_utc(since))
            found = session.execute(query).all()
            rows = []
            for resp, external_id, stored, handle in found:
                requester, _locked = open_requester(session, resp.case_id, stored)
                rows.append(
                    {
                        "response_id": str(resp.id),
                        "case_external_id": external_id,
                        "channel": resp.channel,
                        "status": resp.status,
                        "template_id": resp.template_id,
                        "subject": resp.subject,
                        "body": resp.body,
                        "reviewer": handle,
                        "requester_name": requester.name if requester else "",
                        "requester_organisation": requester.organisation if requester else "",
                        "requester_contact": requester.contact if requester else "",
                        "reference": requester.reference if requester else "",
                        "decision_id": jsonable(resp.decision_id),
                        "supersedes_id": jsonable(resp.supersedes_id),
                        "created_at": jsonable(resp.created_at),
                        "finalised_at": jsonable(resp.finalised_at),
                    }
                )
                resp.exported_at = now
            session.flush()
            append_event(
                session,
                actor=actor,
                kind="response.export",
                subject=path.name[:64],
                payload={"file": path.name, "format": fmt, "responses": len(rows)},
                rows={"response": [snapshot("response", row_values(r[0])) for r in found]},
                now=now,
            )
            write_private_file(path, lambda out: write_rows(out, fmt, FIELDS, rows))
    except OSError as exc:
        raise DataLocationError(describe_os_error(exc, f"write {path}") + "; nothing was exported") from None
    note_appended(db)
    return len(rows)
