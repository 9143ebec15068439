"""Shared by the response tests: an import file of cases with requesters, and imports of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reviewer.importing.importer import import_file
from reviewer.storage.database import Database

REQUESTER = {
    "name": "Ada Requester-Zq",
    "organisation": "Safety NGO <b>bold</b>",
    "contact": "ada@example.org",
    "reference": "REF-{case_id}-9",
}


def response_line(
    external_id: str, *, channel: str = "partner", requester: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    line: dict[str, Any] = {
        "id": external_id,
        "channel": channel,
        "category": "violence",
        "priority": 2,
        "report_text": "escalated by a partner",
        "items": [{"kind": "text", "text": "a post"}],
        **extra,
    }
    if requester is not None:
        line["requester"] = requester
    return line


def write_lines(folder: Path, lines: list[dict[str, Any]], name: str = "cases.jsonl") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def import_lines(db: Database, folder: Path, lines: list[dict[str, Any]]) -> None:
    import_file(db, write_lines(folder, lines), actor="tester")
