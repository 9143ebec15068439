"""Statements derived from decisions, amended, exported in API batches and CSV, and read back."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from reviewer.audit import verify
from reviewer.decisions import record_decision, undo_last
from reviewer.dsa import derive
from reviewer.dsa.amend import AmendError, amend, current
from reviewer.dsa.derive import statement_for, statements
from reviewer.dsa.export import CSV_FIELDS, batches, export_sor, missing, read_csv
from reviewer.dsa.rules import BATCH_MAX, validate
from reviewer.models import AuditEvent, Decision, Item, SorAmendment
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database

Cases = Callable[..., list[uuid.UUID]]


def _decide(db: Database, pack: PolicyPack, case_id: uuid.UUID, action: str, code: str) -> uuid.UUID:
    from reviewer.identity import ensure_reviewer

    me = ensure_reviewer(db, "tester")
    return record_decision(
        db, case_id=case_id, reviewer=me, action=action, policy_code=code, pack=pack
    ).decision_id


def test_a_removal_under_a_terms_section_derives_a_valid_statement(
    db: Database, pack: PolicyPack, make_cases: Cases
) -> None:
    (case_id,) = make_cases(1, channel="user_report", with_image="ab" * 32)
    decision_id = _decide(db, pack, case_id, "remove", "VIO-1")
    s = statement_for(db, decision_id)
    assert s is not None and s.valid, s.problems if s else None
    body = s.body()
    assert body["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert body["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert body["incompatible_content_ground"].startswith("Community Standards, section VIO-1")
    assert body["category"] == "STATEMENT_CATEGORY_VIOLENCE"
    assert body["category_specification"] == ["KEYWORD_INCITEMENT_VIOLENCE_HATRED"]
    assert body["content_type"] == ["CONTENT_TYPE_IMAGE", "CONTENT_TYPE_TEXT"]
    assert (body["source_type"], body["automated_detection"]) == ("SOURCE_ARTICLE_16", "No")
    assert body["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert body["puid"] == str(decision_id) and "illegal_content_legal_ground" not in body
    assert len(body["territorial_scope"]) == 30
    assert "VIO-1" in body["decision_facts"] and body["application_date"] == s.decided_at.date().isoformat()


def test_a_suspension_is_an_account_restriction_and_a_link_is_other_content(
    db: Database, pack: PolicyPack, make_cases: Cases
) -> None:
    (case_id,) = make_cases(1, channel="high_risk_watch")
    with db.write() as session:
        session.add(Item(case_id=case_id, kind="link", url="https://example.com", position=1))
    s = statement_for(db, _decide(db, pack, case_id, "suspend", "VIO-1"))
    assert s is not None and s.valid
    body = s.body()
    assert body["decision_account"] == "DECISION_ACCOUNT_SUSPENDED" and "decision_visibility" not in body
    assert "CONTENT_TYPE_OTHER" in body["content_type"] and body["content_type_other"]
    assert (body["source_type"], body["automated_detection"]) == ("SOURCE_VOLUNTARY", "Yes")


def test_keep_and_undone_decisions_have_no_statement(
    db: Database, pack: PolicyPack, make_cases: Cases
) -> None:
    from reviewer.identity import ensure_reviewer

    kept, undone = make_cases(2)
    _decide(db, pack, kept, "keep", "NV-0")
    removed = _decide(db, pack, undone, "remove", "VIO-2")
    assert [s.decision_id for s in statements(db)] == [removed]
    undo_last(db, reviewer=ensure_reviewer(db, "tester"), session_id=None)
    assert list(statements(db)) == []


def test_illegal_content_lists_its_missing_explanation_until_amended(
    db: Database, pack: PolicyPack, make_cases: Cases
) -> None:
    (case_id,) = make_cases(1, category="child_safety")
    decision_id = _decide(db, pack, case_id, "remove", "CS-1")
    (entry,) = missing(db)
    assert entry.decision_id == str(decision_id) and entry.missing == ("illegal_content_explanation",)
    s = statement_for(db, decision_id)
    assert s is not None and s.fields["illegal_content_legal_ground"].startswith("Directive 2011/93/EU")

    amend(
        db,
        decision_id,
        {"illegal_content_explanation": "  Depicts a minor.  ", "territorial_scope": "DE AT"},
        actor="t",
    )
    assert current(db, decision_id) == {
        "illegal_content_explanation": "Depicts a minor.",
        "territorial_scope": ["DE", "AT"],
    }
    assert missing(db) == []
    body = statement_for(db, decision_id).body()  # type: ignore[union-attr]
    assert (
        body["territorial_scope"] == ["DE", "AT"]
        and body["illegal_content_explanation"] == "Depicts a minor."
    )

    amend(db, decision_id, {"illegal_content_explanation": ""}, actor="t")  # replaced whole: missing again
    assert [e.missing for e in missing(db)] == [("illegal_content_explanation",)]
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(SorAmendment)) == 1
        kinds = session.scalars(select(AuditEvent.kind).where(AuditEvent.kind == "sor.amend")).all()
    assert len(kinds) == 2
    assert verify(db).ok


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"category": "STATEMENT_CATEGORY_VIOLENCE"}, "not a field a reviewer enters"),
        ({"territorial_scope": ["DE", "GB"]}, "territorial_scope"),
        ({"content_date": "1/12/2026"}, "content_date"),
        ({"decision_facts": "x" * 5001}, "decision_facts"),
        ({"automated_detection": "Maybe"}, "automated_detection"),
    ],
)
def test_an_amendment_breaking_a_rule_is_refused_and_nothing_written(
    db: Database, pack: PolicyPack, make_cases: Cases, fields: dict[str, object], words: str
) -> None:
    (case_id,) = make_cases(1)
    decision_id = _decide(db, pack, case_id, "remove", "VIO-2")
    with pytest.raises(AmendError, match=words):
        amend(db, decision_id, fields, actor="t")
    assert current(db, decision_id) == {}


def test_an_amendment_of_a_decision_without_statement_is_refused(
    db: Database, pack: PolicyPack, make_cases: Cases
) -> None:
    (case_id,) = make_cases(1)
    kept = _decide(db, pack, case_id, "keep", "NV-0")
    with pytest.raises(AmendError, match="no statement"):
        amend(db, kept, {"decision_facts": "x"}, actor="t")


def test_a_decision_citing_a_pack_text_not_stored_here_is_listed(
    db: Database, pack: PolicyPack, make_cases: Cases
) -> None:
    (case_id,) = make_cases(1)
    decision_id = _decide(db, pack, case_id, "remove", "VIO-2")
    with db.write() as session:
        session.execute(update(Decision).where(Decision.id == decision_id).values(policy_sha256="f" * 64))
    (entry,) = missing(db)
    assert "not stored" in entry.invalid[0] and "category" in entry.missing


def test_batches_stay_within_the_api_limit() -> None:
    sizes = [len(b) for b in batches({"puid": str(i)} for i in range(2 * BATCH_MAX + 5))]
    assert sizes == [100, 100, 5] and list(batches([])) == []
    assert [len(b) for b in batches(range(100))] == [100]  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        list(batches([], size=101))


def test_json_batches_and_csv_round_trip(
    db: Database, pack: PolicyPack, make_cases: Cases, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(derive, "PARTITION", 7)  # read in many partitions
    ids = make_cases(BATCH_MAX + 1, channel="partner")
    codes = ["VIO-1", "HATE-1", "SP-1"]
    for n, case_id in enumerate(ids):
        _decide(db, pack, case_id, ["remove", "warn", "strike"][n % 3], codes[n % 3])
    (illegal,) = make_cases(1, category="child_safety")
    _decide(db, pack, illegal, "remove", "CS-1")  # not valid yet: not exported

    expected = [s.body() for s in statements(db) if s.valid]
    assert len(expected) == BATCH_MAX + 1
    result = export_sor(db, tmp_path / "batches", tmp_path / "sor.csv")
    assert (result.written, result.batches, result.invalid) == (BATCH_MAX + 1, 2, 1)
    files = sorted((tmp_path / "batches").iterdir())
    assert [f.name for f in files] == ["sor-0001.json", "sor-0002.json"]
    read = [json.loads(f.read_text(encoding="utf-8")) for f in files]
    assert [len(r["statements"]) for r in read] == [100, 1] and all(set(r) == {"statements"} for r in read)
    assert [s for r in read for s in r["statements"]] == expected
    assert all(validate(s) == [] for r in read for s in r["statements"])
    assert oct(files[0].stat().st_mode & 0o777) == "0o600"

    text = (tmp_path / "sor.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0].split(",") == list(CSV_FIELDS)
    assert read_csv(text) == expected

    lines = export_sor(db, tmp_path / "b.jsonl")
    assert lines.batches == 2
    bodies = [json.loads(line) for line in (tmp_path / "b.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [s for b in bodies for s in b["statements"]] == expected


def test_csv_cells_that_look_like_formulas_are_inert_and_read_back_exactly(
    db: Database, pack: PolicyPack, make_cases: Cases, tmp_path: Path
) -> None:
    (case_id,) = make_cases(1)
    decision_id = _decide(db, pack, case_id, "remove", "VIO-2")
    amend(db, decision_id, {"decision_facts": '=HYPERLINK("http://x","y")'}, actor="t")
    export_sor(db, tmp_path / "out", tmp_path / "sor.csv")
    text = (tmp_path / "sor.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text
    assert read_csv(text)[0]["decision_facts"] == '=HYPERLINK("http://x","y")'
