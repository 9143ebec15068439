"""The sync indicator on a real working copy, without a server: hidden when not connected, "offline
since" when the configured server does not answer, and the decisions waiting counted as they are made."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from reviewer.sync.checkout import CheckoutReport
from reviewer.sync.remote import ServerConfig, save_config
from tests.support.accessible import unnamed_controls
from tests.support.labels import clipped_labels
from tests.support.waiting import UI_WAIT_MS
from tests.support.windows import open_window
from ui.sync.actions import offline_message
from ui.sync.indicator import progress_text

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_not_connected_the_indicator_is_hidden(
    db: Database, pack: PolicyPack, make_cases: Callable[..., list[uuid.UUID]], qtbot: QtBot
) -> None:
    make_cases(3)
    w = open_window(db, pack, qtbot)
    try:
        indicator = w.sync.indicator
        qtbot.waitUntil(lambda: indicator.status is not None, timeout=UI_WAIT_MS)
        assert indicator.status is not None and not indicator.status.connected
        assert not indicator.isVisible() and indicator.text() == ""
        assert not w.sync.background.running  # nothing to sync with
        w.sync.sync_now()  # F5 while not connected: one line, nothing raised
        qtbot.waitUntil(lambda: "not connected" in w.statusBar().currentMessage(), timeout=UI_WAIT_MS)
    finally:
        w.shutdown()


def test_an_unreachable_server_shows_offline_since_and_decisions_waiting(
    db: Database, pack: PolicyPack, make_cases: Callable[..., list[uuid.UUID]], qtbot: QtBot
) -> None:
    make_cases(3)
    save_config(
        ServerConfig(url=f"postgresql+psycopg://tester@127.0.0.1:{_closed_port()}/test", handle="tester")
    )
    w = open_window(db, pack, qtbot)
    try:
        indicator = w.sync.indicator
        qtbot.waitUntil(lambda: indicator.text().startswith("offline since "), timeout=UI_WAIT_MS)
        assert indicator.isVisible()
        assert indicator.status is not None and "offline" in indicator.status.last_error
        assert w.sync.background.attempts >= 1
        qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_K)  # a decision, saved locally at once
        qtbot.waitUntil(lambda: indicator.text().endswith("· 1 decision waiting"), timeout=UI_WAIT_MS)
        assert unnamed_controls(w.statusBar()) == [] and clipped_labels(w.statusBar()) == []
        # "Sync now" while offline: the reviewer is told in one line; the review goes on.
        w.registry.trigger("sync.now")
        qtbot.waitUntil(lambda: "Sync failed: offline" in w.statusBar().currentMessage(), timeout=UI_WAIT_MS)
        assert w.review.selection.current is not None
    finally:
        w.shutdown()


def test_progress_and_outcome_lines() -> None:
    assert progress_text("cases", 120, 2000) == "syncing cases 120/2,000"
    assert progress_text("cases\u202e", 1, 2) == "syncing cases⟨U+202E⟩ 1/2"
    assert progress_text("media", 0, 0) == "syncing media…"
    until = datetime(2026, 12, 2, 18, 30, tzinfo=UTC)
    report = CheckoutReport(
        session_id=uuid.uuid4(), case_ids=tuple(uuid.uuid4() for _ in range(12)), expires_at=until
    )
    assert offline_message(report) == (
        f"12 cases are yours until {until.astimezone().strftime('%H:%M')}; they stay reviewable offline"
    )
    none = CheckoutReport(session_id=uuid.uuid4(), case_ids=(), expires_at=until + timedelta(hours=1))
    assert "No workable case" in offline_message(none)


def test_taking_cases_offline_while_not_connected_says_why_in_one_line(
    db: Database, pack: PolicyPack, make_cases: Callable[..., list[uuid.UUID]], qtbot: QtBot
) -> None:
    make_cases(2)
    w = open_window(db, pack, qtbot)
    try:
        w.registry.trigger("sync.take_offline")
        qtbot.waitUntil(
            lambda: w.sync.offline_dialog is not None and w.sync.offline_dialog.isVisible(),
            timeout=UI_WAIT_MS,
        )
        dialog = w.sync.offline_dialog
        assert dialog is not None
        qtbot.keyClick(dialog.cases, Qt.Key.Key_Return)
        qtbot.waitUntil(
            lambda: w.statusBar().currentMessage().startswith("Cases not taken offline: not connected"),
            timeout=UI_WAIT_MS,
        )
        assert "\n" not in w.statusBar().currentMessage() and w.sync.last_offline is None
    finally:
        w.shutdown()
