"""``reviewer server init|add-reviewer|reviewers``: the server's schema, id, and its audited reviewers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.audit import verify
from reviewer.models import AuditEvent, AuditSource
from reviewer.sync.remote import ServerError, open_server
from reviewer.sync.server import add_reviewer, init_server, list_reviewers, server_id
from reviewer.sync.state import SERVER_SOURCE, get_value
from tests.reviewer.sync.cli_runs import one_line_error, run_cli

pytestmark = pytest.mark.postgres


def test_init_makes_the_schema_id_and_server_source_and_is_idempotent(pg_url: str) -> None:
    db = init_server(pg_url)
    first = server_id(db)
    with db.read() as s:
        source = get_value(s.connection(), SERVER_SOURCE)
        kinds = list(s.execute(select(AuditSource.kind)).scalars())
    db.dispose()
    assert first and source and kinds == ["server"]
    again = init_server(pg_url)
    assert server_id(again) == first
    again.dispose()


def test_init_refuses_sqlite(tmp_path: Path) -> None:
    with pytest.raises(ServerError, match="PostgreSQL"):
        init_server(f"sqlite:///{tmp_path / 'x.sqlite3'}")


def test_add_reviewer_is_audited_in_the_server_chain(pg_url: str) -> None:
    db = init_server(pg_url)
    try:
        ann = add_reviewer(db, "ann", "lead", "Ann A.")
        assert (ann.handle, ann.role, ann.display_name) == ("ann", "lead", "Ann A.")
        same = add_reviewer(db, "ann", "lead")  # nothing changes: nothing written
        assert same.id == ann.id
        demoted = add_reviewer(db, "ann", "reviewer")
        assert demoted.id == ann.id and demoted.role == "reviewer" and demoted.display_name == "Ann A."
        add_reviewer(db, "bob")
        with pytest.raises(ValueError, match="unknown role"):
            add_reviewer(db, "cy", "boss")
        assert [(r.handle, r.role) for r in list_reviewers(db)] == [("ann", "reviewer"), ("bob", "reviewer")]
        with db.read() as s:
            source = get_value(s.connection(), SERVER_SOURCE)
            events = s.execute(select(AuditEvent.kind, AuditEvent.source_id).order_by(AuditEvent.seq)).all()
        assert [k for k, _ in events] == ["reviewer", "reviewer_role", "reviewer"]
        assert {str(src) for _, src in events} == {source}
        report = verify(db)
        assert report.ok, report
    finally:
        db.dispose()


@pytest.mark.slow
def test_server_cli_end_to_end(pg_url: str, tmp_path: Path) -> None:
    init = run_cli("server", "init", pg_url, cwd=tmp_path)
    assert init.returncode == 0 and "team server ready" in init.stdout, init.stderr
    lead = run_cli("--db", pg_url, "server", "add-reviewer", "ann", "--role", "lead", cwd=tmp_path)
    assert lead.returncode == 0 and "ann is a lead on the server" in lead.stdout, lead.stderr
    named = run_cli("--db", pg_url, "server", "add-reviewer", "bob", "--display-name", "Bob B.", cwd=tmp_path)
    assert named.returncode == 0, named.stderr
    listed = run_cli("--db", pg_url, "server", "reviewers", cwd=tmp_path)
    assert listed.stdout.splitlines() == ["ann\tlead\tann", "bob\treviewer\tBob B."]
    verified = run_cli("--db", pg_url, "audit", "verify", cwd=tmp_path)
    assert verified.returncode == 0 and verified.stdout.startswith("OK"), verified.stdout + verified.stderr

    # no --db and not connected: says how
    lost = run_cli("server", "reviewers", cwd=tmp_path)
    assert lost.returncode == 2 and "reviewer connect URL" in one_line_error(lost)
    # connected: the connected server is the default
    assert run_cli("connect", pg_url, "--as", "ann", cwd=tmp_path).returncode == 0
    third = run_cli("server", "add-reviewer", "cy", cwd=tmp_path)
    assert third.returncode == 0, third.stderr
    server = open_server(pg_url)
    assert [r.handle for r in list_reviewers(server)] == ["ann", "bob", "cy"]
    server.dispose()


def test_server_cli_mistakes(pg_url: str, tmp_path: Path) -> None:
    sqlite = run_cli("server", "init", f"sqlite:///{tmp_path / 'x.sqlite3'}", cwd=tmp_path)
    assert sqlite.returncode == 2 and "PostgreSQL" in one_line_error(sqlite)
    down = run_cli("server", "init", "postgresql+psycopg://postgres@127.0.0.1:1/test", cwd=tmp_path)
    assert down.returncode == 1 and one_line_error(down).startswith("reviewer: offline: ")
    fresh = run_cli("--db", pg_url, "server", "add-reviewer", "ann", cwd=tmp_path)
    assert fresh.returncode == 2 and "server init" in one_line_error(fresh)
    init_server(pg_url).dispose()
    role = run_cli("--db", pg_url, "server", "add-reviewer", "ann", "--role", "boss", cwd=tmp_path)
    assert role.returncode == 2 and "Traceback" not in role.stderr  # argparse's own usage error
    long = run_cli("--db", pg_url, "server", "add-reviewer", "x" * 65, cwd=tmp_path)
    assert long.returncode == 2 and "64 characters" in one_line_error(long)
