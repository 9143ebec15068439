"""The appeals lane in the real window: F10 shows the open appeals of others' decisions with the original
decision and the statement (plain text), Alt+U upholds, a decision key overturns after a required reason
(linked decisions: the original undone, the new one written); an appeal of one's own decision is not offered
and is refused if forced."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from reviewer.appeals.importing import import_appeals
from reviewer.appeals.outcomes import list_appeals
from reviewer.decisions import record_decision
from reviewer.identity import ensure_reviewer
from reviewer.models import Appeal, Case, Decision
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from tests.support.accessible import unnamed_controls
from tests.support.labels import clipped_labels
from tests.support.waiting import UI_WAIT_MS
from ui.shell.main_window import MainWindow
from ui.shell.required_text import RequiredTextBox

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
STATEMENT = "It was a <b>joke</b> between friends"


def _appeal(
    db: Database, pack: PolicyPack, tmp_path: Path, case_id: uuid.UUID, handle: str, ext: str
) -> None:
    who = ensure_reviewer(db, handle)
    record_decision(db, case_id=case_id, reviewer=who, action="remove", policy_code="VIO-1", pack=pack)
    with db.read() as s:
        external = s.get_one(Case, case_id).external_id
    path = tmp_path / f"{ext}.jsonl"
    path.write_text(json.dumps({"appeal_id": ext, "case": external, "statement": STATEMENT}) + "\n")
    assert import_appeals(db, path, actor="test") == 1


def _said(w: MainWindow) -> list[str]:
    """Every status-bar message from now on (a later start-up message may replace one before it is read)."""
    messages: list[str] = []
    w.statusBar().messageChanged.connect(messages.append)
    return messages


def _status(db: Database, ext: str) -> str:
    with db.read() as s:
        return s.execute(select(Appeal.status).where(Appeal.external_id == ext)).scalar_one()


def test_f10_shows_the_appeal_and_an_overturn_needs_a_reason(
    db: Database,
    pack: PolicyPack,
    make_cases: Callable[..., list[uuid.UUID]],
    qtbot: QtBot,
    tmp_path: Path,
    window: Callable[[PolicyPack], MainWindow],
) -> None:
    theirs, mine, *_ = make_cases(3)
    _appeal(db, pack, tmp_path, theirs, "alice", "AP-1")
    _appeal(db, pack, tmp_path, mine, "tester", "AP-2")  # the window's own decision
    w = window(pack)
    qtbot.keyClick(w.review.queue.table, Qt.Key.Key_F10)
    qtbot.waitUntil(
        lambda: w.review.selection.current is not None and w.review.selection.current.id == theirs,
        timeout=UI_WAIT_MS,
    )
    assert w.review.model.rowCount() == 1  # the appeal of the reviewer's own decision is not offered
    info = w.review.lanes.info
    qtbot.waitUntil(lambda: "AP-1" in info.toPlainText(), timeout=UI_WAIT_MS)
    assert STATEMENT in info.toPlainText()  # shown as plain text (a QPlainTextEdit), never markup
    assert (
        "alice" in info.toPlainText() and "Alt+U" in info.toPlainText()
    )  # the original decision; the uphold key
    assert unnamed_controls(w) == [] and clipped_labels(w) == []  # the lane's title and line fit

    qtbot.keyClick(w.review.queue.table, Qt.Key.Key_K)  # keep: overturns the removal
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), RequiredTextBox), timeout=UI_WAIT_MS)
    box = QApplication.activeModalWidget()
    assert isinstance(box, RequiredTextBox)
    qtbot.keyClick(box.text, Qt.Key.Key_Return, CTRL)  # no reason: refused, nothing written
    assert box.isVisible() and _status(db, "AP-1") == "open"
    box.text.setPlainText("context shows satire")
    qtbot.keyClick(box.text, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: _status(db, "AP-1") == "overturned", timeout=UI_WAIT_MS)
    (worked,) = list_appeals(db, open_only=False, not_decided_by=ensure_reviewer(db, "tester"))
    with db.read() as s:
        made = s.get_one(Decision, worked.outcome_decision_id)
        undo = s.execute(
            select(Decision).where(Decision.reverses_id == worked.original_decision_id)
        ).scalar_one()
    assert (made.action, made.case_id) == ("keep", theirs) and undo.case_id == theirs
    qtbot.waitUntil(lambda: w.review.model.rowCount() == 0, timeout=UI_WAIT_MS)

    # Forced (as if the lane held it): the core refuses working an appeal of one's own decision.
    (own,) = list_appeals(db, not_decided_by=ensure_reviewer(db, "alice"))
    qtbot.keyClick(w.review.queue.table, Qt.Key.Key_F10)  # leave the lane …
    qtbot.waitUntil(lambda: w.review.lanes.active is None, timeout=UI_WAIT_MS)
    lane = w.appeals.lane()
    w.review.lanes.active, w.review.lanes.details = lane, {mine: own}
    w.review.apply_filter(w.review.queue.current_filter())
    qtbot.waitUntil(
        lambda: w.review.selection.current is not None and w.review.selection.current.id == mine,
        timeout=UI_WAIT_MS,
    )
    said = _said(w)
    qtbot.keyClick(w.review.queue.table, Qt.Key.Key_U, ALT)
    qtbot.waitUntil(lambda: any("another reviewer" in m for m in said), timeout=UI_WAIT_MS)
    assert _status(db, "AP-2") == "open"


def test_alt_u_upholds_the_appeal(
    db: Database,
    pack: PolicyPack,
    make_cases: Callable[..., list[uuid.UUID]],
    qtbot: QtBot,
    tmp_path: Path,
    window: Callable[[PolicyPack], MainWindow],
) -> None:
    theirs, *_ = make_cases(2)
    _appeal(db, pack, tmp_path, theirs, "alice", "AP-1")
    w = window(pack)
    qtbot.keyClick(w.review.queue.table, Qt.Key.Key_F10)
    qtbot.waitUntil(
        lambda: w.review.selection.current is not None and w.review.selection.current.id == theirs,
        timeout=UI_WAIT_MS,
    )
    said = _said(w)
    qtbot.keyClick(w.review.queue.table, Qt.Key.Key_U, ALT)
    qtbot.waitUntil(lambda: _status(db, "AP-1") == "upheld", timeout=UI_WAIT_MS)
    qtbot.waitUntil(lambda: any("upheld" in m for m in said), timeout=UI_WAIT_MS)
    qtbot.waitUntil(lambda: w.review.model.rowCount() == 0, timeout=UI_WAIT_MS)  # the appeal left the lane
