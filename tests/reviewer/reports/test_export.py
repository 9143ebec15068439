"""Every export is audited (``report.export``: investigation, format, hash, clear images) after a fresh
signed checkpoint that the report names; a failed render leaves no file and no event."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.audit import verify
from reviewer.models import AuditCheckpoint, AuditEvent
from reviewer.reports.content import ReportContent
from reviewer.reports.export import EVENT_KIND, ReportError, export_report
from reviewer.storage.database import Database
from tests.support.report_data import Seeded


def _events(db: Database) -> list[AuditEvent]:
    with db.read() as s:
        return list(s.execute(select(AuditEvent).where(AuditEvent.kind == EVENT_KIND)).scalars())


@pytest.mark.parametrize("clear", [False, True])
def test_an_export_is_audited_with_its_hash_and_whether_images_are_clear(
    db: Database, seeded: Seeded, tmp_path: Path, clear: bool
) -> None:
    result = export_report(db, seeded.inv_id, tmp_path / "r.html", actor="tester", clear_images=clear)
    (event,) = _events(db)
    payload = json.loads(event.payload)
    assert event.actor == "tester" and event.subject == str(seeded.inv_id)
    assert payload["investigation_id"] == str(seeded.inv_id)
    assert payload["clear_images"] is clear
    assert payload["format"] == "html" and payload["sha256"] == result.sha256
    assert result.checkpoint is not None and payload["checkpoint_id"] == str(result.checkpoint.id)
    assert result.sha256 in (tmp_path / "r.html").read_text(encoding="utf-8")
    with db.read() as s:
        row = s.get(AuditCheckpoint, result.checkpoint.id)
    assert row is not None and row.signature  # written at export, signed
    assert verify(db).ok


def test_a_failed_render_leaves_no_file_and_no_event(db: Database, seeded: Seeded, tmp_path: Path) -> None:
    def broken(_content: ReportContent, _sha: str) -> bytes:
        raise RuntimeError("renderer failed")

    with pytest.raises(RuntimeError):
        export_report(db, seeded.inv_id, tmp_path / "r.pdf", actor="tester", render_pdf=broken)
    assert not list(tmp_path.glob("*r.pdf*")) and not _events(db)


def test_pdf_without_a_renderer_and_bad_targets_are_refused_before_any_work(
    db: Database, seeded: Seeded, tmp_path: Path
) -> None:
    for target in (tmp_path / "r.pdf", tmp_path / "r.txt", tmp_path / "missing" / "r.html", tmp_path):
        with pytest.raises(ReportError):
            export_report(db, seeded.inv_id, target, actor="tester")
    assert not _events(db)
