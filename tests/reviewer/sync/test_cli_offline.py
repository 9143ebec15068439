"""``reviewer checkout``: refusals in one line, and a real checkout against a PostgreSQL server."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from reviewer.cli import main
from reviewer.models import Case
from reviewer.paths import data_dir, sqlite_url
from reviewer.storage.migrate import open_database
from tests.support import server_data as S

HAS_REMOTE = importlib.util.find_spec("reviewer.sync.remote") is not None


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("cases", "hours", "says"),
    [("0", "4", "number of cases"), ("3", "0", "lease"), ("3", "100", "at most 72"), ("-1", "2", "number")],
)
def test_bad_numbers_are_one_line(
    capsys: pytest.CaptureFixture[str], db_path: Path, cases: str, hours: str, says: str
) -> None:
    code, _out, err = _run(capsys, "--db", str(db_path), "checkout", "--cases", cases, "--hours", hours)
    assert code == 1
    assert err.count("\n") == 1 and says in err and err.startswith("reviewer: ")


def test_no_server_set_up_is_one_line(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    code, _out, err = _run(capsys, "--db", str(db_path), "checkout", "--cases", "2", "--hours", "1")
    assert code == 1
    assert err.startswith("reviewer: ") and "Traceback" not in err
    assert "reviewer connect" in err or "no team server support" in err


@pytest.mark.postgres
@pytest.mark.skipif(not HAS_REMOTE, reason="needs reviewer.sync.remote (part REMOTE, not on main yet)")
def test_checkout_command_leases_and_pulls(capsys: pytest.CaptureFixture[str], pg_url: str) -> None:
    server = S.open_server(pg_url)
    try:
        S.add_cases(server, 4)
        S.add_reviewer(server, "alice")
    finally:
        server.dispose()
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "server.json"
    config.write_text(json.dumps({"url": pg_url, "handle": "alice", "queues": []}), encoding="utf-8")
    os.chmod(config, 0o600)
    local = folder / "work.sqlite3"

    code, out, err = _run(capsys, "--db", str(local), "--init", "checkout", "--cases", "2", "--hours", "8")

    assert code == 0, err
    assert "checked out 2 case(s)" in out
    assert err.strip().splitlines()[-1].startswith("database: ")
    db = open_database(sqlite_url(local))
    try:
        with db.read() as session:
            held = session.execute(select(func.count()).where(Case.claimed_by.is_not(None))).scalar_one()
        assert held == 2
    finally:
        db.dispose()
