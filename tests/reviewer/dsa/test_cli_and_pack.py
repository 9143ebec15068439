"""``reviewer export --format dsa-sor`` and ``reviewer dsa missing``; the pack's [dsa] mapping at load."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.decisions import record_decision
from reviewer.identity import ensure_reviewer
from reviewer.policy import PolicyPack, PolicyPackError, default_pack_path, load_pack
from reviewer.storage.database import Database


def _decided(db: Database, pack: PolicyPack, make_cases: Callable[..., list[uuid.UUID]]) -> None:
    me = ensure_reviewer(db, "tester")
    ok, illegal = make_cases(2)
    record_decision(db, case_id=ok, reviewer=me, action="remove", policy_code="VIO-2", pack=pack)
    record_decision(db, case_id=illegal, reviewer=me, action="remove", policy_code="CS-1", pack=pack)


def test_export_writes_batches_and_csv_and_says_how_many_cannot(
    db: Database,
    db_path: Path,
    pack: PolicyPack,
    make_cases: Callable[..., list[uuid.UUID]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _decided(db, pack, make_cases)
    out, sheet = tmp_path / "sor", tmp_path / "sor.csv"
    assert (
        main(["--db", str(db_path), "export", "--format", "dsa-sor", "-o", str(out), "--csv", str(sheet)])
        == 0
    )
    err = capsys.readouterr().err
    assert "exported 1 statements of reasons in 1 batches" in err
    assert "1 decisions cannot yet produce a valid statement" in err
    assert len(json.loads((out / "sor-0001.json").read_text(encoding="utf-8"))["statements"]) == 1
    assert len(sheet.read_text(encoding="utf-8").splitlines()) == 2

    assert main(["--db", str(db_path), "dsa", "missing"]) == 0
    captured = capsys.readouterr()
    (line,) = captured.out.splitlines()
    assert "remove" in line and "missing: illegal_content_explanation" in line
    assert "1 decisions cannot yet produce" in captured.err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--format", "dsa-sor"], "needs -o"),
        (["--format", "csv", "--csv", "{tmp}/x.csv"], "--csv goes with --format dsa-sor"),
        (["--format", "dsa-sor", "-o", "{tmp}/file.txt"], "is a file"),
        (["--format", "dsa-sor", "-o", "{tmp}/out.json"], "give a folder"),
        (["--format", "dsa-sor", "-o", "{tmp}/nowhere/out"], "does not exist"),
        (["--format", "dsa-sor", "-o", "{tmp}/nowhere/b.jsonl"], "does not exist"),
        (["--format", "dsa-sor", "-o", "{tmp}/out", "--csv", "{tmp}"], "is a folder"),
    ],
)
def test_export_mistakes_are_one_line_and_a_non_zero_exit(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    argv = ["--db", str(db_path), "export", *(a.format(tmp=tmp_path) for a in args)]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and words in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def _pack_with(tmp_path: Path, old: str, new: str) -> Path:
    text = default_pack_path().read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "pack.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_shipped_pack_maps_every_restricting_action_and_section(pack: PolicyPack) -> None:
    assert pack.dsa is not None
    for section in pack.sections:
        if set(section.actions) - {"keep", "escalate"}:
            assert pack.dsa.section(section.code) is not None, section.code
        for action in set(section.actions) - {"keep", "escalate"}:
            assert pack.dsa.restriction(action) is not None, action
    assert pack.dsa.section("NV-0") is None


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        (
            'category = "STATEMENT_CATEGORY_VIOLENCE"',
            'category = "VIOLENCE"',
            "section 1 (VIO-1) [section.dsa]: field 'category'",
        ),
        (
            'keywords = ["KEYWORD_INCITEMENT_VIOLENCE_HATRED"]',
            'keywords = ["KEYWORD_NOPE"]',
            "field 'keywords'",
        ),
        (
            'decision_ground = "DECISION_GROUND_INCOMPATIBLE_CONTENT"',
            'decision_ground = "TOS"',
            "'decision_ground'",
        ),
        (
            'suspend = { decision_account = "DECISION_ACCOUNT_SUSPENDED" }',
            'suspend = { decision_account = "BAN" }',
            "[dsa.actions] suspend",
        ),
        (
            "suspend = { decision_account",
            'suspend = { ban = "x", decision_account',
            "[dsa.actions] suspend: unknown key(s): ban",
        ),
        (
            'staff = { source_type = "SOURCE_VOLUNTARY"',
            'staff = { source_type = "SOURCE_STAFF"',
            "[dsa.sources] staff",
        ),
        (
            'automated_decision = "AUTOMATED_DECISION_NOT_AUTOMATED"',
            'automated_decision = "No"',
            "[dsa]: field 'automated_decision'",
        ),
        ("[dsa]\n", "[dsa]\nscope = 1\n", "[dsa]: unknown key(s): scope"),
    ],
)
def test_a_wrong_dsa_value_in_a_pack_is_one_line_naming_file_and_table(
    tmp_path: Path, old: str, new: str, words: str
) -> None:
    with pytest.raises(PolicyPackError) as info:
        load_pack(_pack_with(tmp_path, old, new))
    message = str(info.value)
    assert "\n" not in message and str(tmp_path / "pack.toml") in message and words in message
