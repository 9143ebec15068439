"""A team server (real PostgreSQL, a schema per test) and the test's working copy connected to it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from reviewer.storage.database import Database
from reviewer.sync.connecting import connect
from tests.support import server_data as S
from tests.support.waiting import UI_WAIT_MS
from ui.shell.main_window import MainWindow

HANDLE = "tester"  # REVIEWER_USER of every test (tests/conftest.py): the window's reviewer


@pytest.fixture
def connect_as(pg_url: str, server: Database, db: Database) -> Callable[..., None]:
    """``connect_as(role)``: the reviewer on the server, then ``db`` connected to it (``reviewer connect``)."""

    def run(role: str = "reviewer") -> None:
        S.add_reviewer(server, HANDLE, role=role)
        connect(pg_url, HANDLE, db)

    return run


def synced_until(w: MainWindow, qtbot: QtBot, condition: Callable[[], bool], what: str) -> None:
    """Sync (again and again: other tests' open transactions may hold a pull back) until ``condition``."""

    def check() -> bool:
        if condition():
            return True
        w.sync.background.request()  # a no-op while one runs (it is then run once more after it)
        return False

    qtbot.waitUntil(check, timeout=UI_WAIT_MS)
    assert condition(), what
