"""The background sync against a real team server, from the window's own sync thread: the indicator goes
online, cases arrive, and the review loop keeps answering while a sync is stuck on the server."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, func, select, text

from reviewer.models import Decision
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from reviewer.sync.push import waiting_decisions
from tests.support import server_data as S
from tests.support.waiting import UI_WAIT_MS
from tests.support.windows import open_window
from tests.ui.sync.conftest import synced_until
from ui.sync.actions import ON_SERVER

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


def _decisions(db: Database, case_id: uuid.UUID) -> int:
    with db.read() as s:
        return int(s.execute(select(func.count()).where(Decision.case_id == case_id)).scalar() or 0)


@pytest.mark.slow
def test_a_decision_is_saved_at_once_while_a_sync_waits_on_the_server(
    db: Database,
    server: Database,
    pg_url: str,
    pack: PolicyPack,
    connect_as: Callable[..., None],
    qtbot: QtBot,
) -> None:
    S.add_cases(server, 4, images=0)
    connect_as()
    w = open_window(db, pack, qtbot, first_case=False)
    try:
        indicator = w.sync.indicator
        # The first sync (at start) pulls the cases into the empty queue; the indicator says online.
        synced_until(w, qtbot, lambda: w.review.selection.current is not None, "the pulled cases on screen")
        qtbot.waitUntil(
            lambda: indicator.text() == "online" and not w.sync.background.running, timeout=UI_WAIT_MS
        )
        assert indicator.isVisible()
        shown = w.review.selection.current
        assert shown is not None

        # A sync that cannot get on: another server client holds the audit table.
        blocker = create_engine(pg_url)
        conn = blocker.connect()
        try:
            conn.execute(text("LOCK TABLE audit_event IN ACCESS EXCLUSIVE MODE"))
            qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_F5)
            assert w.sync.background.running
            qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_K)
            qtbot.waitUntil(lambda: _decisions(db, shown.id) == 1, timeout=UI_WAIT_MS)
            assert w.sync.background.running, "the decision did not wait for the sync"
            qtbot.waitUntil(lambda: indicator.text().endswith("1 decision waiting"), timeout=UI_WAIT_MS)
        finally:
            conn.rollback()
            conn.close()
            blocker.dispose()
        synced_until(w, qtbot, lambda: _decisions(server, shown.id) == 1, "the decision on the server")
        synced_until(w, qtbot, lambda: indicator.text() == "online", "the waiting count back to none")
        assert waiting_decisions(db) == 0
    finally:
        w.shutdown()


def test_quitting_stops_the_sync_thread_cleanly(
    db: Database, server: Database, pack: PolicyPack, connect_as: Callable[..., None], qtbot: QtBot
) -> None:
    S.add_cases(server, 2, images=0)
    connect_as()
    w = open_window(db, pack, qtbot, first_case=False)
    synced_until(w, qtbot, lambda: w.review.selection.current is not None, "the pulled cases on screen")
    w.sync.sync_now()
    w.close()
    w.shutdown()
    assert w.sync.runner.stopped
    assert w.sync.runner.run(lambda: None) is None  # nothing starts after quit


def test_an_app_on_the_server_database_itself_never_syncs_it(
    server: Database, pack: PolicyPack, qtbot: QtBot
) -> None:
    S.add_cases(server, 2, images=0)
    w = open_window(server, pack, qtbot)
    try:
        qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_F5)
        assert w.statusBar().currentMessage() == ON_SERVER
        assert not w.sync.background.timer.isActive() and not w.sync.background.running
        assert not w.sync.indicator.isVisible()
    finally:
        w.shutdown()
