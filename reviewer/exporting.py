"""Export of decisions to CSV or JSON Lines, streamed so a large history never sits in memory.

Rows name the reviewer by handle and by id (a renamed handle never reassigns decisions), the review
session and its workstation, and the policy pack's content hash next to its version.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any, TextIO

from sqlalchemy import select

from reviewer.models import Case, Decision, Reviewer, ReviewSession
from reviewer.storage.database import Database

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
            }


def export_decisions(db: Database, out: TextIO, fmt: str = "csv") -> int:
    """Write every decision to ``out``; returns how many."""
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        for row in iter_decisions(db):
            writer.writerow(row)
            count += 1
    elif fmt == "jsonl":
        for row in iter_decisions(db):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    else:
        raise ValueError(f"unknown export format {fmt!r} (use csv or jsonl)")
    return count
