"""The demo's past: decisions over the last days by several reviewers with undos, escalations, overrides,
SLA breaches, reveals and breaks, all through the core, so the audit log verifies."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from reviewer.audit import verify
from reviewer.demo_history import build_history
from reviewer.storage.database import Database
from reviewer.vault.opening import ensure_vault

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_history_has_every_kind_of_event_and_verifies(db: Database) -> None:
    ensure_vault(db, demo=True)
    report = build_history(db, NOW, seed=3, days=6)
    assert report.cases > 50 and report.decisions >= report.cases
    with db.read() as s:
        def one(sql: str) -> int:
            return int(s.execute(text(sql)).scalar_one() or 0)

        assert one("SELECT COUNT(DISTINCT reviewer_id) FROM v_decisions") >= 4
        assert one("SELECT COUNT(*) FROM v_decisions WHERE action = 'escalate'") > 0
        assert one("SELECT COUNT(*) FROM v_decisions WHERE is_undo = 1 AND is_override = 0") > 0
        assert one("SELECT COUNT(*) FROM v_decisions WHERE is_override = 1") > 0
        assert one("SELECT SUM(breached) FROM v_sla WHERE decided = 1") > 0
        assert one("SELECT SUM(reveals) FROM v_exposure") > 0
        assert one("SELECT COUNT(*) FROM v_breaks WHERE duration_s > 0") > 0
        assert one("SELECT COUNT(DISTINCT day) FROM v_throughput") >= 5
        latest = s.execute(text("SELECT MAX(created_at) FROM decision")).scalar_one()
        assert str(latest) < NOW.strftime("%Y-%m-%d %H:%M")
    outcome = verify(db)
    assert outcome.ok, str(outcome)
