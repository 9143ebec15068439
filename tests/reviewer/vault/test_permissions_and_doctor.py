"""0600 files in 0700 folders (new, and older ones tightened at open), and what ``reviewer doctor`` says."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.paths import sqlite_url
from reviewer.storage.database import Database
from reviewer.storage.migrate import open_database
from reviewer.vault.permissions import data_paths, too_open


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reviewer.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def test_everything_the_cli_makes_is_private(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the child inherits a permissive umask; the CLI must not rely on it
    try:
        built = _cli("demo", "--cases", "10", "--images", "2", cwd=tmp_path)
    finally:
        os.umask(old)
    assert built.returncode == 0, built.stderr
    data = Path(os.environ["REVIEWER_DATA_DIR"])
    db_file = data / "demo.sqlite3"
    paths = data_paths(db_file, deep=True)
    assert db_file in paths and db_file.with_suffix(".media") in paths and data in paths
    assert any(p.is_file() and p.parent.parent == db_file.with_suffix(".media") for p in paths)
    assert too_open(paths) == []
    assert all(_mode(p) == (0o700 if p.is_dir() else 0o600) for p in paths)


def test_an_older_database_left_open_is_tightened_at_open(db_path: Path) -> None:
    media = db_path.with_suffix(".media") / "ab"
    media.mkdir(parents=True)
    (media / ("ab" + "0" * 62)).write_bytes(b"x")
    for path, mode in ((db_path, 0o644), (db_path.parent, 0o755), (media.parent, 0o755), (media, 0o755)):
        os.chmod(path, mode)
    db = open_database(sqlite_url(db_path))
    db.dispose()
    assert _mode(db_path) == 0o600 and _mode(db_path.parent) == 0o700 and _mode(media.parent) == 0o700


def test_doctor_reports_a_sealed_database_as_ok(
    imported: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert imported.file is not None
    os.chmod(imported.file, 0o644)  # what an older version left
    code = main(["--db", str(imported.file), "doctor"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"was too open, now private: {imported.file} is 0644" in out
    assert "keyring: keyrings.alt.file.PlaintextKeyring, usable" in out
    assert "encryption: encrypted, key in the OS keyring" in out
    assert "report texts: 3 sealed, 0 plain" in out and "item texts: 3 sealed, 0 plain" in out
    assert "media files: 1 sealed, 0 plain" in out and out.rstrip().endswith("OK")
    assert _mode(imported.file) == 0o600


def test_doctor_flags_plain_values_in_a_sealed_database(
    imported: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with imported.write_engine.begin() as conn:
        conn.exec_driver_sql("UPDATE \"case\" SET report_text = 'planted' WHERE external_id = 'V-1'")
    assert main(["--db", str(imported.file), "doctor"]) == 1
    out = capsys.readouterr().out
    assert "report texts: 2 sealed, 1 plain" in out and "PROBLEM: 1 report texts are not sealed" in out


def test_without_a_keyring_doctor_says_so_and_opting_in_fixes_it(tmp_path: Path) -> None:
    fail = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    db = str(tmp_path / "real.sqlite3")
    before = _cli("--db", db, "--init", "doctor", cwd=tmp_path, env=fail)  # a new database: --init
    assert before.returncode == 1
    assert "NOT usable" in before.stdout and "encryption: NOT encrypted" in before.stdout
    assert "PROBLEM: no usable OS keyring: imports are refused" in before.stdout
    src = tmp_path / "cases.jsonl"
    src.write_text(
        '{"id": "A", "channel": "media", "category": "spam", "report_text": "x", '
        '"items": [{"kind": "text", "text": "hi"}]}\n'
    )
    refused = _cli("--db", db, "import", str(src), cwd=tmp_path, env=fail)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    said = [line for line in refused.stderr.splitlines() if line.startswith("reviewer:")]
    assert len(said) == 1 and "refusing to store report texts and media unencrypted" in said[0]
    opted = _cli("--db", db, "doctor", "--allow-file-key", cwd=tmp_path, env=fail)
    assert opted.returncode == 0, opted.stdout
    assert "key in a file (weaker, opted in)" in opted.stdout
    assert _mode(tmp_path / "real.sqlite3.key") == 0o600
    done = _cli("--db", db, "import", str(src), cwd=tmp_path, env=fail)
    assert done.returncode == 0, done.stderr


def test_backups_made_under_the_app_umask_are_private(db: Database) -> None:
    from reviewer.storage.backup import backup_dir_for, take_backup
    from reviewer.vault.permissions import PRIVATE_UMASK

    assert db.file is not None
    old = os.umask(PRIVATE_UMASK)  # what the CLI and the app set first
    try:
        copy = take_backup(db.file)
    finally:
        os.umask(old)
    assert _mode(copy) == 0o600 and _mode(backup_dir_for(db.file)) == 0o700
