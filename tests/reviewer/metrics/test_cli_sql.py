"""``reviewer sql``: reads run and print a table or CSV; every kind of write is refused with one line, exit 2."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.sqlquery import QueryRefused, run_query
from reviewer.storage.database import Database
from reviewer.storage.migrate import open_database
from tests.support.metrics_fixture import build_history

WRITES = [
    "INSERT INTO channel (id, code, name) VALUES ('0b6a2f8e-5d3a-4c57-9f1e-2a8a4f3f1c11', 'x', 'x')",
    "UPDATE channel SET code = 'x'",
    "DELETE FROM decision",
    "DROP VIEW v_decisions",
    "CREATE TABLE stolen (a INTEGER)",
    "ALTER TABLE channel ADD COLUMN b INTEGER",
]
SQLITE_ONLY = [
    "ATTACH DATABASE '{tmp}/other.db' AS other",
    "PRAGMA query_only = 0",
    "PRAGMA journal_mode = DELETE",
    "SELECT 1; DELETE FROM decision",
]


def _sql(db_path: Path, *argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--db", str(db_path), "sql", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("statement", WRITES + SQLITE_ONLY)
def test_writes_are_refused_on_sqlite(
    db: Database, db_path: Path, tmp_path: Path, statement: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _sql(db_path, statement.format(tmp=tmp_path), capsys=capsys)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert lines[-1].startswith("reviewer: refused:") and len(lines) == 2 and lines[0].startswith("database:")
    assert not (tmp_path / "other.db").exists()
    with db.read() as s:
        from sqlalchemy import text

        assert s.execute(text("SELECT COUNT(*) FROM v_decisions")).scalar_one() == 0
        assert "stolen" not in {r[0] for r in s.execute(text("SELECT name FROM sqlite_master"))}


def test_a_query_prints_a_table_that_fits_and_csv(
    db: Database, db_path: Path, pack, capsys: pytest.CaptureFixture[str]  # type: ignore[no-untyped-def]
) -> None:
    build_history(db, pack)
    query = "SELECT action, COUNT(*) AS n FROM v_decisions GROUP BY action ORDER BY action"
    code, out, err = _sql(db_path, query, capsys=capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["action", "n"] and "remove    4" in lines
    assert all(len(line) <= 100 for line in lines)
    code, out, _ = _sql(db_path, query, "--csv", capsys=capsys)
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["action", "n"] and ["undo", "2"] in rows


def test_formula_cells_are_neutralised_in_csv(db: Database, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _sql(db_path, "SELECT '=1+2' AS f, '@x' AS g", "--csv", capsys=capsys)
    assert code == 0
    assert out.splitlines()[1] == "'=1+2,'@x"


def test_a_typo_is_one_line_exit_1(db: Database, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _sql(db_path, "SELEC nope", capsys=capsys)
    assert code == 1 and out == ""
    assert err.splitlines()[-1].startswith("reviewer: query failed:") and "Traceback" not in err


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement", [*WRITES, "SELECT 1; DELETE FROM decision", "COMMIT; DROP VIEW v_flow", "SET TRANSACTION READ WRITE"]
)
def test_writes_are_refused_on_postgres(pg_url: str, statement: str) -> None:
    db = open_database(pg_url)
    try:
        with pytest.raises(QueryRefused):
            run_query(db.url, None, statement)
        assert run_query(db.url, None, "SELECT COUNT(*) FROM v_flow").rows == [(0,)]
        assert run_query(db.url, None, "SELECT code FROM channel WHERE code LIKE '%x'").rows == []
    finally:
        db.dispose()


@pytest.mark.postgres
def test_the_cli_refuses_on_postgres(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    open_database(pg_url).dispose()
    code = main(["--db", pg_url, "sql", "DELETE FROM decision"])
    err = capsys.readouterr().err
    assert code == 2 and err.splitlines()[-1].startswith("reviewer: refused:")
