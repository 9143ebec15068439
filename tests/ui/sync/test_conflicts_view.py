"""The Conflicts view on a lead's working copy: a conflict made by two workstations pushing, pulled by the
sync, settled with K (keep the standing decision) or T (take the pushed one) and a required reason, and
the settlement pushed back. A reviewer who is not a lead reads the list and cannot settle."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from reviewer.decisions import record_decision
from reviewer.identity import ensure_reviewer, start_session
from reviewer.models import Case
from reviewer.paths import sqlite_url
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from reviewer.storage.migrate import open_database
from reviewer.sync.conflicts import DecisionSide, list_conflicts, open_count
from reviewer.sync.connecting import connect
from reviewer.sync.engine import sync_once
from reviewer.workstation import workstation_id
from tests.support import server_data as S
from tests.support.accessible import unnamed_controls
from tests.support.labels import clipped_labels
from tests.support.waiting import UI_WAIT_MS
from tests.support.windows import open_window
from tests.ui.sync.conftest import synced_until
from ui.shell.main_window import MainWindow
from ui.sync.conflicts_view import READ_ONLY, ConflictsDialog, side_text
from ui.sync.reason_box import ReasonBox

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _conflict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_url: str, server: Database) -> uuid.UUID:
    """alice keeps the case and syncs first; bob, who pulled it before, escalates it: a conflict."""
    (case_id,) = S.add_cases(server, 1, images=0)
    home = tmp_path / "data"
    stations: dict[str, Database] = {}
    for name in ("alice", "bob"):
        (tmp_path / name).mkdir()
        monkeypatch.setenv("REVIEWER_DATA_DIR", str(tmp_path / name))
        local = open_database(sqlite_url(tmp_path / name / "reviewer.sqlite3"))
        S.add_reviewer(server, name)
        connect(pg_url, name, local)
        S.caught_up(local, server, source_id=workstation_id())
        stations[name] = local
    for name, action in (("alice", "keep"), ("bob", "escalate")):
        monkeypatch.setenv("REVIEWER_DATA_DIR", str(tmp_path / name))
        local = stations[name]
        me = ensure_reviewer(local, name)
        record_decision(
            local, case_id=case_id, reviewer=me, action=action, session_id=start_session(local, me),
            rationale="needs tier 2" if action == "escalate" else "",
        )
        sync_once(local)
        local.dispose()
    monkeypatch.setenv("REVIEWER_DATA_DIR", str(home))
    assert open_count(server) == 1
    return case_id


def _status(db: Database, case_id: uuid.UUID) -> str:
    with db.read() as s:
        case = s.get(Case, case_id)
        return case.status if case is not None else "?"


def _open_view(w: MainWindow, qtbot: QtBot) -> ConflictsDialog:
    synced_until(w, qtbot, lambda: open_count(w.ctx.db) == 1, "the conflict pulled")
    qtbot.waitUntil(lambda: w.sync.indicator.text().endswith("1 conflict"), timeout=UI_WAIT_MS)
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_C, CTRL_SHIFT)
    qtbot.waitUntil(
        lambda: w.sync.conflicts is not None and len(w.sync.conflicts.rows) == 1, timeout=UI_WAIT_MS
    )
    view = w.sync.conflicts
    assert view is not None and view.isVisible()
    return view


def _reason(qtbot: QtBot, text: str) -> ReasonBox:
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), ReasonBox), timeout=UI_WAIT_MS)
    box = QApplication.activeModalWidget()
    assert isinstance(box, ReasonBox)
    if text:
        qtbot.keyClicks(box.text, text)
    qtbot.keyClick(box.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    return box


@pytest.mark.slow
def test_a_lead_keeps_the_standing_decision_with_a_reason(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pg_url: str,
    db: Database,
    server: Database,
    pack: PolicyPack,
    connect_as: Callable[..., None],
    qtbot: QtBot,
) -> None:
    case_id = _conflict(tmp_path, monkeypatch, pg_url, server)
    connect_as("lead")
    w = open_window(db, pack, qtbot, first_case=False)
    try:
        view = _open_view(w, qtbot)
        assert unnamed_controls(view) == [] and clipped_labels(view) == []
        cells = [view.table.item(0, c).text() for c in range(view.table.columnCount())]
        assert cells[1].startswith("bob · escalate") and cells[2].startswith("alice · keep")
        qtbot.keyClick(view.table, Qt.Key.Key_K)
        box = _reason(qtbot, "")  # no reason: the box stays and says so
        assert box.isVisible() and "reason first" in box.hint.text()
        qtbot.keyClicks(box.text, "the keep was within policy")
        qtbot.keyClick(box.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: open_count(db) == 0 and view.rows == [], timeout=UI_WAIT_MS)
        (settled,) = list_conflicts(db, open_only=False)
        assert settled.resolution == "kept"
        synced_until(w, qtbot, lambda: open_count(server) == 0, "the settlement on the server")
        assert _status(server, case_id) == "decided"
    finally:
        w.shutdown()


@pytest.mark.slow
def test_a_lead_takes_the_pushed_decision_with_a_reason(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pg_url: str,
    db: Database,
    server: Database,
    pack: PolicyPack,
    connect_as: Callable[..., None],
    qtbot: QtBot,
) -> None:
    case_id = _conflict(tmp_path, monkeypatch, pg_url, server)
    connect_as("lead")
    w = open_window(db, pack, qtbot, first_case=False)
    try:
        view = _open_view(w, qtbot)
        qtbot.keyClick(view.table, Qt.Key.Key_T)
        _reason(qtbot, "credible threat: the escalation was right")
        qtbot.waitUntil(lambda: open_count(db) == 0, timeout=UI_WAIT_MS)
        assert _status(db, case_id) == "escalated"
        synced_until(w, qtbot, lambda: _status(server, case_id) == "escalated", "the override on the server")
        assert open_count(server) == 0
    finally:
        w.shutdown()


@pytest.mark.slow
def test_a_reviewer_reads_conflicts_but_only_a_lead_settles(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pg_url: str,
    db: Database,
    server: Database,
    pack: PolicyPack,
    connect_as: Callable[..., None],
    qtbot: QtBot,
) -> None:
    _conflict(tmp_path, monkeypatch, pg_url, server)
    connect_as("reviewer")
    w = open_window(db, pack, qtbot, first_case=False)
    try:
        view = _open_view(w, qtbot)
        assert view.role_line.text() == READ_ONLY
        assert not view.keep_button.isEnabled() and not view.take_button.isEnabled()
        qtbot.keyClick(view.table, Qt.Key.Key_K)
        assert view.message.text() == READ_ONLY and view.reason_box is None
        assert open_count(db) == 1
        qtbot.keyClick(view.table, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not view.isVisible(), timeout=UI_WAIT_MS)
    finally:
        w.shutdown()


def test_conflict_sides_are_plain_visible_text() -> None:
    side = DecisionSide(
        uuid.uuid4(), "keep", None, "<b>eve</b>\u202e", datetime(2026, 12, 2, 12, 4, tzinfo=UTC), ""
    )
    text = side_text(side)
    assert text.startswith("<b>eve</b>⟨U+202E⟩ · keep · no policy · ")
    assert side_text(None) == "none"
