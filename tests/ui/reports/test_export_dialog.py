"""Ctrl+Shift+P in the running app: the dialog lists investigations, exports HTML or PDF off the UI
thread, audits it; "Include clear images" asks first (No keeps the thumbnails blurred)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from reviewer.models import AuditEvent
from reviewer.policy import PolicyPack
from reviewer.reports.export import EVENT_KIND
from reviewer.storage.database import Database
from tests.support.accessible import unnamed_controls
from tests.support.labels import clipped_labels
from tests.support.modal import when_modal
from tests.support.report_data import TITLE, Seeded
from tests.support.waiting import UI_WAIT_MS
from tests.support.windows import open_window
from ui.reports.dialog import ExportDialog
from ui.shell.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _payloads(db: Database) -> list[dict[str, object]]:
    with db.read() as s:
        rows = s.execute(select(AuditEvent.payload).where(AuditEvent.kind == EVENT_KIND)).scalars()
        return [json.loads(p) for p in rows]


def _open_dialog(w: MainWindow, qtbot: QtBot) -> ExportDialog:
    qtbot.keyClick(w, Qt.Key.Key_P, CTRL_SHIFT)
    qtbot.waitUntil(lambda: w.reports.dialog is not None and w.reports.dialog.isVisible(), timeout=UI_WAIT_MS)
    dialog = w.reports.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.investigation.count() == 1, timeout=UI_WAIT_MS)
    return dialog


@pytest.mark.parametrize("fmt", ["HTML", "PDF"])
def test_ctrl_shift_p_exports_and_audits(
    db: Database, pack: PolicyPack, seeded: Seeded, qtbot: QtBot, tmp_path: Path, fmt: str
) -> None:
    w = open_window(db, pack, qtbot)
    dialog = _open_dialog(w, qtbot)
    assert TITLE in dialog.investigation.currentText()
    dialog.format.setCurrentIndex(dialog.format.findText(fmt))
    target = tmp_path / f"out.{fmt.lower()}"
    dialog.output.setText(str(target))
    qtbot.keyClick(dialog.output, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.reports.last is not None, timeout=UI_WAIT_MS)
    assert target.is_file() and not w.reports.busy
    (payload,) = _payloads(db)
    assert payload["format"] == fmt.lower() and payload["clear_images"] is False
    assert payload["investigation_id"] == str(seeded.inv_id)
    assert "Report written" in dialog.message.text()


def test_clear_images_asks_and_no_keeps_them_blurred(
    db: Database, pack: PolicyPack, seeded: Seeded, qtbot: QtBot, tmp_path: Path
) -> None:
    w = open_window(db, pack, qtbot)
    dialog = _open_dialog(w, qtbot)
    answered: list[str] = []

    def answer(button: QMessageBox.StandardButton) -> None:
        def act(box: QMessageBox) -> None:
            answered.append(box.text())
            box.button(button).click()

        when_modal(QMessageBox, act)

    answer(QMessageBox.StandardButton.No)
    dialog.clear.click()
    qtbot.waitUntil(lambda: len(answered) == 1, timeout=UI_WAIT_MS)
    assert "CLEAR" in answered[0] and not dialog.clear.isChecked()
    answer(QMessageBox.StandardButton.Yes)
    dialog.clear.click()
    qtbot.waitUntil(lambda: len(answered) == 2, timeout=UI_WAIT_MS)
    assert dialog.clear.isChecked()
    dialog.format.setCurrentIndex(dialog.format.findText("HTML"))
    dialog.output.setText(str(tmp_path / "clear.html"))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: w.reports.last is not None, timeout=UI_WAIT_MS)
    assert _payloads(db)[0]["clear_images"] is True
    assert "CLEAR IMAGES" in (tmp_path / "clear.html").read_text(encoding="utf-8")


def test_the_dialog_is_named_fits_and_closes_on_escape(
    db: Database, pack: PolicyPack, seeded: Seeded, qtbot: QtBot
) -> None:
    w = open_window(db, pack, qtbot)
    dialog = _open_dialog(w, qtbot)
    assert unnamed_controls(dialog) == []
    assert clipped_labels(dialog) == []
    assert "Ctrl+Shift+P" in dialog.windowTitle() and "Ctrl+Enter" in dialog.export_button.text()
    qtbot.keyClick(dialog.investigation, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=UI_WAIT_MS)
    assert QApplication.activeModalWidget() is None


def test_ctrl_shift_p_in_the_investigations_window_exports_the_investigation_chosen_there(
    db: Database, pack: PolicyPack, seeded: Seeded, qtbot: QtBot
) -> None:
    from reviewer import investigations as inv
    from reviewer.models import Reviewer

    with db.read() as s:
        me = s.execute(select(Reviewer)).scalars().first()
        assert me is not None
        s.expunge(me)
    other = inv.create_investigation(db, me, "A second investigation")
    w = open_window(db, pack, qtbot)
    qtbot.keyClick(w, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: w.investigations.dialog is not None and w.investigations.dialog.list.count() == 2)
    window = w.investigations.dialog
    assert window is not None
    for row in range(window.list.count()):
        if "second" in window.list.item(row).text():
            window.list.setCurrentRow(row)
    qtbot.waitUntil(lambda: window.selected_id() == other, timeout=UI_WAIT_MS)
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(window.list, Qt.Key.Key_P, CTRL_SHIFT)
    qtbot.waitUntil(lambda: w.reports.dialog is not None and w.reports.dialog.isVisible(), timeout=UI_WAIT_MS)
    dialog = w.reports.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.investigation.count() == 2, timeout=UI_WAIT_MS)
    assert "A second investigation" in dialog.investigation.currentText()
    assert seeded.inv_id != other
