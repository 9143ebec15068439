"""The QA lanes in the real window: F7 shows the blind QA task (nothing of the first decision anywhere in
the window), K records the verdict (not a decision), undo and the like are refused with a message;
Ctrl+Shift+A is refused to a non-lead and, for a lead, settles a disagreement with a required note."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QListWidget, QPlainTextEdit, QTableView, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from reviewer.decisions import record_decision
from reviewer.identity import ensure_reviewer, set_role
from reviewer.models import Decision, QaReview
from reviewer.policy import PolicyPack
from reviewer.qa.reviews import record_verdict, sample_new_decisions
from reviewer.qa.sampling import set_rate
from reviewer.storage.database import Database
from tests.support.waiting import UI_WAIT_MS
from ui.casepanel.panel import BLIND_TEXT
from ui.qa.actions import NOT_A_LEAD
from ui.shell.main_window import MainWindow
from ui.shell.required_text import RequiredTextBox

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
FIRST_NOTE = "first-reviewer-note-7731"


def _decided_by_alice(db: Database, pack: PolicyPack, case_id: uuid.UUID) -> uuid.UUID:
    set_rate(db, 1.0, actor="test")  # every decision sampled
    alice = ensure_reviewer(db, "alice")
    made = record_decision(
        db, case_id=case_id, reviewer=alice, action="remove", policy_code="VIO-1", pack=pack, note=FIRST_NOTE
    )
    return made.decision_id


def _said(w: MainWindow) -> list[str]:
    """Every status-bar message from now on (a later start-up message may replace one before it is read)."""
    messages: list[str] = []
    w.statusBar().messageChanged.connect(messages.append)
    return messages


def _texts(root: QWidget) -> list[str]:
    """Every text a person can read in the window: labels, text boxes, list rows, visible table cells."""
    out: list[str] = []
    for label in root.findChildren(QLabel):
        if label.isVisible():
            out.append(label.text())
    for box in root.findChildren(QPlainTextEdit):
        if box.isVisible():
            out.append(box.toPlainText())
    for view in root.findChildren(QListWidget):
        if view.isVisible():
            out.extend(view.item(i).text() for i in range(view.count()))
    for table in root.findChildren(QTableView):
        model = table.model()
        if not table.isVisible() or model is None:
            continue
        for r in range(model.rowCount()):
            for c in range(model.columnCount()):
                if not table.isColumnHidden(c):
                    out.append(str(model.data(model.index(r, c))))
    out.append(root.statusBar().currentMessage() if isinstance(root, MainWindow) else "")
    return out


def test_f7_shows_the_blind_qa_task_and_k_records_the_verdict(
    db: Database,
    pack: PolicyPack,
    make_cases: Callable[..., list[uuid.UUID]],
    qtbot: QtBot,
    window: Callable[[PolicyPack], MainWindow],
) -> None:
    case_id, *_ = make_cases(3)
    _decided_by_alice(db, pack, case_id)
    w = window(pack)
    said = _said(w)
    qtbot.keyClick(w, Qt.Key.Key_F7)
    qtbot.waitUntil(
        lambda: (
            w.review.lanes.active is not None
            and w.review.selection.current is not None
            and w.review.selection.current.id == case_id
        ),
        timeout=UI_WAIT_MS,
    )
    assert w.review.model.rowCount() == 1  # only the QA task; the open cases are not in the lane
    panel = w.case_panel.panel
    qtbot.waitUntil(
        lambda: (
            panel.case is not None
            and panel.case.id == case_id
            and panel.timeline.count() > 0
            and not panel.timeline.item(0).text().startswith("Loading")
        ),
        timeout=UI_WAIT_MS,
    )
    qtbot.waitUntil(lambda: panel.related.count() > 0 and "Looking" not in panel.related.item(0).text())
    shown = "\n".join([*_texts(w), *said])  # and every status-bar message since the lane opened
    assert "alice" not in shown  # who decided first: nowhere
    assert BLIND_TEXT in shown
    assert FIRST_NOTE not in shown  # the first decision's note: nowhere
    assert "decided" not in panel.title.full_text()  # the case's status says there was a decision
    assert w.review.queue.table.isColumnHidden(6)  # the queue's status column

    # A sync's re-check of the shown case (or a lease renewal) must not say who decided it.
    w.review.flow.recheck_current()
    marker: list[bool] = []
    w.ctx.tasks.run_read(lambda: None, lambda _none: marker.append(True))  # after any read queued before it
    qtbot.waitUntil(lambda: bool(marker), timeout=UI_WAIT_MS)
    assert w.review.flow.error_box is None and not any("alice" in m for m in said)

    qtbot.keyClick(w.review.queue.table, Qt.Key.Key_Z, CTRL)  # undo makes no sense in the lane
    qtbot.waitUntil(lambda: any("QA lane" in m for m in said), timeout=UI_WAIT_MS)
    for refused in ("decision.escalate", "decision.apply_to_duplicates", "dsa.statement"):
        assert "QA lane" in (w.registry.refusal(refused) or ""), refused

    qtbot.keyClick(w.review.queue.table, Qt.Key.Key_K)

    def verdict() -> tuple[str, str | None, str | None] | None:
        with db.read() as s:
            row = s.execute(select(QaReview.status, QaReview.verdict_action, QaReview.first_action)).first()
        return None if row is None else (row[0], row[1], row[2])

    qtbot.waitUntil(lambda: verdict() == ("disagreed", "keep", "remove"), timeout=UI_WAIT_MS)
    with db.read() as s:  # a verdict, not a decision: alice's decision stands alone
        assert s.execute(select(Decision.id).where(Decision.case_id == case_id)).all().__len__() == 1
    qtbot.waitUntil(lambda: w.review.model.rowCount() == 0, timeout=UI_WAIT_MS)

    qtbot.keyClick(w.review.queue.table, Qt.Key.Key_F7)  # back to the review queue
    qtbot.waitUntil(
        lambda: w.review.lanes.active is None and w.review.model.rowCount() == 2, timeout=UI_WAIT_MS
    )
    assert not w.review.queue.table.isColumnHidden(6)


def _disagreement(db: Database, pack: PolicyPack, case_id: uuid.UUID) -> uuid.UUID:
    decision_id = _decided_by_alice(db, pack, case_id)
    sample_new_decisions(db)
    bob = ensure_reviewer(db, "bob")
    with db.read() as s:
        item_id = s.execute(select(QaReview.id).where(QaReview.decision_id == decision_id)).scalar_one()
    record_verdict(db, item_id, reviewer=bob, action="keep", pack=pack)
    return item_id


def test_ctrl_shift_a_is_refused_to_a_reviewer_who_is_not_a_lead(
    db: Database,
    pack: PolicyPack,
    make_cases: Callable[..., list[uuid.UUID]],
    qtbot: QtBot,
    window: Callable[[PolicyPack], MainWindow],
) -> None:
    case_id, *_ = make_cases(2)
    _disagreement(db, pack, case_id)
    w = window(pack)
    said = _said(w)
    qtbot.keyClick(w.review.queue.table, Qt.Key.Key_A, CTRL_SHIFT)
    qtbot.waitUntil(lambda: NOT_A_LEAD in said, timeout=UI_WAIT_MS)
    assert w.review.lanes.active is None


def test_a_lead_adjudicates_a_disagreement_with_a_note(
    db: Database,
    pack: PolicyPack,
    make_cases: Callable[..., list[uuid.UUID]],
    qtbot: QtBot,
    window: Callable[[PolicyPack], MainWindow],
) -> None:
    case_id, *_ = make_cases(2)
    item_id = _disagreement(db, pack, case_id)
    ensure_reviewer(db, "tester")
    set_role(db, "tester", "lead", actor="test")
    w = window(pack)
    qtbot.keyClick(w.review.queue.table, Qt.Key.Key_A, CTRL_SHIFT)
    qtbot.waitUntil(
        lambda: w.review.selection.current is not None and w.review.selection.current.id == case_id,
        timeout=UI_WAIT_MS,
    )
    info = w.review.lanes.info.toPlainText()
    assert "alice" in info and "bob" in info and "Alt+S" in info  # both verdicts side by side, the keys
    qtbot.keyClick(w.review.queue.table, Qt.Key.Key_S, ALT)  # take the second verdict: keep
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), RequiredTextBox), timeout=UI_WAIT_MS)
    box = QApplication.activeModalWidget()
    assert isinstance(box, RequiredTextBox)
    qtbot.keyClick(box.text, Qt.Key.Key_Return, CTRL)  # a note is required: nothing written yet
    assert box.isVisible()
    box.text.setPlainText("the post is satire")
    qtbot.keyClick(box.text, Qt.Key.Key_Return, CTRL)

    def status() -> str:
        with db.read() as s:
            return s.execute(select(QaReview.status).where(QaReview.id == item_id)).scalar_one()

    qtbot.waitUntil(lambda: status() == "adjudicated", timeout=UI_WAIT_MS)
    with db.read() as s:
        actions = set(s.execute(select(Decision.action).where(Decision.case_id == case_id)).scalars())
    assert "keep" in actions  # the lead's decision on the case
