"""Schema 0012 on PostgreSQL, and a case's requester and response deadline travelling: imported on the
server and pulled into a working copy, shipped from a working copy to the server and pulled into a
second one — plain on the server, sealed in each working copy."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from reviewer.audit import verify
from reviewer.importing.importer import import_file
from reviewer.models import Case
from reviewer.paths import sqlite_url
from reviewer.responses.compose import compose_context
from reviewer.storage.database import Database
from reviewer.storage.migrate import alembic_config, open_database
from reviewer.sync.ship import ship_missing_cases
from tests.support import server_data as S
from tests.support.responses import REQUESTER, response_line, write_lines

pytestmark = pytest.mark.postgres

ME = uuid.UUID("11111111-2222-4333-8444-555555555551")
DUE = datetime(2026, 12, 24, 9, 30, tzinfo=UTC)


def _case(db: Database, external_id: str) -> Case:
    with db.read() as s:
        return s.execute(select(Case).where(Case.external_id == external_id)).scalar_one()


def _bytes(db: Database) -> bytes:
    db.checkpoint()
    assert db.file is not None
    return b"".join(p.read_bytes() for p in db.file.parent.glob(db.file.name + "*") if p.is_file())


def _migrate(db: Database, target: str) -> None:
    cfg = alembic_config()
    with db.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if target == "0010" else command.upgrade)(cfg, target)


def test_schema_0012_on_postgresql_logs_responses_and_goes_down_and_up(server: Database) -> None:
    with server.read() as s:
        columns = {c["name"] for c in inspect(s.connection()).get_columns("case")}
        triggers = set(s.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
    assert {"requester", "response_due_at"} <= columns
    assert "rw_log_response" in triggers
    _migrate(server, "0010")
    with server.read() as s:
        assert not inspect(s.connection()).has_table("response")
    _migrate(server, "head")
    with server.read() as s:
        assert inspect(s.connection()).has_table("response")


def test_schema_0012_on_sqlite_goes_down_and_up(db: Database) -> None:
    _migrate(db, "0010")
    with db.read() as s:
        assert "requester" not in {c["name"] for c in inspect(s.connection()).get_columns("case")}
    _migrate(db, "head")
    with db.read() as s:
        assert inspect(s.connection()).has_table("response")


def test_a_requester_travels_plain_to_the_server_and_sealed_to_working_copies(
    server: Database, db: Database, tmp_path: Path
) -> None:
    # imported on the server: stored plain there
    import_file(server, write_lines(tmp_path / "s", [response_line("SRV-1", requester=REQUESTER,
                                                                   response_due_at=DUE.isoformat())]))  # fmt: skip
    on_server = _case(server, "SRV-1")
    assert on_server.requester is not None and json.loads(on_server.requester)["name"] == REQUESTER["name"]

    # imported on a second working copy, shipped to the server with its requester opened
    (tmp_path / "second").mkdir()
    second = open_database(sqlite_url(tmp_path / "second" / "w.sqlite3"))
    try:
        import_file(
            second,
            write_lines(
                tmp_path / "w", [response_line("WS-1", requester={**REQUESTER, "name": "Bea Shipped-Qx"})]
            ),
        )
        shipped = _case(second, "WS-1")
        assert b"Shipped-Qx" not in _bytes(second)
        assert ship_missing_cases(second, server, {shipped.id}) == 1
    finally:
        second.dispose()
    on_server = _case(server, "WS-1")
    assert on_server.requester is not None and json.loads(on_server.requester)["name"] == "Bea Shipped-Qx"
    assert on_server.response_due_at == shipped.response_due_at is not None

    # pulled into this working copy: sealed here, opened for the composer
    S.caught_up(db, server, source_id=ME)
    for external_id, name in (("SRV-1", REQUESTER["name"]), ("WS-1", "Bea Shipped-Qx")):
        local = _case(db, external_id)
        ctx = compose_context(db, local.id)
        assert ctx is not None and ctx.requester is not None and ctx.requester.name == name
        assert local.response_due_at == _case(server, external_id).response_due_at
    assert _case(db, "SRV-1").response_due_at == DUE
    raw = _bytes(db)
    assert b"Requester-Zq" not in raw and b"Shipped-Qx" not in raw
    assert verify(db).ok and verify(server).ok
