"""Schema 0014 on PostgreSQL (the team server): QA and appeals written through the same core functions,
their rows logged to the change log for the team sync, the statement stored plain (no vault on a server),
the audit chain clean; and the revision downgrades and upgrades."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from reviewer.appeals.importing import import_appeals
from reviewer.appeals.outcomes import OVERTURN, decide_appeal, list_appeals
from reviewer.audit.verify import verify
from reviewer.decisions import record_decision
from reviewer.identity import ensure_reviewer, set_role
from reviewer.models import Appeal, Case
from reviewer.policy import PolicyPack
from reviewer.qa.reviews import adjudicate, qa_queue, record_verdict
from reviewer.qa.sampling import set_rate
from reviewer.storage.database import Database
from tests.support import server_data as S

pytestmark = pytest.mark.postgres
TABLES = ("qa_rate", "qa_review", "appeal")


def test_qa_and_appeals_on_postgres_are_audited_and_logged_for_the_sync(
    pg_db: Database, pack: PolicyPack, tmp_path: Path
) -> None:
    a, b = S.add_cases(pg_db, 2, images=0)
    ana, sam = ensure_reviewer(pg_db, "ana"), ensure_reviewer(pg_db, "sam")
    ensure_reviewer(pg_db, "lena")
    lead = set_role(pg_db, "lena", "lead", actor="t")
    set_rate(pg_db, 1.0, actor="t", channel_code="partner")
    for case_id in (a, b):
        record_decision(pg_db, case_id=case_id, reviewer=ana, action="remove", policy_code="VIO-1", pack=pack)
    tasks = {t.case_id: t.id for t in qa_queue(pg_db, sam)}
    record_verdict(pg_db, tasks[a], reviewer=sam, action="keep", pack=pack)
    adjudicate(pg_db, tasks[a], lead=lead, action="keep", note="satire", pack=pack)
    with pg_db.read() as s:
        ext = s.execute(select(Case.external_id).where(Case.id == b)).scalar_one()
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"appeal_id": "P1", "case": ext, "statement": "plain here"}) + "\n")
    assert import_appeals(pg_db, path, actor="t") == 1
    (appeal,) = list_appeals(pg_db)
    decide_appeal(pg_db, appeal.id, reviewer=sam, outcome=OVERTURN, action="keep", note="news", pack=pack)
    with pg_db.read() as s:
        assert s.execute(select(Appeal.statement)).scalar_one() == "plain here"
        logged = dict(
            s.execute(
                text("SELECT table_name, count(*) FROM change_log WHERE table_name IN "
                     "('qa_rate', 'qa_review', 'appeal') GROUP BY table_name")
            ).all()
        )  # fmt: skip
    assert set(logged) == set(TABLES)
    assert verify(pg_db).ok


def test_0014_downgrades_and_upgrades_on_postgres(pg_db: Database) -> None:
    from alembic import command

    from reviewer.storage.migrate import alembic_config

    cfg = alembic_config()
    with pg_db.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0013")
    assert not set(TABLES) & set(inspect(pg_db.engine).get_table_names())
    with pg_db.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    assert set(TABLES) <= set(inspect(pg_db.engine).get_table_names())
