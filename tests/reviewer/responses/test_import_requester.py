"""The import takes a case's requester (sealed at rest) and its response deadline (given, or from the
channel's response SLA)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from reviewer.importing.importer import ImportFailed
from reviewer.importing.schema import CaseIn
from reviewer.models import Case
from reviewer.responses.compose import Requester, compose_context
from reviewer.responses.templates import response_sla_hours
from reviewer.storage.database import Database
from reviewer.vault.sealing import SEALED_PREFIX
from reviewer.vault.state import vault_in
from tests.support.responses import REQUESTER, import_lines, response_line

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _validate(line: dict[str, object]) -> CaseIn:
    return CaseIn.model_validate_json(json.dumps(line))


def test_the_schema_accepts_a_requester_and_a_due_date() -> None:
    case = _validate(response_line("A", requester=REQUESTER, response_due_at="2026-12-01T10:00:00+02:00"))
    assert case.requester is not None and case.requester.name == REQUESTER["name"]
    assert case.response_due_at == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    minimal = _validate(response_line("B", requester={"name": "N"}))
    assert minimal.requester is not None and minimal.requester.organisation == ""


@pytest.mark.parametrize(
    "requester",
    [
        {},  # a name is required
        {"name": ""},
        {"name": "x" * 129},
        {"name": "N", "organisation": "o" * 129},
        {"name": "N", "contact": "c" * 257},
        {"name": "N", "reference": "r" * 129},
        {"name": "N", "phone": "1"},  # unknown field
        {"name": 5},
        "just a name",
    ],
)
def test_the_schema_refuses_a_bad_requester(requester: object) -> None:
    with pytest.raises(ValidationError):
        _validate(response_line("A", requester=requester))  # type: ignore[arg-type]


def test_the_schema_refuses_a_naive_due_date() -> None:
    with pytest.raises(ValidationError):
        _validate(response_line("A", response_due_at="2026-12-01T10:00:00"))


def test_the_requester_is_sealed_at_rest_and_opens(db: Database, tmp_path: Path) -> None:
    import_lines(
        db,
        tmp_path / "in",
        [response_line("R-1", requester=REQUESTER, created_at=NOW.isoformat()), response_line("R-2")],
    )
    assert db.file is not None
    raw = b"".join(p.read_bytes() for p in db.file.parent.glob(db.file.name + "*"))  # the file and its WAL
    for secret in (b"Requester-Zq", b"ada@example.org", b"Safety NGO"):
        assert secret not in raw
    with db.read() as s:
        stored = dict(s.execute(select(Case.external_id, Case.requester)).all())
        vault = vault_in(s)
    assert stored["R-2"] is None
    assert stored["R-1"] is not None and stored["R-1"].startswith(SEALED_PREFIX)
    assert vault is not None
    with db.read() as s:
        case_id = s.execute(select(Case.id).where(Case.external_id == "R-1")).scalar_one()
    ctx = compose_context(db, case_id)
    assert ctx is not None and not ctx.requester_locked
    assert ctx.requester == Requester(**REQUESTER)
    # open_row opens every sealed column of the row, for a server or a work pack
    with db.read() as s:
        row = dict(s.execute(select(Case.__table__).where(Case.id == case_id)).one()._mapping)
    opened = vault.open_row("case", row)
    assert json.loads(opened["requester"])["name"] == REQUESTER["name"]
    assert opened["report_text"] == "escalated by a partner"


def test_the_response_deadline_is_given_or_from_the_channels_sla(db: Database, tmp_path: Path) -> None:
    given = NOW + timedelta(hours=5)
    import_lines(
        db,
        tmp_path / "in",
        [
            response_line("D-given", response_due_at=given.isoformat(), created_at=NOW.isoformat()),
            response_line("D-sla", channel="regulator", created_at=NOW.isoformat()),
            response_line("D-none", channel="user_report", created_at=NOW.isoformat()),
            response_line("D-now", channel="staff"),  # no created_at: from the import's now
        ],
    )
    with db.read() as s:
        rows = dict(s.execute(select(Case.external_id, Case.response_due_at)).all())
        created = dict(s.execute(select(Case.external_id, Case.created_at)).all())
    assert rows["D-given"] == given
    assert rows["D-sla"] == NOW + timedelta(hours=response_sla_hours()["regulator"])
    assert rows["D-none"] is None
    assert rows["D-now"] == created["D-now"] + timedelta(hours=response_sla_hours()["staff"])


def test_a_bad_requester_line_stops_the_import(db: Database, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as caught:
        import_lines(db, tmp_path / "in", [response_line("X", requester={"name": "N", "extra": 1})])
    assert "requester.extra" in "\n".join(caught.value.errors)
