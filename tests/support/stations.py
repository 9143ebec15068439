"""A workstation in a test: its own data folder (hence its own workstation id and audit chain) and its
SQLite working copy; ``with station:`` makes it the current one (REVIEWER_DATA_DIR)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer.paths import sqlite_url
from reviewer.storage.migrate import open_database
from reviewer.workstation import workstation_id


class Station:
    """One workstation: its data folder (hence its id and chain) and working copy."""

    def __init__(self, root: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.dir = root / name
        self.dir.mkdir()
        self.monkeypatch = monkeypatch
        self.name = name
        with self:
            self.db = open_database(sqlite_url(self.dir / "reviewer.sqlite3"))
            self.id = workstation_id()

    def __enter__(self) -> Station:
        self.monkeypatch.setenv("REVIEWER_DATA_DIR", str(self.dir))
        return self

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.fixture
def stations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Station, Station]]:
    """Two workstations, ``a`` and ``b``."""
    a, b = Station(tmp_path, "a", monkeypatch), Station(tmp_path, "b", monkeypatch)
    yield a, b
    a.db.dispose()
    b.db.dispose()
