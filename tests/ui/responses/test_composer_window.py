"""The response composer and the responses list in the real window: Ctrl+R on the case on screen, ↑↓
templates, Ctrl+S draft, Esc keeps the draft, Ctrl+Enter finalises (refused on an open case), the
queue's Response column, F8 and E export."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from reviewer.audit.verify import verify
from reviewer.decisions import record_decision
from reviewer.identity import ensure_reviewer
from reviewer.models import Case, Response
from reviewer.policy import PolicyPack
from reviewer.queue import QueueFilter
from reviewer.storage.database import Database
from tests.support.accessible import unnamed_controls
from tests.support.responses import REQUESTER, import_lines, response_line
from tests.support.waiting import UI_WAIT_MS
from tests.support.windows import open_window
from ui.responses import list_view
from ui.responses.composer import ResponseComposer
from ui.review.queue_model import Column
from ui.shell.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
CTRL = Qt.KeyboardModifier.ControlModifier
HOSTILE = {**REQUESTER, "name": "<img src=file:///etc/x.png>Eve\u202eevil"}


def _ids(db: Database) -> dict[str, uuid.UUID]:
    with db.read() as s:
        return dict(s.execute(select(Case.external_id, Case.id)).all())


def _responses(db: Database) -> list[Response]:
    with db.read() as s:
        return list(s.scalars(select(Response).order_by(Response.created_at)))


def _key(qtbot: QtBot, key: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    target = QApplication.focusWidget()
    assert isinstance(target, QWidget)
    qtbot.keyClick(target, key, mods)


def _composer(w: MainWindow, qtbot: QtBot) -> ResponseComposer:
    w.activateWindow()  # (after a dialog closed: activation comes back asynchronously)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=UI_WAIT_MS)  # a window shortcut
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_R, CTRL)
    qtbot.waitUntil(
        lambda: w.responses.composer is not None and w.responses.composer.isVisible(), timeout=UI_WAIT_MS
    )
    composer = w.responses.composer
    assert composer is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is composer.template_list, timeout=UI_WAIT_MS)
    return composer


@pytest.fixture
def cases(db: Database, tmp_path: Path) -> dict[str, uuid.UUID]:
    soon = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    import_lines(
        db,
        tmp_path / "in",
        [
            response_line("OPEN-1", requester=HOSTILE, priority=1, response_due_at=soon),
            response_line("QUIET-1", channel="user_report", priority=4),
        ],
    )
    return _ids(db)


def test_compose_on_an_open_case_drafts_and_esc_keeps_the_draft(
    db: Database, pack: PolicyPack, qtbot: QtBot, cases: dict[str, uuid.UUID]
) -> None:
    w = open_window(db, pack, qtbot)
    assert w.review.selection.current is not None and w.review.selection.current.id == cases["OPEN-1"]
    row = w.review.model.row_for_case(cases["OPEN-1"])
    assert row is not None
    cell = w.review.model.index(row, Column.RESPONSE).data()
    assert cell.startswith("due in ")  # read with the page
    composer = _composer(w, qtbot)
    # the requester is plain text: markup shown as characters, the bidi override made visible
    assert composer.requester.textFormat() == Qt.TextFormat.PlainText
    assert "<img src=file:///etc/x.png>Eve⟨U+202E⟩evil" in composer.requester.text()
    assert composer.windowTitle().startswith("Compose response (Ctrl+R)")
    first = composer.subject.text()
    assert "REF-{case_id}-9" in first and "OPEN-1" in first  # filled once: "{case_id}" in a value stays
    assert unnamed_controls(composer) == []
    _key(qtbot, Qt.Key.Key_Down)  # ↑↓ picks another template
    qtbot.waitUntil(lambda: composer.subject.text() != first, timeout=UI_WAIT_MS)
    _key(qtbot, Qt.Key.Key_Return, CTRL)  # finalise: refused, the case is open
    qtbot.waitUntil(lambda: "needs it decided" in composer.message.text(), timeout=UI_WAIT_MS)
    assert _responses(db)[0].status == "draft"  # saved on the way, not final
    qtbot.keyClick(composer.body, Qt.Key.Key_End, CTRL)
    qtbot.keyClicks(composer.body, " PS from the reviewer")
    qtbot.keyClick(composer.body, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: "Draft saved" in composer.message.text(), timeout=UI_WAIT_MS)
    qtbot.keyClicks(composer.body, " and more")
    qtbot.keyClick(composer.body, Qt.Key.Key_Escape)  # closes, keeping the edit as the same draft
    qtbot.waitUntil(lambda: not composer.isVisible(), timeout=UI_WAIT_MS)
    qtbot.waitUntil(
        lambda: _responses(db)[0].body.endswith("PS from the reviewer and more"), timeout=UI_WAIT_MS
    )
    (draft,) = _responses(db)
    assert draft.status == "draft" and draft.case_id == cases["OPEN-1"]
    # opening again edits the same draft
    again = _composer(w, qtbot)
    assert again.response_id == draft.id and again.body.toPlainText() == draft.body
    again.reject()  # as the panic key does: writes nothing
    assert len(_responses(db)) == 1
    assert verify(db).ok


def test_finalising_an_escalated_case_marks_the_queue_responded(
    db: Database, pack: PolicyPack, qtbot: QtBot, cases: dict[str, uuid.UUID]
) -> None:
    me = ensure_reviewer(db, "tester")
    record_decision(
        db,
        case_id=cases["OPEN-1"],
        reviewer=me,
        action="escalate",
        pack=pack,
        rationale="hand-off: policy team to look",
    )
    w = open_window(db, pack, qtbot, first_case=False)
    w.review.apply_filter(QueueFilter(statuses=("escalated",)))
    qtbot.waitUntil(
        lambda: w.review.selection.current is not None and w.review.selection.current.id == cases["OPEN-1"],
        timeout=UI_WAIT_MS,
    )
    composer = _composer(w, qtbot)
    assert composer.current_template() is not None and composer.current_template().id == "partner-escalated"  # type: ignore[union-attr]
    _key(qtbot, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: "Final response stored" in composer.message.text(), timeout=UI_WAIT_MS)
    (final,) = _responses(db)
    assert final.status == "final" and final.decision_id is not None
    row = w.review.model.row_for_case(cases["OPEN-1"])
    assert row is not None
    assert w.review.model.index(row, Column.RESPONSE).data() == "responded"


def test_a_channel_without_templates_is_told_so(
    db: Database, pack: PolicyPack, qtbot: QtBot, cases: dict[str, uuid.UUID]
) -> None:
    w = open_window(db, pack, qtbot, first_case=False)
    w.review.apply_filter(QueueFilter(statuses=("open",), channel="user_report"))
    qtbot.waitUntil(
        lambda: w.review.selection.current is not None and w.review.selection.current.id == cases["QUIET-1"],
        timeout=UI_WAIT_MS,
    )
    w.registry.trigger("response.compose")
    qtbot.waitUntil(lambda: "expects no response" in w.statusBar().currentMessage(), timeout=UI_WAIT_MS)
    assert w.responses.composer is None


def test_the_list_shows_responses_and_e_exports(
    db: Database,
    pack: PolicyPack,
    qtbot: QtBot,
    cases: dict[str, uuid.UUID],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reviewer.responses.store import finalise, save_draft

    me = ensure_reviewer(db, "tester")
    record_decision(db, case_id=cases["OPEN-1"], reviewer=me, action="keep", pack=pack)
    draft = save_draft(db, case_id=cases["OPEN-1"], reviewer_id=me.id, template_id="partner-no-violation",
                       subject="S", body="B")  # fmt: skip
    finalise(db, draft.id, reviewer_id=me.id)
    w = open_window(db, pack, qtbot)
    target = tmp_path / "out" / "responses.jsonl"
    target.parent.mkdir()
    monkeypatch.setattr(list_view, "choose_export_path", lambda _parent: target)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=UI_WAIT_MS)
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_F8)
    qtbot.waitUntil(
        lambda: w.responses.list_dialog is not None and w.responses.list_dialog.isVisible(),
        timeout=UI_WAIT_MS,
    )
    dialog = w.responses.list_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=UI_WAIT_MS)
    cells = [dialog.table.item(0, c).text() for c in range(dialog.table.columnCount())]
    assert cells[:3] == ["OPEN-1", "partner", "final"] and cells[3].startswith("responded")
    assert unnamed_controls(dialog) == []
    qtbot.keyClick(dialog.table, Qt.Key.Key_E)
    qtbot.waitUntil(lambda: target.is_file(), timeout=UI_WAIT_MS)
    qtbot.waitUntil(lambda: "Exported 1 response" in dialog.message.text(), timeout=UI_WAIT_MS)
    (row,) = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert row["case_external_id"] == "OPEN-1" and row["requester_name"] == HOSTILE["name"]
