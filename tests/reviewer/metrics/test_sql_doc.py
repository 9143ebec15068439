"""Every example query of docs/SQL.md runs (read-only) on the fixture history, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reviewer.policy import PolicyPack
from reviewer.sqlquery import run_query
from reviewer.storage.database import Database
from reviewer.storage.migrate import open_database
from reviewer.wellbeing.breaks import BreakLog
from tests.support.metrics_fixture import at, build_history

DOC = Path(__file__).resolve().parents[3] / "docs" / "SQL.md"
QUERIES = re.findall(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
#: Queries whose answer on the fixture is known to be empty (none): every example returns rows.
IDS = [f"q{i + 1}" for i in range(len(QUERIES))]


def _fill(db: Database, pack: PolicyPack) -> None:
    build_history(db, pack)
    with db.read() as s:
        from sqlalchemy import select

        from reviewer.models import Reviewer

        ana = s.execute(select(Reviewer).where(Reviewer.handle == "ana")).scalar_one()
    log = BreakLog(db)
    log.end(log.start(ana.id, "voluntary", "", at(0, 11)), at(0, 11, 10))


def test_there_are_at_least_ten_examples() -> None:
    assert len(QUERIES) >= 10


@pytest.mark.parametrize("query", QUERIES, ids=IDS)
def test_example_runs_on_sqlite(db: Database, db_path: Path, pack: PolicyPack, query: str) -> None:
    _fill(db, pack)
    result = run_query(db.url, db_path, query)
    assert result.rows, query


@pytest.mark.postgres
def test_examples_run_on_postgres(pg_url: str, pack: PolicyPack) -> None:
    db = open_database(pg_url)
    try:
        _fill(db, pack)
        for query in QUERIES:
            assert run_query(db.url, None, query).rows, query
    finally:
        db.dispose()
