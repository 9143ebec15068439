"""The Investigations window on the real MainWindow: F6 opens it, I / Shift+I add the case on screen or
its account through the picker, Ctrl+N starts one, findings typed and saved with Ctrl+Enter, a stale
save refused with the text kept, notes and member removal by key, and the timeline table."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from reviewer.identity import ensure_reviewer
from reviewer.investigations import (
    Findings,
    add_case,
    create_investigation,
    get_investigation,
    list_investigations,
    save_findings,
)
from reviewer.models import InvestigationMember
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from tests.support.waiting import UI_WAIT_MS
from tests.support.windows import open_window
from ui.investigations.picker import InvestigationPicker
from ui.investigations.title_box import TitleBox
from ui.investigations.window import FINDINGS, MEMBERS, NOTES, TIMELINE, InvestigationsWindow
from ui.shell.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(
    db: Database, pack: PolicyPack, qtbot: QtBot, make_cases: Callable[..., list[uuid.UUID]]
) -> Iterator[MainWindow]:
    make_cases(3)
    w = open_window(db, pack, qtbot)
    yield w
    w.shutdown()


def _open(w: MainWindow, qtbot: QtBot, *, loaded: bool = True) -> InvestigationsWindow:
    qtbot.keyClick(w, Qt.Key.Key_F6)
    qtbot.waitUntil(
        lambda: w.investigations.dialog is not None and w.investigations.dialog.isVisible(),
        timeout=UI_WAIT_MS,
    )
    dialog = w.investigations.dialog
    assert dialog is not None
    if loaded:
        qtbot.waitUntil(lambda: dialog.view is not None, timeout=UI_WAIT_MS)
    return dialog


def _members(db: Database, inv_id: uuid.UUID) -> list[tuple[str, uuid.UUID | None, uuid.UUID | None]]:
    with db.read() as s:
        rows = s.execute(
            select(
                InvestigationMember.kind, InvestigationMember.case_id, InvestigationMember.account_id
            ).where(InvestigationMember.investigation_id == inv_id, InvestigationMember.removed_at.is_(None))
        ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def _picker(w: MainWindow, qtbot: QtBot) -> InvestigationPicker:
    qtbot.waitUntil(
        lambda: w.investigations.picker is not None and w.investigations.picker.isVisible(),
        timeout=UI_WAIT_MS,
    )
    picker = w.investigations.picker
    assert picker is not None
    return picker


def test_f6_opens_and_ctrl_n_starts_one(window: MainWindow, qtbot: QtBot, db: Database) -> None:
    dialog = _open(window, qtbot, loaded=False)
    qtbot.waitUntil(lambda: "No investigation yet" in dialog.message.text(), timeout=UI_WAIT_MS)
    qtbot.keyClick(dialog, Qt.Key.Key_N, CTRL)
    qtbot.waitUntil(
        lambda: window.investigations.title_box is not None and window.investigations.title_box.isVisible(),
        timeout=UI_WAIT_MS,
    )
    box = window.investigations.title_box
    assert isinstance(box, TitleBox)
    qtbot.keyClicks(box.title, "Coordinated ring")
    qtbot.keyClick(box.title, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: dialog.view is not None and dialog.view.title == "Coordinated ring", timeout=UI_WAIT_MS
    )
    assert [i.title for i in list_investigations(db)] == ["Coordinated ring"]
    assert dialog.list.count() == 1 and dialog.list.currentItem().text().startswith("Coordinated ring")


def test_i_adds_the_case_on_screen_and_shift_i_its_account(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    me = ensure_reviewer(db, "tester")
    create_investigation(db, me, "Older")
    target = create_investigation(db, me, "Target")
    window.investigations._remember(target)  # the last one chosen is preselected
    case = window.review.selection.current
    assert case is not None
    qtbot.keyClick(window.review.queue.table, Qt.Key.Key_I)
    picker = _picker(window, qtbot)
    assert picker.chosen() == target
    qtbot.keyClick(picker.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _members(db, target) == [("case", case.id, None)], timeout=UI_WAIT_MS)
    qtbot.waitUntil(
        lambda: "added to the investigation" in window.statusBar().currentMessage(), timeout=UI_WAIT_MS
    )

    # A window shortcut fires only in the active window: the picker's closing hands activation back
    # to the main window asynchronously (under load, after the write has landed).
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=UI_WAIT_MS)
    qtbot.keyClick(window.review.queue.table, Qt.Key.Key_I, Qt.KeyboardModifier.ShiftModifier)
    picker = _picker(window, qtbot)
    assert picker.chosen() == target
    qtbot.keyClick(picker.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(_members(db, target)) == 2, timeout=UI_WAIT_MS)
    kinds = {kind for kind, _c, _a in _members(db, target)}
    assert kinds == {"case", "account"}

    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=UI_WAIT_MS)
    qtbot.keyClick(window.review.queue.table, Qt.Key.Key_I)  # twice: a no-op, said so
    qtbot.keyClick(_picker(window, qtbot).list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "is in it already" in window.statusBar().currentMessage(), timeout=UI_WAIT_MS)
    assert len(_members(db, target)) == 2


def test_i_with_new_starts_an_investigation_with_the_case(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    case = window.review.selection.current
    assert case is not None
    qtbot.keyClick(window.review.queue.table, Qt.Key.Key_I)
    picker = _picker(window, qtbot)
    assert picker.chosen() is None and picker.list.count() == 1  # only "New…"
    qtbot.keyClick(picker.list, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.investigations.title_box is not None and window.investigations.title_box.isVisible(),
        timeout=UI_WAIT_MS,
    )
    box = window.investigations.title_box
    assert box is not None
    qtbot.keyClicks(box.title, "From the queue")
    qtbot.keyClick(box.title, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(list_investigations(db)) == 1, timeout=UI_WAIT_MS)
    [inv] = list_investigations(db)
    qtbot.waitUntil(lambda: _members(db, inv.id) == [("case", case.id, None)], timeout=UI_WAIT_MS)


def test_findings_typed_and_saved_with_ctrl_enter(window: MainWindow, qtbot: QtBot, db: Database) -> None:
    inv_id = create_investigation(db, ensure_reviewer(db, "tester"), "Findings")
    dialog = _open(window, qtbot)
    dialog.tabs.setCurrentIndex(FINDINGS)
    editor = dialog.findings
    qtbot.keyClicks(editor.head["summary"], "Three accounts, one operator")
    editor.markdown.setPlainText("# Pattern\n\n- same images\n")
    editor.markdown.moveCursor(QTextCursor.MoveOperation.End)
    with qtbot.waitSignal(editor.previewed, timeout=UI_WAIT_MS):
        qtbot.keyClicks(editor.markdown, "typed")
    first = editor.preview.document().firstBlock()
    assert first.text() == "Pattern" and first.blockFormat().headingLevel() == 1
    qtbot.keyClick(editor.markdown, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(
        lambda: get_investigation(db, inv_id).findings.summary == "Three accounts, one operator",
        timeout=UI_WAIT_MS,
    )
    saved = get_investigation(db, inv_id).findings
    assert saved.findings_md == "# Pattern\n\n- same images\ntyped"
    qtbot.waitUntil(lambda: not editor.dirty, timeout=UI_WAIT_MS)
    assert "Findings saved" in dialog.message.text()

    # Saving again works (the window follows its own updated_at).
    qtbot.keyClicks(editor.head["policy_gaps"], "no rule for coordinated reposting")
    qtbot.keyClick(editor.markdown, Qt.Key.Key_Enter, CTRL)
    qtbot.waitUntil(lambda: get_investigation(db, inv_id).findings.policy_gaps != "", timeout=UI_WAIT_MS)


def test_a_stale_save_is_refused_and_keeps_the_text(window: MainWindow, qtbot: QtBot, db: Database) -> None:
    me = ensure_reviewer(db, "tester")
    inv_id = create_investigation(db, me, "Stale")
    dialog = _open(window, qtbot)
    other = ensure_reviewer(db, "colleague")
    save_findings(
        db,
        other,
        inv_id,
        Findings(summary="theirs"),
        expected_updated_at=get_investigation(db, inv_id).updated_at,
    )
    dialog.tabs.setCurrentIndex(FINDINGS)
    qtbot.keyClicks(dialog.findings.head["summary"], "mine")
    qtbot.keyClick(dialog.findings.head["summary"], Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: "NOT saved" in dialog.message.text(), timeout=UI_WAIT_MS)
    assert "changed since you opened it" in dialog.message.text()
    assert dialog.findings.head["summary"].toPlainText() == "mine"
    assert get_investigation(db, inv_id).findings.summary == "theirs"


def test_notes_members_and_timeline_by_key(window: MainWindow, qtbot: QtBot, db: Database) -> None:
    me = ensure_reviewer(db, "tester")
    inv_id = create_investigation(db, me, "Keys")
    case = window.review.selection.current
    assert case is not None
    add_case(db, me, inv_id, case.id)
    dialog = _open(window, qtbot)
    qtbot.waitUntil(lambda: dialog.members.rowCount() == 1, timeout=UI_WAIT_MS)
    assert dialog.members.item(0, 1).text() == case.external_id

    dialog.tabs.setCurrentIndex(TIMELINE)
    assert dialog.timeline_model.rowCount() >= 1
    assert dialog.timeline_model.events[0].external_id == case.external_id

    dialog.tabs.setCurrentIndex(NOTES)
    qtbot.keyClicks(dialog.note_text, "seen before")
    qtbot.keyClick(dialog.note_text, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: dialog.notes.rowCount() == 1, timeout=UI_WAIT_MS)
    assert dialog.notes.item(0, 3).text() == "seen before" and dialog.note_text.toPlainText() == ""

    # Delete in a text field edits the text; it removes no member.
    dialog.tabs.setCurrentIndex(FINDINGS)
    dialog.findings.markdown.setPlainText("xy")
    dialog.findings.markdown.setFocus()
    qtbot.keyClick(dialog.findings.markdown, Qt.Key.Key_Delete)
    assert dialog.findings.markdown.toPlainText() == "y"
    assert len(_members(db, inv_id)) == 1

    dialog.tabs.setCurrentIndex(MEMBERS)
    dialog.members.setFocus()
    dialog.members.selectRow(0)
    qtbot.keyClick(dialog.members, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: _members(db, inv_id) == [], timeout=UI_WAIT_MS)
    qtbot.waitUntil(lambda: dialog.members.rowCount() == 0, timeout=UI_WAIT_MS)

    qtbot.keyClick(dialog, Qt.Key.Key_X, CTRL | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: get_investigation(db, inv_id).status == "closed", timeout=UI_WAIT_MS)
    qtbot.waitUntil(lambda: dialog.view is not None and not dialog.view.is_open, timeout=UI_WAIT_MS)
    assert not dialog.save_button.isEnabled()


def test_escape_closes_and_f6_brings_the_draft_back(window: MainWindow, qtbot: QtBot, db: Database) -> None:
    create_investigation(db, ensure_reviewer(db, "tester"), "Draft")
    dialog = _open(window, qtbot)
    dialog.findings.markdown.setPlainText("unsaved thought")
    qtbot.keyClick(dialog.list, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=UI_WAIT_MS)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=UI_WAIT_MS)
    again = _open(window, qtbot)
    assert again is dialog
    assert dialog.findings.markdown.toPlainText() == "unsaved thought"


def test_f12_in_the_window_or_the_picker_hides_everything(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    from ui.wellbeing.panic import open_dialogs

    create_investigation(db, ensure_reviewer(db, "tester"), "Panic")
    dialog = _open(window, qtbot)
    dialog.tabs.setCurrentIndex(FINDINGS)
    dialog.findings.markdown.setFocus()
    qtbot.keyClick(dialog.findings.markdown, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: window.screens.current == "hidden", timeout=UI_WAIT_MS)
    assert not dialog.isVisible() and not open_dialogs(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=UI_WAIT_MS)
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_F12)  # back to work
    qtbot.waitUntil(lambda: window.screens.current == "work", timeout=UI_WAIT_MS)
    qtbot.keyClick(window.review.queue.table, Qt.Key.Key_I)
    picker = _picker(window, qtbot)
    qtbot.keyClick(picker.list, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: window.screens.current == "hidden", timeout=UI_WAIT_MS)
    assert not picker.isVisible() and _members(db, list_investigations(db)[0].id) == []
