"""Which database a command uses, and what it may create: every command names its database; read commands
never create one; ``--db`` never creates a folder; a new database at a named path, or the app's tables in a
foreign SQLite file, only with ``--init``."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.paths import data_dir

CASE = {"id": "A", "channel": "media", "category": "spam", "items": [{"kind": "text", "text": "hi"}]}


def _cases(tmp_path: Path) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(CASE) + "\n")
    return path


def _err_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.splitlines()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("command", [["export"], ["audit", "verify"], ["audit", "checkpoint"], ["backup"]])
def test_a_read_command_with_no_default_database_points_to_the_demo_one(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    demo = data_dir() / "demo.sqlite3"
    assert main(["demo", "--cases", "5", "--images", "2"]) == 0
    assert demo.exists()
    capsys.readouterr()
    assert main(command) == 1
    (line,) = _err_lines(capsys)
    default = data_dir() / "reviewer.sqlite3"
    assert f"no database at {default}" in line and f"--db {demo}" in line, line
    assert not default.exists(), "a read command created the default database"


def test_with_neither_database_a_read_command_says_to_import_first(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["export"]) == 1
    (line,) = _err_lines(capsys)
    assert "import cases first" in line
    assert not (data_dir() / "reviewer.sqlite3").exists()


def test_every_command_names_the_database_it_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    default = data_dir() / "reviewer.sqlite3"
    assert main(["import", str(_cases(tmp_path))]) == 0  # the default database: import may create it
    assert _err_lines(capsys) == [f"database: {default}"]
    for command in (["export"], ["audit", "verify"], ["audit", "checkpoint"]):
        assert main(command) == 0, command
        assert _err_lines(capsys)[-1] == f"database: {default}", command
    assert main(["backup"]) == 0
    assert _err_lines(capsys) == [f"database: {default}"]
    demo = data_dir() / "demo.sqlite3"
    assert main(["demo", "--cases", "3", "--images", "1"]) == 0
    assert _err_lines(capsys) == [f"database: {demo}"]


def test_export_says_what_it_wrote_and_where(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "x.sqlite3")
    assert main(["--db", db, "--init", "import", str(_cases(tmp_path))]) == 0
    capsys.readouterr()
    assert main(["--db", db, "export", "--format", "jsonl"]) == 0
    out = capsys.readouterr()
    assert out.err.splitlines() == [
        "exported 0 decisions as JSON Lines to standard output",
        f"database: {db}",
    ]
    target = tmp_path / "out.csv"
    assert main(["--db", db, "export", "-o", str(target)]) == 0
    assert _err_lines(capsys)[0] == f"exported 0 decisions as CSV to {target}"


def test_a_named_database_is_created_only_with_init(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "new.sqlite3"
    for command in (
        ["import", str(_cases(tmp_path))],
        ["export"],
        ["role", "x", "lead"],
        ["demo", "--cases", "2"],
    ):
        if command[0] == "demo":
            continue  # demo's job is to create one: see below
        assert main(["--db", str(db), *command]) == 1
        (line,) = _err_lines(capsys)
        assert "pass --init" in line
        assert not db.exists(), command
    assert main(["--db", str(db), "--init", "import", str(_cases(tmp_path))]) == 0
    assert db.exists()
    demo = tmp_path / "demo-here.sqlite3"
    assert main(["--db", str(demo), "demo", "--cases", "2", "--images", "1"]) == 0
    assert demo.exists()


def test_db_never_creates_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "not" / "there"
    for command in (["--init", "import", str(_cases(tmp_path))], ["demo", "--cases", "2"], ["export"]):
        assert main(["--db", str(folder / "x.sqlite3"), *command]) == 1
        (line,) = _err_lines(capsys)
        assert f"{folder}" in line and ("does not exist" in line or "pass --init" in line), line
    assert not (tmp_path / "not").exists()


def _foreign(path: Path, *statements: str) -> Path:
    """A SQLite file of some other program."""
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return path


def test_a_foreign_sqlite_file_is_left_alone_unless_init(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    foreign = _foreign(
        tmp_path / "notes.db", "CREATE TABLE notes (body TEXT)", "INSERT INTO notes VALUES ('mine')"
    )
    before = _digest(foreign)
    for command in (
        ["export"],
        ["audit", "verify"],
        ["import", str(_cases(tmp_path))],
        ["demo", "--cases", "2"],
    ):
        assert main(["--db", str(foreign), *command]) == 1, command
        (line,) = _err_lines(capsys)
        assert "not a Reviewer Workstation database" in line and "notes" in line, line
        assert _digest(foreign) == before, f"{command} changed the foreign file"
    assert main(["--db", str(foreign), "--init", "import", str(_cases(tmp_path))]) == 0
    conn = sqlite3.connect(foreign)
    try:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"notes", "case", "alembic_version"} <= tables
        assert conn.execute("SELECT body FROM notes").fetchall() == [("mine",)]
    finally:
        conn.close()


def test_a_foreign_table_name_cannot_garble_the_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    foreign = _foreign(tmp_path / "odd.db", 'CREATE TABLE "evil\u202etxt.exe" (x)')
    assert main(["--db", str(foreign), "export"]) == 1
    (line,) = _err_lines(capsys)
    assert "\u202e" not in line and "⟨U+202E⟩" in line
