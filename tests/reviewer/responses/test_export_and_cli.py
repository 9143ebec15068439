"""Export of final responses (JSON Lines and CSV, 0600, marked and audited) and the ``responses`` CLI."""

from __future__ import annotations

import csv
import json
import stat
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.audit.verify import verify
from reviewer.cli import main
from reviewer.decisions import record_decision
from reviewer.models import AuditEvent, Case, Response, Reviewer
from reviewer.policy import PolicyPack
from reviewer.responses.export import export_responses
from reviewer.responses.store import finalise, save_draft
from reviewer.storage.database import Database
from reviewer.storage.errors import DataLocationError
from tests.support.responses import REQUESTER, import_lines, response_line

MakeCases = Callable[..., list[uuid.UUID]]


def _answered(db: Database, tmp_path: Path, reviewer: Reviewer, pack: PolicyPack) -> uuid.UUID:
    import_lines(db, tmp_path / "in", [response_line("E-1", requester=REQUESTER), response_line("E-2")])
    with db.read() as s:
        case_id = s.execute(select(Case.id).where(Case.external_id == "E-1")).scalar_one()
    record_decision(db, case_id=case_id, reviewer=reviewer, action="keep", pack=pack)
    draft = save_draft(db, case_id=case_id, reviewer_id=reviewer.id, template_id="partner-no-violation",
                       subject="=HYPERLINK(1)", body="Dear {x}\nline two")  # fmt: skip
    save_draft(
        db, case_id=case_id, reviewer_id=reviewer.id, template_id="partner-actioned", subject="draft", body=""
    )
    return finalise(db, draft.id, reviewer_id=reviewer.id).id


def test_export_jsonl_marks_audits_and_is_private(
    db: Database, tmp_path: Path, reviewer_row: Reviewer, pack: PolicyPack
) -> None:
    rid = _answered(db, tmp_path, reviewer_row, pack)
    out = tmp_path / "out" / "responses.jsonl"
    out.parent.mkdir()
    assert export_responses(db, out, actor="tester") == 1
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    (row,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert row["response_id"] == str(rid) and row["case_external_id"] == "E-1"
    assert row["subject"] == "=HYPERLINK(1)" and row["body"] == "Dear {x}\nline two"  # exact in JSON
    assert row["requester_name"] == REQUESTER["name"] and row["reference"] == REQUESTER["reference"]
    with db.read() as s:
        marked = dict(s.execute(select(Response.id, Response.exported_at)).all())
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert marked[rid] is not None and sum(v is not None for v in marked.values()) == 1  # drafts not exported
    assert last is not None and last.kind == "response.export"
    assert not list(out.parent.glob(".*tmp"))
    assert verify(db).ok


def test_export_csv_neutralises_formulas_and_since_filters(
    db: Database, tmp_path: Path, reviewer_row: Reviewer, pack: PolicyPack
) -> None:
    _answered(db, tmp_path, reviewer_row, pack)
    out = tmp_path / "r.csv"
    assert export_responses(db, out, actor="tester") == 1
    with out.open(encoding="utf-8", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["subject"] == "'=HYPERLINK(1)"
    later = datetime.now(UTC) + timedelta(days=1)
    assert export_responses(db, tmp_path / "none.csv", actor="tester", since=later) == 0


def test_export_refuses_a_bad_target(db: Database, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="name the export file .jsonl or .csv"):
        export_responses(db, tmp_path / "x.txt", actor="tester")
    with pytest.raises(DataLocationError, match="does not exist"):
        export_responses(db, tmp_path / "missing" / "x.csv", actor="tester")


def test_cli_lists_and_exports(
    db: Database, db_path: Path, tmp_path: Path, reviewer_row: Reviewer, pack: PolicyPack,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    _answered(db, tmp_path, reviewer_row, pack)
    with db.write() as s:
        late = s.execute(select(Case).where(Case.external_id == "E-2")).scalar_one()
        late.response_due_at = datetime.now(UTC) - timedelta(hours=1)
    url = f"sqlite:///{db_path}"
    assert main(["--db", url, "responses"]) == 0
    out = capsys.readouterr().out
    assert "E-1  partner" in out and "responded" in out and "E-2  partner" in out and "overdue" in out
    assert main(["--db", url, "responses", "--overdue"]) == 0
    out = capsys.readouterr().out
    assert "E-2" in out and "E-1" not in out
    assert main(["--db", url, "responses", "--due"]) == 0
    assert "no responses due" in capsys.readouterr().out
    target = tmp_path / "r.jsonl"
    assert main(["--db", url, "responses", "export", "-o", str(target), "--since", "2020-01-01"]) == 0
    assert "exported 1 response(s)" in capsys.readouterr().out
    assert target.is_file()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["responses", "export", "-o", "{tmp}/r.txt"], "name the export file .jsonl or .csv"),
        (["responses", "export", "-o", "{tmp}/r.csv", "--since", "last tuesday"], "--since 'last tuesday'"),
        (["responses", "export", "-o", "{tmp}/nowhere/r.csv"], "does not exist"),
        (["responses", "export", "-o", "{tmp}"], "is a folder"),
    ],
)
def test_cli_mistakes_are_one_line(
    db_path: Path, tmp_path: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--db", f"sqlite:///{db_path}", *(a.replace("{tmp}", str(tmp_path)) for a in argv)]
    assert main(args) != 0
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
