"""Appeals in the core: imported all or nothing (each bad line by number; the statement sealed), worked by
another reviewer than the one who decided, ending as uphold or overturn — new decisions, never edits."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.appeals.importing import AppealImportFailed, import_appeals
from reviewer.appeals.outcomes import OVERTURN, UPHOLD, AppealError, decide_appeal, list_appeals
from reviewer.audit.verify import verify
from reviewer.conflicts import CaseAlreadyDecided
from reviewer.decisions import record_decision
from reviewer.identity import ensure_reviewer
from reviewer.models import Appeal, Case, Decision
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from reviewer.vault.sealing import SEALED_PREFIX


def _external(db: Database, case_id: uuid.UUID) -> str:
    with db.read() as s:
        return s.get_one(Case, case_id).external_id


def _file(tmp_path: Path, *lines: object) -> Path:
    path = tmp_path / "appeals.jsonl"
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8"
    )
    return path


@pytest.fixture
def decided(
    db: Database, pack: PolicyPack, make_cases: Callable[..., list[uuid.UUID]]
) -> tuple[uuid.UUID, uuid.UUID]:
    (case_id,) = make_cases(1)
    me = ensure_reviewer(db, "tester")
    result = record_decision(
        db, case_id=case_id, reviewer=me, action="remove", policy_code="VIO-1", pack=pack
    )
    return case_id, result.decision_id


def test_an_appeal_is_imported_with_its_statement_sealed(
    db: Database, tmp_path: Path, decided: tuple[uuid.UUID, uuid.UUID]
) -> None:
    case_id, decision_id = decided
    statement = "It was a <b>joke</b> between friends"
    path = _file(tmp_path, {"appeal_id": "AP-1", "case": _external(db, case_id), "statement": statement})
    assert import_appeals(db, path, actor="tester") == 1
    with db.read() as s:
        stored = s.execute(select(Appeal.statement)).scalar_one()
    assert stored.startswith(SEALED_PREFIX) and "joke" not in stored  # no plain text at rest
    (appeal,) = list_appeals(db)
    assert (appeal.statement, appeal.original_decision_id, appeal.original_reviewer) == (
        statement,
        decision_id,
        "tester",
    )
    assert (appeal.original_action, appeal.original_policy) == ("remove", "VIO-1")
    assert verify(db).ok


def test_a_file_with_bad_lines_is_refused_whole_with_each_line_number(
    db: Database,
    tmp_path: Path,
    decided: tuple[uuid.UUID, uuid.UUID],
    make_cases: Callable[..., list[uuid.UUID]],
) -> None:
    case_id, _ = decided
    (open_case,) = make_cases(1)
    ext = _external(db, case_id)
    path = _file(
        tmp_path,
        {"appeal_id": "AP-1", "case": ext, "statement": "fine line"},
        "{not json",
        {"appeal_id": "AP-3", "case": "NO-SUCH", "statement": "x"},
        {"appeal_id": "AP-4", "case": _external(db, open_case), "statement": "x"},
        {"appeal_id": "AP-1", "case": ext, "statement": "again"},
        {"appeal_id": "AP-6", "case": ext, "statement": "x", "appealed_at": "yesterday"},
        {"appeal_id": "AP-7", "case": ext, "statement": "  "},
    )
    with pytest.raises(AppealImportFailed) as info:
        import_appeals(db, path, actor="tester")
    assert [e.split(":")[0] for e in info.value.errors] == [f"line {n}" for n in (2, 3, 4, 5, 6, 7)]
    assert "no standing decision" in info.value.errors[2] and "line 1 too" in info.value.errors[3]
    assert list_appeals(db, open_only=False) == []  # nothing written


def test_an_appeal_by_the_same_reviewer_is_refused(
    db: Database, pack: PolicyPack, tmp_path: Path, decided: tuple[uuid.UUID, uuid.UUID]
) -> None:
    case_id, _ = decided
    import_appeals(
        db,
        _file(tmp_path, {"appeal_id": "AP-1", "case": _external(db, case_id), "statement": "s"}),
        actor="t",
    )
    (appeal,) = list_appeals(db)
    me = ensure_reviewer(db, "tester")
    assert list_appeals(db, not_decided_by=me) == []  # not in their queue either
    with pytest.raises(AppealError, match="another reviewer than the one who decided"):
        decide_appeal(db, appeal.id, reviewer=me, outcome=UPHOLD, pack=pack)
    with db.read() as s:
        assert (
            len(s.execute(select(Decision.id).where(Decision.case_id == case_id)).all()) == 1
        )  # nothing written


def test_uphold_is_a_new_linked_decision_and_the_original_stands(
    db: Database, pack: PolicyPack, tmp_path: Path, decided: tuple[uuid.UUID, uuid.UUID]
) -> None:
    case_id, original = decided
    import_appeals(
        db,
        _file(tmp_path, {"appeal_id": "AP-1", "case": _external(db, case_id), "statement": "s"}),
        actor="t",
    )
    (appeal,) = list_appeals(db)
    other = ensure_reviewer(db, "sam")
    done = decide_appeal(db, appeal.id, reviewer=other, outcome=UPHOLD, pack=pack)
    assert done.status == "upheld" and done.worked_by == "sam"
    with db.read() as s:
        made = s.get_one(Decision, done.outcome_decision_id)
        undos = s.execute(select(Decision.id).where(Decision.reverses_id == original)).all()
    assert (made.action, made.policy_code, made.note) == ("remove", "VIO-1", "appeal upheld")
    assert undos == []
    with pytest.raises(AppealError, match="upheld already"):
        decide_appeal(db, appeal.id, reviewer=other, outcome=OVERTURN, action="keep", note="x", pack=pack)
    assert verify(db).ok


def test_overturn_undoes_the_original_and_writes_the_new_decision_together(
    db: Database, pack: PolicyPack, tmp_path: Path, decided: tuple[uuid.UUID, uuid.UUID]
) -> None:
    case_id, original = decided
    import_appeals(
        db,
        _file(tmp_path, {"appeal_id": "AP-1", "case": _external(db, case_id), "statement": "s"}),
        actor="t",
    )
    (appeal,) = list_appeals(db)
    other = ensure_reviewer(db, "sam")
    with pytest.raises(AppealError, match="this would uphold it"):
        decide_appeal(
            db,
            appeal.id,
            reviewer=other,
            outcome=OVERTURN,
            action="remove",
            policy_code="VIO-1",
            note="x",
            pack=pack,
        )
    with pytest.raises(AppealError, match="needs a reason"):
        decide_appeal(db, appeal.id, reviewer=other, outcome=OVERTURN, action="keep", pack=pack)
    done = decide_appeal(
        db, appeal.id, reviewer=other, outcome=OVERTURN, action="keep", note="context: news", pack=pack
    )
    assert done.status == "overturned"
    with db.read() as s:
        row = s.get_one(Appeal, appeal.id)
        undo = s.get_one(Decision, row.undo_decision_id)
        made = s.get_one(Decision, row.outcome_decision_id)
        first = s.get_one(Decision, original)
        status = s.get_one(Case, case_id).status
    assert undo.reverses_id == original and made.action == "keep" and status == "decided"
    assert (first.action, first.policy_code) == ("remove", "VIO-1")  # never edited
    assert verify(db).ok


def test_an_appeal_whose_decision_changed_meanwhile_is_refused(
    db: Database, pack: PolicyPack, tmp_path: Path, decided: tuple[uuid.UUID, uuid.UUID]
) -> None:
    case_id, _ = decided
    import_appeals(
        db,
        _file(tmp_path, {"appeal_id": "AP-1", "case": _external(db, case_id), "statement": "s"}),
        actor="t",
    )
    (appeal,) = list_appeals(db)
    other, third = ensure_reviewer(db, "sam"), ensure_reviewer(db, "kim")
    decide_appeal(db, appeal.id, reviewer=other, outcome=OVERTURN, action="keep", note="r", pack=pack)
    import_appeals(
        db,
        _file(tmp_path, {"appeal_id": "AP-2", "case": _external(db, case_id), "statement": "s"}),
        actor="t",
    )
    with db.write() as s:  # a stale second appeal: pretend it names the first (undone) decision
        row = s.execute(select(Appeal).where(Appeal.external_id == "AP-2")).scalar_one()
        row.original_decision_id = appeal.original_decision_id
    second = next(a for a in list_appeals(db) if a.external_id == "AP-2")
    with pytest.raises(CaseAlreadyDecided):
        decide_appeal(db, second.id, reviewer=third, outcome=UPHOLD, pack=pack)
