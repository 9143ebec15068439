from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer.cli import main

COMMANDS = [
    [],
    ["demo"],
    ["import"],
    ["export"],
    ["audit"],
    ["audit", "verify"],
    ["audit", "checkpoint"],
    ["role"],
    ["open"],
]


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help_everywhere(cmd: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([*cmd, "--help"])
    assert info.value.code == 0
    assert "usage: reviewer" in capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("reviewer 0.")


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reviewer.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_user_mistakes_give_one_line_and_no_traceback(tmp_path: Path) -> None:
    missing = _run("import", str(tmp_path / "nope.jsonl"), cwd=tmp_path)
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1 and "no such file" in missing.stderr
    (tmp_path / "junk.sqlite3").write_bytes(b"junk" * 1000)
    junk = _run("--db", str(tmp_path / "junk.sqlite3"), "audit", "verify", cwd=tmp_path)
    assert junk.returncode == 1 and "not a database" in junk.stderr and "Traceback" not in junk.stderr


def test_import_verify_export_round_trip(tmp_path: Path) -> None:
    db = str(tmp_path / "x.sqlite3")
    src = tmp_path / "cases.jsonl"
    src.write_text(
        json.dumps(
            {"id": "A", "channel": "media", "category": "spam", "items": [{"kind": "text", "text": "hi"}]}
        )
        + "\n{bad\n"
    )
    bad = _run("--db", db, "--init", "import", str(src), cwd=tmp_path)
    assert bad.returncode == 1 and "line 2:" in bad.stderr and "nothing written" in bad.stderr
    src.write_text(src.read_text().splitlines()[0] + "\n")
    ok = _run("--db", db, "import", str(src), cwd=tmp_path)
    assert ok.returncode == 0 and "imported 1 cases" in ok.stdout
    assert _run("--db", db, "audit", "verify", cwd=tmp_path).stdout.startswith("OK")
    out = _run("--db", db, "export", "--format", "jsonl", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout == ""


def test_opening_without_the_ui_package_says_so(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["--db", str(tmp_path / "y.sqlite3")]) == 1
    assert "desktop app is not installed" in capsys.readouterr().err


def test_verify_prints_one_line_per_problem_and_fails(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "x.sqlite3"
    src = tmp_path / "cases.jsonl"
    src.write_text(
        json.dumps(
            {"id": "A", "channel": "media", "category": "spam", "items": [{"kind": "text", "text": "hi"}]}
        )
        + "\n"
    )
    assert _run("--db", str(db), "--init", "import", str(src), cwd=tmp_path).returncode == 0
    assert _run("--db", str(db), "audit", "checkpoint", cwd=tmp_path).returncode == 0
    con = sqlite3.connect(db)
    con.execute("DELETE FROM audit_event")
    con.execute("DELETE FROM audit_checkpoint")
    con.commit()
    con.close()
    broken = _run("--db", str(db), "audit", "verify", cwd=tmp_path)
    assert broken.returncode == 1 and "Traceback" not in broken.stderr
    lines = broken.stdout.splitlines()
    assert lines and all(line.startswith(("BROKEN: ", "WARNING: ")) for line in lines), lines
    assert any("are missing; the checkpoint of" in line for line in lines), lines


def test_role_makes_a_lead_and_refuses_an_unknown_reviewer(tmp_path: Path) -> None:
    db = str(tmp_path / "x.sqlite3")
    unknown = _run("--db", db, "--init", "role", "nobody", "lead", cwd=tmp_path)
    assert unknown.returncode == 1 and unknown.stderr.count("\n") == 1 and "no reviewer" in unknown.stderr
