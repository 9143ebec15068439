"""``reviewer investigations`` / ``reviewer investigation …``: the verbs, and mistakes as one line."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.cli import main
from reviewer.investigations import create_investigation, get_investigation
from reviewer.models import Account, Case, Reviewer
from reviewer.storage.database import Database

MakeCases = Callable[..., list[uuid.UUID]]


def _said(err: str) -> list[str]:
    """What a command said on stderr besides the closing ``database: …`` line every command prints."""
    return [line for line in err.splitlines() if not line.startswith("database: ")]


def _run(capsys: pytest.CaptureFixture[str], db_path: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", str(db_path), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_new_add_show_and_list(
    db: Database, db_path: Path, make_cases: MakeCases, capsys: pytest.CaptureFixture[str]
) -> None:
    [case_id] = make_cases(1)
    with db.read() as s:
        ext = s.execute(select(Case.external_id).where(Case.id == case_id)).scalar_one()
        platform, handle = s.execute(
            select(Account.platform, Account.handle).join(Case, Case.account_id == Account.id)
        ).one()
    code, out, _ = _run(capsys, db_path, "investigation", "new", "Ring A")
    assert code == 0 and "started: Ring A" in out
    prefix = out.split()[1]
    assert _run(capsys, db_path, "investigation", "add", prefix, "--case", ext)[:2] == (0, f"{ext}: added\n")
    code, out, _ = _run(capsys, db_path, "investigation", "add", "Ring A", "--case", ext)
    assert code == 0 and "already a member" in out
    code, out, _ = _run(
        capsys, db_path, "investigation", "add", "Ring A", "--account", f"{platform}:{handle}"
    )
    assert code == 0 and "added" in out
    assert _run(capsys, db_path, "investigation", "note", "Ring A", "looks coordinated")[0] == 0
    code, out, _ = _run(capsys, db_path, "investigation", "show", prefix, "--timeline")
    assert code == 0
    assert "members (2):" in out and ext in out and "looks coordinated" in out and "timeline:" in out
    code, out, _ = _run(capsys, db_path, "investigations")
    assert code == 0 and "Ring A" in out and "2 members" in out
    assert _run(capsys, db_path, "investigation", "close", "Ring A")[0] == 0
    assert "no open investigations" in _run(capsys, db_path, "investigations")[1]
    assert "Ring A" in _run(capsys, db_path, "investigations", "--all")[1]


@pytest.mark.parametrize(
    "argv",
    [
        ["investigation", "show", "nothing-like-it"],
        ["investigation", "show", "abc"],
        ["investigation", "add", "Solo", "--case", "NO-SUCH-CASE"],
        ["investigation", "add", "Solo", "--account", "no-colon"],
        ["investigation", "add", "Solo", "--account", "photoapp:@ghost"],
        ["investigation", "new", "   "],
        ["investigation", "note", "Solo", " "],
    ],
)
def test_mistakes_are_one_line(
    db: Database, db_path: Path, reviewer_row: Reviewer, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    create_investigation(db, reviewer_row, "Solo")
    code, _, err = _run(capsys, db_path, *argv)
    assert code == 1
    [line] = _said(err)
    assert line.startswith("reviewer: ") and "Traceback" not in err


def test_ambiguous_title_exits_2(
    db: Database, db_path: Path, reviewer_row: Reviewer, capsys: pytest.CaptureFixture[str]
) -> None:
    first = create_investigation(db, reviewer_row, "Twin")
    create_investigation(db, reviewer_row, "Twin")
    code, _, err = _run(capsys, db_path, "investigation", "show", "Twin")
    [line] = _said(err)
    assert code == 2 and "matches 2" in line
    assert _run(capsys, db_path, "investigation", "close", first.hex[:6])[0] == 0
    assert get_investigation(db, first).status == "closed"


def test_hostile_title_is_shown_visibly(
    db: Database, db_path: Path, reviewer_row: Reviewer, capsys: pytest.CaptureFixture[str]
) -> None:
    create_investigation(db, reviewer_row, "evil\u202etxt.exe")
    code, out, _ = _run(capsys, db_path, "investigations")
    assert code == 0 and "\u202e" not in out and "U+202E" in out
