"""Fixtures for every test: a fresh data dir and database each time, cloned from one migrated template."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from reviewer.clock import utcnow
from reviewer.models import Account, Case, Channel, Item, Reviewer
from reviewer.paths import sqlite_url
from reviewer.policy import PolicyPack, load_default_pack
from reviewer.storage.database import Database
from reviewer.storage.migrate import open_database

#: ``pg_url``: an empty PostgreSQL schema per test, or a skip where no server answers.
pytest_plugins = ["tests.support.pg", "tests.support.stations"]

# A real keyring backend for the audit checkpoint key (keyrings.alt's file backend, chosen explicitly, in
# each test's own folder through XDG_DATA_HOME); set here so child processes inherit it.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"


@pytest.fixture(autouse=True)
def _fresh_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the real user data dir, keyring or the developer's settings."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("REVIEWER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REVIEWER_USER", "tester")
    monkeypatch.delenv("REVIEWER_DB", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    db = open_database(sqlite_url(path))
    db.dispose()
    return path


@pytest.fixture
def db_path(tmp_path: Path, _template_db: Path) -> Path:
    path = tmp_path / "data" / "test.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template_db, path)
    return path


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = open_database(sqlite_url(db_path))
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def pack() -> PolicyPack:
    return load_default_pack()


@pytest.fixture
def reviewer_row(db: Database) -> Reviewer:
    from reviewer.identity import ensure_reviewer

    return ensure_reviewer(db, "tester")


@pytest.fixture
def make_cases(db: Database) -> Callable[..., list[uuid.UUID]]:
    """Factory: ``make_cases(n, category=..., channel=..., priority=...)`` → case ids, queue-ordered."""

    def make(
        n: int = 1,
        *,
        category: str = "violence",
        channel: str = "partner",
        priority: int = 2,
        with_image: str | None = None,
        start: int = 0,
    ) -> list[uuid.UUID]:
        ids: list[uuid.UUID] = []
        now = utcnow()
        with db.write() as session:
            ch = session.query(Channel).filter_by(code=channel).one_or_none()
            if ch is None:
                ch = Channel(code=channel, name=channel)
                session.add(ch)
            acct = Account(platform="photoapp", handle=f"@acct{uuid.uuid4().hex[:8]}", risk_score=0.5)
            session.add(acct)
            session.flush()
            for i in range(start, start + n):
                case = Case(
                    external_id=f"T-{uuid.uuid4().hex[:10]}-{i}",
                    channel_id=ch.id,
                    account_id=acct.id,
                    category=category,
                    priority=priority,
                    sla_deadline=now + timedelta(minutes=10 + i),
                    risk_rank=500,
                    report_text=f"report {i}",
                )
                session.add(case)
                session.flush()
                session.add(Item(case_id=case.id, kind="text", text=f"text of case {i}", position=0))
                if with_image:
                    session.add(Item(case_id=case.id, kind="image", media_sha256=with_image, position=1))
                ids.append(case.id)
        return ids

    return make
