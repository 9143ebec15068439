"""``reviewer qa …`` and ``reviewer appeals …``: what they print, and each mistake as one line on stderr
with a non-zero exit (a refused import: that line and its bad lines by number, nothing stored)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer.appeals.outcomes import list_appeals
from reviewer.cli import main
from reviewer.decisions import record_decision
from reviewer.identity import ensure_reviewer
from reviewer.models import Case
from reviewer.policy import PolicyPack
from reviewer.qa.reviews import list_items
from reviewer.storage.database import Database


def _err(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [
        line
        for line in capsys.readouterr().err.splitlines()
        if not line.startswith(("database:", "audit checkpoints"))
    ]


def _decide(db: Database, pack: PolicyPack, case_id: uuid.UUID, handle: str) -> str:
    who = ensure_reviewer(db, handle)
    record_decision(db, case_id=case_id, reviewer=who, action="remove", policy_code="VIO-1", pack=pack)
    with db.read() as s:
        return s.get_one(Case, case_id).external_id


def test_rates_sample_and_a_blind_verdict_from_the_cli(
    db: Database,
    db_path: Path,
    pack: PolicyPack,
    make_cases: Callable[..., list[uuid.UUID]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (case_id,) = make_cases(1)
    external = _decide(db, pack, case_id, "ana")
    base = ["--db", str(db_path)]
    assert main([*base, "qa", "rate", "1", "--channel", "partner"]) == 0
    assert "channel partner: 100.00%" in capsys.readouterr().out
    assert main([*base, "qa", "rate", "7"]) == 1
    assert _err(capsys) == ["reviewer: a QA rate is a fraction from 0 to 1 (0.05 is 5 %), not 7.0"]
    assert main([*base, "qa", "sample"]) == 0
    assert "1 sampled" in capsys.readouterr().out
    assert main([*base, "qa", "list"]) == 0  # REVIEWER_USER=tester: another reviewer than ana
    out = capsys.readouterr().out
    assert external in out and "remove" not in out and "ana" not in out  # blind
    (item,) = list_items(db)
    assert main([*base, "qa", "decide", str(item.id)[:8], "keep"]) == 0
    assert "differs; a lead will adjudicate" in capsys.readouterr().out
    assert main([*base, "qa", "adjudications"]) == 1
    assert _err(capsys) == ["reviewer: tester is not a lead; the disagreements are for leads"]
    assert main([*base, "qa", "adjudicate", str(item.id)[:8], "keep", "--note", "ok"]) == 1
    assert _err(capsys) == ["reviewer: tester is not a lead; only a lead adjudicates a QA disagreement"]
    monkeypatch.setenv("REVIEWER_USER", "ana")
    assert main([*base, "qa", "decide", "deadbeef", "keep"]) == 1
    assert _err(capsys) == ["reviewer: no QA item 'deadbeef' (list them with: reviewer qa list)"]


def test_appeals_import_list_and_overturn_from_the_cli(
    db: Database,
    db_path: Path,
    pack: PolicyPack,
    tmp_path: Path,
    make_cases: Callable[..., list[uuid.UUID]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    (case_id,) = make_cases(1)
    external = _decide(db, pack, case_id, "ana")
    base = ["--db", str(db_path)]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps({"appeal_id": "A1", "case": external, "statement": "s"}) + "\n[1]\n", encoding="utf-8"
    )
    assert main([*base, "appeals", "import", str(bad)]) == 1
    assert _err(capsys) == [
        f"reviewer: {bad}: appeals refused, nothing written: 1 problem(s)",
        "  line 2: an appeal is a JSON object",
    ]
    assert list_appeals(db, open_only=False) == []
    assert main([*base, "appeals", "import", str(tmp_path / "none.jsonl")]) == 1
    assert len(_err(capsys)) == 1
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"appeal_id": "A1", "case": external, "statement": "it was\nsatire"}) + "\n")
    assert main([*base, "appeals", "import", str(good)]) == 0
    assert "imported 1 appeal(s)" in capsys.readouterr().out
    assert main([*base, "appeals", "list"]) == 0
    out = capsys.readouterr().out
    assert "A1" in out and "ana: remove VIO-1" in out and "it was satire" in out
    assert main([*base, "appeals", "overturn", "A1", "keep", "--note", "satire"]) == 0
    assert "appeal A1 overturned" in capsys.readouterr().out
    assert main([*base, "appeals", "uphold", "A1"]) == 1
    assert _err(capsys) == ["reviewer: that appeal is overturned already"]
