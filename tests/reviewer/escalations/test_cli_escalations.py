"""``reviewer escalations``: open escalations one line each (tier, holder, hand-off note, tier SLA),
``--tier`` and ``--overdue``, hostile text shown visible, mistakes in one line with exit 1."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.clock import utcnow
from reviewer.decisions import record_decision
from reviewer.models import Case, Reviewer
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database


def _run(capsys: pytest.CaptureFixture[str], db_path: Path, *args: str) -> tuple[int, list[str], list[str]]:
    code = main(["--db", str(db_path), "escalations", *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def _external(db: Database, case_id: uuid.UUID) -> str:
    with db.read() as s:
        case = s.get(Case, case_id)
        assert case is not None
        return case.external_id


def test_lists_open_escalations_by_tier_and_overdue(
    db: Database,
    db_path: Path,
    make_cases: Callable[..., list[uuid.UUID]],
    reviewer_row: Reviewer,
    pack: PolicyPack,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(capsys, db_path)
    assert (code, out) == (0, ["no open escalations"]) and err[-1].startswith("database: ")
    a, b, _c = make_cases(3)
    now = utcnow()
    record_decision(db, case_id=a, reviewer=reviewer_row, action="escalate", pack=pack,
                    rationale="threat with a date\n<b>named</b> \u202eschool", now=now - timedelta(hours=9))  # fmt: skip
    record_decision(db, case_id=b, reviewer=reviewer_row, action="escalate", to_tier=3, pack=pack,
                    rationale="legal hold", now=now)  # fmt: skip
    code, out, _err = _run(capsys, db_path)
    assert code == 0 and len(out) == 2
    first, second = out
    assert first.startswith(f"{_external(db, a)}  OVERDUE  Tier 2 — senior review · escalated by tester 9 h")
    assert "«threat with a date <b>named</b> ⟨U+202E⟩school»" in first  # one line, hidden characters shown
    assert "not held" in first and "tier SLA overdue by 1 h" in first
    assert second.startswith(f"{_external(db, b)}  Policy / Legal · escalated by tester")
    assert "«legal hold»" in second and "tier SLA 47 h" in second
    assert _run(capsys, db_path, "--tier", "3")[1] == [second]
    assert _run(capsys, db_path, "--overdue")[1] == [first]
    assert _run(capsys, db_path, "--tier", "3", "--overdue")[1] == ["no overdue open escalations at tier 3"]


@pytest.mark.parametrize("tier", ["0", "4"])
def test_a_tier_the_pack_lacks_is_one_line_and_exit_1(
    db_path: Path, capsys: pytest.CaptureFixture[str], tier: str
) -> None:
    code, out, err = _run(capsys, db_path, "--tier", tier)
    assert code == 1 and out == []
    assert err == [
        f"reviewer: no tier {tier} in policy pack 2026.12.1: its tiers are 1 (Tier 1 — frontline), "
        "2 (Tier 2 — senior review), 3 (Policy / Legal)"
    ]


def test_a_missing_database_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, tmp_path / "absent.sqlite3")
    assert code == 1 and out == [] and len(err) == 1 and "no database at" in err[0]
