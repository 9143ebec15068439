"""DSA statements of reasons in the real window: F2 shows the statement of the case on screen's standing
decision and saves the hand-entered fields (Ctrl+Enter); Ctrl+Shift+D lists the decisions missing fields,
Enter opens one, E exports the valid statements."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from reviewer.decisions import record_decision
from reviewer.dsa.amend import current
from reviewer.dsa.export import missing
from reviewer.identity import ensure_reviewer
from reviewer.models import Case
from reviewer.paths import data_dir
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from tests.support.accessible import unnamed_controls
from tests.support.waiting import UI_WAIT_MS
from ui.dsa.statement_view import StatementDialog
from ui.shell.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _statement_dialog(qtbot: QtBot) -> StatementDialog:
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), StatementDialog), timeout=UI_WAIT_MS)
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, StatementDialog)
    return dialog


def _reopened_after(db: Database, pack: PolicyPack, case_id: uuid.UUID, action: str, code: str) -> uuid.UUID:
    """A standing decision on a case that is open again (as after a lead's override), so it is on screen."""
    me = ensure_reviewer(db, "tester")
    result = record_decision(db, case_id=case_id, reviewer=me, action=action, policy_code=code, pack=pack)
    with db.write() as session:
        session.execute(update(Case).where(Case.id == case_id).values(status="open", claimed_by=None))
    return result.decision_id


def test_f2_shows_the_statement_and_ctrl_enter_saves_the_missing_field(
    db: Database,
    pack: PolicyPack,
    make_cases: Callable[..., list[uuid.UUID]],
    qtbot: QtBot,
    window: Callable[[PolicyPack], MainWindow],
) -> None:
    (case_id,) = make_cases(1, category="child_safety")
    decision_id = _reopened_after(db, pack, case_id, "remove", "CS-1")
    with db.write() as session:  # imported text is hostile: shown visible, never as markup
        session.execute(update(Case).where(Case.id == case_id).values(external_id="<b>X</b>\u202e-1"))
    w = window(pack)
    assert w.review.selection.current is not None and w.review.selection.current.id == case_id
    qtbot.keyClick(w.review.queue.table, Qt.Key.Key_F2)
    dialog = _statement_dialog(qtbot)
    text = dialog.view.toPlainText()
    assert "decision_ground: DECISION_GROUND_ILLEGAL_CONTENT" in text
    assert "illegal_content_explanation: required" in text and "(F2)" in dialog.windowTitle()
    assert "on case <b>X</b>⟨U+202E⟩-1" in text
    assert unnamed_controls(dialog) == []
    field = dialog.fields["illegal_content_explanation"]
    assert field.hasFocus()  # the first missing field
    qtbot.keyClicks(field, "Depicts a minor <b>x</b>")
    qtbot.keyClick(field, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: current(db, decision_id) != {}, timeout=UI_WAIT_MS)
    assert current(db, decision_id) == {"illegal_content_explanation": "Depicts a minor <b>x</b>"}
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=UI_WAIT_MS)
    assert missing(db) == []

    # F2 is a window shortcut: after the dialog, wait for the main window to be active again.
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=UI_WAIT_MS)
    qtbot.keyClick(w.review.queue.table, Qt.Key.Key_F2)
    dialog = _statement_dialog(qtbot)
    assert "Valid: ready for export." in dialog.view.toPlainText()
    qtbot.keyClick(dialog.fields["decision_facts"], Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=UI_WAIT_MS)


def test_f2_on_a_case_without_a_restricting_decision_says_so(
    db: Database,
    pack: PolicyPack,
    make_cases: Callable[..., list[uuid.UUID]],
    qtbot: QtBot,
    window: Callable[[PolicyPack], MainWindow],
) -> None:
    make_cases(1)
    w = window(pack)
    qtbot.keyClick(w.review.queue.table, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: "no statement of reasons" in w.statusBar().currentMessage(), timeout=UI_WAIT_MS)
    assert "Ctrl+Shift+D" in w.statusBar().currentMessage()


def test_ctrl_shift_d_lists_missing_fields_enter_opens_and_e_exports(
    db: Database,
    pack: PolicyPack,
    make_cases: Callable[..., list[uuid.UUID]],
    qtbot: QtBot,
    window: Callable[[PolicyPack], MainWindow],
) -> None:
    on_screen, illegal, fine = make_cases(3, category="child_safety")
    me = ensure_reviewer(db, "tester")
    record_decision(db, case_id=illegal, reviewer=me, action="remove", policy_code="CS-1", pack=pack)
    record_decision(db, case_id=fine, reviewer=me, action="remove", policy_code="CS-3", pack=pack)
    w = window(pack)
    qtbot.keyClick(w.review.queue.table, Qt.Key.Key_D, CTRL_SHIFT)
    qtbot.waitUntil(lambda: w.dsa.missing is not None and len(w.dsa.missing.rows) == 1, timeout=UI_WAIT_MS)
    view = w.dsa.missing
    assert view is not None and unnamed_controls(view) == []
    assert view.table.item(0, 2).text() == "illegal_content_explanation"
    assert "(Ctrl+Shift+D)" in view.windowTitle()

    view.table.setCurrentCell(0, 0)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    dialog = _statement_dialog(qtbot)
    assert dialog.statement.case_id == illegal
    qtbot.keyClick(dialog.fields["illegal_content_explanation"], Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=UI_WAIT_MS)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view, timeout=UI_WAIT_MS)  # back to the list

    qtbot.keyClick(view.table, Qt.Key.Key_E)
    exports = data_dir() / "exports"
    qtbot.waitUntil(lambda: "export" in view.message.text(), timeout=UI_WAIT_MS)
    assert "exported to" in view.message.text(), view.message.text()
    (folder,) = [p for p in exports.iterdir() if p.is_dir()]
    (batch,) = folder.iterdir()
    assert len(json.loads(batch.read_text(encoding="utf-8"))["statements"]) == 1
    assert folder.with_suffix(".csv").exists()
