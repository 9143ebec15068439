"""'Take cases offline…': a keyboard-only dialog; Enter leases the cases on the server (sync thread), the
outcome is one line, the queue shows the leased cases; Esc and the panic key cancel without a lease."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from reviewer.models import Case
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from tests.support import server_data as S
from tests.support.accessible import unnamed_controls
from tests.support.waiting import UI_WAIT_MS
from tests.support.windows import open_window
from ui.shell.main_window import MainWindow
from ui.sync.offline_dialog import TakeOfflineDialog

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


def _holders(db: Database) -> set[object]:
    with db.read() as s:
        return set(s.execute(select(Case.claimed_by).where(Case.claimed_by.is_not(None))).scalars())


def _queue_ids(w: MainWindow) -> set[uuid.UUID]:
    model = w.review.model
    return {row.id for r in range(model.rowCount()) if (row := model.case_at(r)) is not None}


def _open_dialog(w: MainWindow, qtbot: QtBot) -> TakeOfflineDialog:
    qtbot.keyClick(
        w.focusWidget() or w,
        Qt.Key.Key_T,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(
        lambda: isinstance(QApplication.activeModalWidget(), TakeOfflineDialog), timeout=UI_WAIT_MS
    )
    dialog = w.sync.offline_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(
        lambda: dialog.cases.hasFocus() or QApplication.focusWidget() is not None, timeout=UI_WAIT_MS
    )
    return dialog


def test_enter_takes_the_cases_offline_and_the_queue_shows_them(
    db: Database, server: Database, pack: PolicyPack, connect_as: Callable[..., None], qtbot: QtBot
) -> None:
    S.add_cases(server, 8, images=1)
    connect_as()
    w = open_window(db, pack, qtbot, first_case=False)
    try:
        dialog = _open_dialog(w, qtbot)
        assert unnamed_controls(dialog) == []  # (the label walker counts a mnemonic's & as text: not used)
        dialog.cases.lineEdit().selectAll()
        qtbot.keyClicks(dialog.cases, "3")
        qtbot.keyClick(dialog.cases, Qt.Key.Key_Return)  # Enter confirms
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=UI_WAIT_MS)
        qtbot.waitUntil(lambda: w.sync.last_offline is not None, timeout=UI_WAIT_MS)
        report = w.sync.last_offline
        assert report is not None and len(report.case_ids) == 3
        until = report.expires_at.astimezone().strftime("%H:%M")
        assert (
            w.statusBar().currentMessage() == f"3 cases are yours until {until}; they stay reviewable offline"
        )
        # The queue reloads: the leased cases are in it, held for this workstation.
        qtbot.waitUntil(lambda: set(report.case_ids) <= _queue_ids(w), timeout=UI_WAIT_MS)
        # This session took the leases over: the case on screen is claimed here, not "held by" anyone.
        qtbot.waitUntil(lambda: w.review.selection.current is not None, timeout=UI_WAIT_MS)
        assert _holders(db) == {w.ctx.session_id}
        with server.read() as s:
            held = s.execute(select(Case.id).where(Case.claimed_by == report.session_id)).scalars().all()
        assert set(held) == set(report.case_ids)
    finally:
        w.shutdown()


def test_esc_and_the_panic_key_cancel_without_a_lease(
    db: Database, server: Database, pack: PolicyPack, connect_as: Callable[..., None], qtbot: QtBot
) -> None:
    S.add_cases(server, 3, images=0)
    connect_as()
    w = open_window(db, pack, qtbot, first_case=False)
    try:
        dialog = _open_dialog(w, qtbot)
        qtbot.keyClick(dialog.cases, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=UI_WAIT_MS)
        dialog = _open_dialog(w, qtbot)
        qtbot.keyClick(dialog.cases, Qt.Key.Key_F12)  # panic: the dialog is cancelled, the window blanks
        qtbot.waitUntil(lambda: not dialog.isVisible() and w.screens.hidden, timeout=UI_WAIT_MS)
        w.sync.runner.run(lambda: None)  # the sync thread's queue is empty: nothing was asked of it
        assert w.sync.last_offline is None
        assert _holders(server) <= {w.ctx.session_id}  # at most the case on screen, no checkout
    finally:
        w.shutdown()
