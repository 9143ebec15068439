"""A new pack version arrives: installed, the window restarted under it, the policy panel marks the
changed and added sections under a banner, F4 shows each section's diff (plain text, +/- lines coloured),
Esc closes; the decision made before still cites the old version."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from reviewer.models import Decision
from reviewer.policy import PolicyPack
from reviewer.policy_sources import current_pack, install_pack
from reviewer.storage.database import Database
from tests.support.accessible import unnamed_controls
from tests.support.labels import clipped_labels
from tests.support.policy_packs import ADDED_CODE, CHANGED_CODE, NEW_VERSION, second_version
from tests.support.waiting import UI_WAIT_MS
from tests.support.windows import open_window
from ui.policy_updates.changes_view import ChangesDialog
from ui.review.policy_panel import CHANGED_MARK, CodeRole


def _marked(w: object) -> dict[str, str]:
    model = w.review.policy.list.model()  # type: ignore[attr-defined]
    rows = (model.index(r, 0) for r in range(model.rowCount()))
    return {i.data(CodeRole): i.data() for i in rows if CHANGED_MARK in i.data()}


def test_a_new_version_is_marked_and_diffed_after_a_restart(
    db: Database, pack: PolicyPack, make_cases: Callable[..., list[uuid.UUID]], qtbot: QtBot, tmp_path: Path
) -> None:
    make_cases(3)
    w = open_window(db, pack, qtbot)
    decided = w.review.selection.current
    assert decided is not None
    assert not w.review.policy.changes_banner.isVisible() and _marked(w) == {}
    qtbot.keyClick(w.review.queue.table, Qt.Key.Key_K)  # keep, under the built-in version
    qtbot.waitUntil(lambda: _decision_version(db, decided.id) is not None, timeout=UI_WAIT_MS)
    w.shutdown()
    w.close()

    install_pack(db, second_version(tmp_path), actor="lena")
    w = open_window(db, current_pack(db), qtbot)
    try:
        banner = w.review.policy.changes_banner
        qtbot.waitUntil(banner.isVisible, timeout=UI_WAIT_MS)
        assert banner.text() == (
            f"Policy {NEW_VERSION} changed 2 sections since your last session — F4 to see what changed"
        )
        assert set(_marked(w)) == {CHANGED_CODE, ADDED_CODE}

        qtbot.keyClick(w.review.queue.table, Qt.Key.Key_F4)
        qtbot.waitUntil(
            lambda: w.policy_work.changes_view is not None and w.policy_work.changes_view.isVisible(),
            timeout=UI_WAIT_MS,
        )
        view = w.policy_work.changes_view
        assert isinstance(view, ChangesDialog)
        assert unnamed_controls(view) == [] and clipped_labels(view) == []
        assert view.sections.count() == 2 and view.sections.item(1).text().endswith("(+ added)")
        text = view.diff_text()
        assert "+ Fictional and medical content is assessed under VIO-4." in text
        assert (
            "- Fictional, medical and clearly staged content is assessed under VIO-4 context rules." in text
        )
        assert _background_of(view, "+ escalate") != _background_of(view, "  remove")
        assert _background_of(view, "- Fictional") not in (
            _background_of(view, "+ escalate"),
            _background_of(view, "  remove"),
        )
        qtbot.keyClick(view.sections, Qt.Key.Key_Down)
        assert "+ Violent events in progress" in view.diff_text()
        qtbot.keyClick(view.sections, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not view.isVisible(), timeout=UI_WAIT_MS)
    finally:
        w.shutdown()
    assert _decision_version(db, decided.id) == pack.version  # the old decision still cites the built-in version


def _decision_version(db: Database, case_id: uuid.UUID) -> str | None:
    with db.read() as s:
        row = s.query(Decision).filter(Decision.case_id == case_id).one_or_none()
        return row.policy_version if row is not None else None


def _background_of(view: ChangesDialog, line_start: str) -> str:
    doc = view.diff.document()
    block = doc.begin()
    while block.isValid():
        if block.text().startswith(line_start):
            cursor = QTextCursor(block)
            cursor.movePosition(QTextCursor.MoveOperation.Right)
            return cursor.charFormat().background().color().name()
        block = block.next()
    raise AssertionError(f"no line {line_start!r}")
