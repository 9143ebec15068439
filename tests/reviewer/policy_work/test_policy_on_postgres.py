"""Schema 0013 on PostgreSQL (the team server): the three record tables are made, written through the
same core functions, logged to the change log for the team sync, and downgraded cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from reviewer.audit.verify import verify
from reviewer.identity import ensure_reviewer, set_role, start_session
from reviewer.pack_versions import check_pack
from reviewer.policy import PolicyPack
from reviewer.policy_gaps import close_gap, flag_gap, list_gaps
from reviewer.policy_sources import current_pack, install_pack, remember_source
from reviewer.policy_updates import changes_for, note_seen
from reviewer.storage.database import Database
from tests.support import server_data as S
from tests.support.policy_packs import NEW_VERSION, second_version

pytestmark = pytest.mark.postgres
TABLES = ("policy_gap", "policy_pack_source", "policy_pack_seen")


def test_policy_work_on_postgres_is_audited_and_logged_for_the_sync(
    pg_db: Database, pack: PolicyPack, tmp_path: Path
) -> None:
    (case_id,) = S.add_cases(pg_db, 1, images=0)
    me = ensure_reviewer(pg_db, "tester")
    first = start_session(pg_db, me)
    note_seen(pg_db, me, check_pack(pg_db, pack), first)
    remember_source(pg_db, pack, actor="tester")
    install_pack(pg_db, second_version(tmp_path), actor="tester")
    new = current_pack(pg_db)
    assert new.version == NEW_VERSION
    second = start_session(pg_db, me)
    note_seen(pg_db, me, check_pack(pg_db, new), second)
    assert len(changes_for(pg_db, me, new, second).changes) == 2
    gap = flag_gap(pg_db, case_id=case_id, reviewer=me, pack=new, note="unclear", policy_code="VIO-9")
    ensure_reviewer(pg_db, "lena")
    close_gap(pg_db, gap, lead=set_role(pg_db, "lena", "lead", actor="t"), note="clarified")
    assert list_gaps(pg_db, open_only=False)[0].status == "closed"
    with pg_db.read() as s:
        logged = dict(
            s.execute(
                text("SELECT table_name, count(*) FROM change_log WHERE table_name LIKE 'policy_pack_s%' "
                     "OR table_name = 'policy_gap' GROUP BY table_name")
            ).all()
        )  # fmt: skip
    assert logged == {"policy_gap": 2, "policy_pack_source": 2, "policy_pack_seen": 2}
    assert verify(pg_db).ok


def test_0013_downgrades_and_upgrades_on_postgres(pg_db: Database) -> None:
    from alembic import command

    from reviewer.storage.migrate import alembic_config

    cfg = alembic_config()
    with pg_db.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
    assert not set(TABLES) & set(inspect(pg_db.engine).get_table_names())
    with pg_db.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    assert set(TABLES) <= set(inspect(pg_db.engine).get_table_names())
