"""Opening a damaged database in the app: a clear message and a way out that destroys nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from reviewer.paths import sqlite_url
from reviewer.storage.backup import take_backup
from reviewer.storage.database import Database
from ui.shell.app import open_with_recovery


def _answer(monkeypatch: pytest.MonkeyPatch, label: str, seen: list[str]) -> None:
    """Every message box is answered at once: with the button named ``label`` where it has one (the
    "Cannot open" box), with OK otherwise (the "Backup restored" box); each box's text goes to ``seen``."""

    def fake_exec(box: QMessageBox) -> int:
        seen.append(box.text())
        assert box.textFormat() == Qt.TextFormat.PlainText  # the message names files: never markup
        for button in box.buttons():
            if label in button.text().replace("&", ""):
                button.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)


def _damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[0:100] = b"\x00" * 100  # the header: SQLite no longer recognises the file
    path.write_bytes(bytes(data))


def test_restore_the_last_backup_keeps_the_damaged_file(
    db: Database, db_path: Path, make_cases, monkeypatch: pytest.MonkeyPatch, qapp
) -> None:
    make_cases(3)
    db.dispose()
    take_backup(db_path)
    for suffix in ("-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    _damage(db_path)
    seen: list[str] = []
    _answer(monkeypatch, "Restore the last backup", seen)
    restored = open_with_recovery(sqlite_url(db_path))
    assert restored is not None
    try:
        assert "not a database" in seen[0] or "damaged" in seen[0]
        assert seen[1].startswith("Restored ")
        with restored.engine.connect() as conn:
            assert conn.exec_driver_sql('SELECT count(*) FROM "case"').scalar() == 3
    finally:
        restored.dispose()
    kept = list(db_path.parent.glob(f"{db_path.stem}.damaged-*"))
    assert kept and kept[0].read_bytes()[:100] == b"\x00" * 100


def test_quitting_from_the_message_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp
) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"my notes, not a database\n" * 100)
    seen: list[str] = []
    _answer(monkeypatch, "Quit", seen)
    assert open_with_recovery(sqlite_url(path)) is None
    assert "not a database" in seen[0]
    assert path.read_bytes().startswith(b"my notes")
