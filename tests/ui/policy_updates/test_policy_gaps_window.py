"""Policy gaps in the real window: Shift+G flags the case on screen (section pre-filled, a required
note, Ctrl+Enter saves, Esc cancels); Ctrl+Shift+G lists gaps, Enter goes to the case, C closes one (a
lead), E exports."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from reviewer.identity import ensure_reviewer, set_role
from reviewer.policy import PolicyPack
from reviewer.policy_gaps import flag_gap, list_gaps
from reviewer.storage.database import Database
from tests.support.accessible import unnamed_controls
from tests.support.waiting import UI_WAIT_MS
from ui.policy_updates.gaps_view import GapsDialog
from ui.policy_updates.note_box import GapNoteBox
from ui.shell.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _note_box(qtbot: QtBot) -> GapNoteBox:
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), GapNoteBox), timeout=UI_WAIT_MS)
    box = QApplication.activeModalWidget()
    assert isinstance(box, GapNoteBox)
    return box


def _gaps_view(w: MainWindow, qtbot: QtBot, rows: int) -> GapsDialog:
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_G, CTRL_SHIFT)
    qtbot.waitUntil(
        lambda: w.policy_work.gaps is not None and len(w.policy_work.gaps.rows) == rows, timeout=UI_WAIT_MS
    )
    view = w.policy_work.gaps
    assert view is not None and view.isVisible()
    return view


def test_shift_g_flags_the_case_on_screen_with_the_picked_section(
    db: Database,
    pack: PolicyPack,
    make_cases: Callable[..., list[uuid.UUID]],
    qtbot: QtBot,
    window: Callable[[PolicyPack], MainWindow],
) -> None:
    make_cases(3)
    w = window(pack)
    current = w.review.selection.current
    assert current is not None
    qtbot.keyClick(w.review.queue.table, Qt.Key.Key_1)  # pick the first section for this case
    picked = w.review.picks.picked_code
    assert picked
    qtbot.keyClick(w.review.queue.table, Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)
    box = _note_box(qtbot)
    assert box.section.text() == picked and unnamed_controls(box) == []
    qtbot.keyClick(box.text, Qt.Key.Key_Return, CTRL)  # no note: refused, the box stays
    assert box.isVisible() and "note first" in box.hint.text() and list_gaps(db) == []
    qtbot.keyClicks(box.text, "drawn violence is not covered")
    qtbot.keyClick(box.text, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: len(list_gaps(db)) == 1, timeout=UI_WAIT_MS)
    (gap,) = list_gaps(db)
    assert (gap.case_id, gap.policy_code, gap.note, gap.flagged_by) == (
        current.id, picked, "drawn violence is not covered", "tester"
    )  # fmt: skip

    qtbot.keyClick(w.review.queue.table, Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)
    box = _note_box(qtbot)
    qtbot.keyClicks(box.text, "never saved")
    qtbot.keyClick(box.text, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=UI_WAIT_MS)
    assert len(list_gaps(db)) == 1


def test_the_list_goes_to_the_case_and_a_reviewer_cannot_close(
    db: Database,
    pack: PolicyPack,
    make_cases: Callable[..., list[uuid.UUID]],
    qtbot: QtBot,
    window: Callable[[PolicyPack], MainWindow],
) -> None:
    ids = make_cases(4)
    me = ensure_reviewer(db, "tester")
    flag_gap(db, case_id=ids[2], reviewer=me, pack=pack, note="<b>ambiguous</b>\u202e", policy_code="VIO-1")
    w = window(pack)
    view = _gaps_view(w, qtbot, 1)
    assert unnamed_controls(view) == []
    assert view.table.item(0, 2).text() == "<b>ambiguous</b>⟨U+202E⟩"
    assert "&lt;b&gt;ambiguous" in view.table.item(0, 2).toolTip()  # shown literally, never as markup
    qtbot.keyClick(view.table, Qt.Key.Key_C)
    assert "Only a lead" in view.message.text() and w.policy_work.note_box is None
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=UI_WAIT_MS)
    qtbot.waitUntil(
        lambda: w.review.selection.current is not None and w.review.selection.current.id == ids[2],
        timeout=UI_WAIT_MS,
    )


def test_a_lead_closes_a_gap_with_a_note_and_exports_the_list(
    db: Database,
    pack: PolicyPack,
    make_cases: Callable[..., list[uuid.UUID]],
    qtbot: QtBot,
    tmp_path: Path,
    window: Callable[[PolicyPack], MainWindow],
) -> None:
    (case_id,) = make_cases(1)
    ensure_reviewer(db, "tester")
    me = set_role(db, "tester", "lead", actor="test")
    flag_gap(db, case_id=case_id, reviewer=me, pack=pack, note="satire vs threat")
    w = window(pack)
    view = _gaps_view(w, qtbot, 1)
    qtbot.keyClick(view.table, Qt.Key.Key_C)
    box = _note_box(qtbot)
    assert not box.section.isVisible()
    qtbot.keyClicks(box.text, "clarified in VIO-1")
    qtbot.keyClick(box.text, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: list_gaps(db) == [] and view.rows == [], timeout=UI_WAIT_MS)
    assert list_gaps(db, open_only=False)[0].closing_note == "clarified in VIO-1"
    qtbot.keyClick(view.table, Qt.Key.Key_A)  # closed ones too
    qtbot.waitUntil(lambda: len(view.rows) == 1, timeout=UI_WAIT_MS)
    assert view.table.item(0, 5).text().startswith("closed by tester")
    qtbot.keyClick(view.table, Qt.Key.Key_E)
    qtbot.waitUntil(lambda: "exported to" in view.message.text(), timeout=UI_WAIT_MS)
    (out,) = (tmp_path / "data" / "exports").glob("policy-gaps-*.csv")
    assert "clarified in VIO-1" in out.read_text(encoding="utf-8")
    qtbot.keyClick(view.table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=UI_WAIT_MS)
