"""``reviewer policy install|versions|diff`` and ``reviewer gaps``: what they print, and a user mistake
as one line on stderr with a non-zero exit (an invalid pack: exit 2, nothing stored)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.identity import ensure_reviewer, set_role
from reviewer.policy import PolicyPack
from reviewer.policy_gaps import flag_gap, list_gaps
from reviewer.policy_sources import list_sources
from reviewer.storage.database import Database
from tests.support.policy_packs import ADDED_CODE, NEW_VERSION, OLD_VERSION, second_version


def _err_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [
        line
        for line in capsys.readouterr().err.splitlines()
        if not line.startswith(("database:", "audit checkpoints"))
    ]


def test_install_versions_and_diff(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = second_version(tmp_path)
    builtin = Path(__file__).resolve().parents[3] / "resources" / "policies" / "community-standards.toml"
    assert main(["--db", str(db_path), "policy", "install", str(builtin)]) == 0
    assert main(["--db", str(db_path), "policy", "install", str(new)]) == 0
    out = capsys.readouterr().out
    assert f"installed policy pack community-standards {NEW_VERSION}; the app and the CLI now use it" in out
    assert main(["--db", str(db_path), "policy", "install", str(new)]) == 0
    assert "installed already" in capsys.readouterr().out
    assert main(["--db", str(db_path), "policy", "versions"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"  {OLD_VERSION}") and lines[1].startswith(f"* {NEW_VERSION}")
    assert main(["--db", str(db_path), "policy", "diff", OLD_VERSION, NEW_VERSION]) == 0
    out = capsys.readouterr().out
    assert "2 section(s) differ" in out and f"== {ADDED_CODE} Violent events in progress (added)" in out


def test_an_invalid_pack_is_one_line_exit_2_and_nothing_stored(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[pack]\nid = "x"\nversion = "1"\ntitle = "t"\n', encoding="utf-8")
    assert main(["--db", str(db_path), "policy", "install", str(bad)]) == 2
    assert _err_lines(capsys) == [f"reviewer: {bad}: no [[section]] entries"]
    assert list_sources(db) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["policy", "diff", "2026.11", "1999.1"], "no stored policy pack version '2026.11'"),
        (["gaps", "--since", "yesterday"], "give a date as YYYY-MM-DD"),
        (["gaps", "-o", "gaps.xlsx"], "name a .csv or a .jsonl file"),
        (["gaps", "close", "12345678", "--note", "x"], "no policy gap '12345678'"),
    ],
)
def test_mistakes_are_one_line(
    db: Database, db_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["--db", str(db_path), *argv]) == 1
    (line,) = _err_lines(capsys)
    assert line.startswith("reviewer: ") and message in line


def test_gaps_list_export_and_close(
    db: Database,
    db_path: Path,
    pack: PolicyPack,
    tmp_path: Path,
    make_cases: Callable[..., list[uuid.UUID]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    (case_id,) = make_cases(1)
    gap_id = flag_gap(
        db,
        case_id=case_id,
        reviewer=ensure_reviewer(db, "tester"),
        pack=pack,
        note="AI art?",
        policy_code="VIO-2",
    )
    assert main(["--db", str(db_path), "gaps"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(str(gap_id)[:8]) and line.endswith("VIO-2  tester: AI art?")
    out = tmp_path / "gaps.jsonl"
    assert main(["--db", str(db_path), "gaps", "-o", str(out)]) == 0
    assert "1 policy gap(s) written" in capsys.readouterr().out and out.read_text().count("\n") == 1
    assert main(["--db", str(db_path), "gaps", "close", str(gap_id)[:8], "--note", "clarified"]) == 1
    assert "not a lead" in _err_lines(capsys)[0]
    set_role(db, "tester", "lead", actor="test")
    assert main(["--db", str(db_path), "gaps", "close", str(gap_id)[:8], "--note", "clarified"]) == 0
    assert list_gaps(db) == []
    assert main(["--db", str(db_path), "gaps", "--all"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("[closed by tester]")


@pytest.mark.parametrize(
    "cmd", [["policy"], ["policy", "install"], ["policy", "diff"], ["gaps"], ["gaps", "close"]]
)
def test_help(cmd: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([*cmd, "--help"])
    assert info.value.code == 0 and "usage: reviewer" in capsys.readouterr().out
