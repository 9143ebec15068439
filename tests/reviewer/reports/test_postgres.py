"""A report straight from a team server (PostgreSQL): media from its ``media_blob`` table, the checkpoint
and the ``report.export`` event in the direct-write chain, and ``audit verify`` still OK."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.audit import verify
from reviewer.models import AuditEvent
from reviewer.policy import PolicyPack
from reviewer.reports.export import EVENT_KIND, export_report
from reviewer.reports.verify import verify_html
from reviewer.storage.database import Database
from tests.support.report_data import seed_investigation

pytestmark = pytest.mark.postgres


def test_an_html_report_from_the_server(pg_db: Database, pack: PolicyPack, tmp_path: Path) -> None:
    seeded = seed_investigation(pg_db, pack, cases=4, images=2)
    out = tmp_path / "server.html"
    result = export_report(pg_db, seeded.inv_id, out, actor="tester")
    page = out.read_bytes().decode("utf-8")
    assert (
        verify_html(page).ok and page.count("data:image/png;base64,") == 3
    )  # the account's cases 0, 2 and member 1
    with pg_db.read() as s:
        (payload,) = s.execute(select(AuditEvent.payload).where(AuditEvent.kind == EVENT_KIND)).scalars()
    assert json.loads(payload)["sha256"] == result.sha256
    assert verify(pg_db).ok
