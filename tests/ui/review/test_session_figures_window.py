"""Item 5 of issue 13: the status bar and the summary show one set of figures read from the database;
a decided case shows no red OVERDUE."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from reviewer.clock import utcnow
from reviewer.queue import QueueFilter
from reviewer.storage.database import Database
from tests.support.waiting import UI_WAIT_MS
from tests.ui.review.test_review_window import _decisions, _key, _wait_idle, window
from ui.review.queue_model import Column
from ui.shell.main_window import MainWindow
from ui.wellbeing.summary_dialog import SummaryDialog

__all__ = ["window"]


def test_status_bar_and_summary_agree_after_decide_skip_undo(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    w = window
    steps = [
        (Qt.Key.Key_K, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_K, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_S, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_K, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier),
    ]
    for n, (key, mod) in enumerate(steps, start=1):
        _key(qtbot, w, key, mod)
        qtbot.waitUntil(lambda n=n: len(_decisions(db)) == n, timeout=UI_WAIT_MS)
        _wait_idle(qtbot, w)
    label = w.review.counters_label
    expected = "Session: 2 decided · 1 skipped · 1 undone"
    qtbot.waitUntil(lambda: label.text().startswith(expected), timeout=UI_WAIT_MS)
    summary = w.wellbeing.session_summary()  # what the summary dialog shows
    assert summary.figures == w.review.figures
    assert (summary.cases_decided, summary.figures.skipped, summary.figures.undone) == (2, 1, 1)
    shown = _summary_dialog_texts(qtbot, w)
    assert shown["Cases decided"] == "2" and shown["Undone"] == "1"
    assert shown["Escalated, skipped"] == "0 escalated, 1 skipped (not decided)"


def _summary_dialog_texts(qtbot: QtBot, w: MainWindow) -> dict[str, str]:
    """Open the summary (read on the db-read worker), read what it shows, close it."""
    seen: dict[str, str] = {}

    def read_and_close() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SummaryDialog):
            QTimer.singleShot(10, read_and_close)  # not shown yet: look again
            return
        seen.update({title: label.text() for title, label in dialog.values.items()})
        dialog.accept()

    QTimer.singleShot(0, read_and_close)
    w.wellbeing.show_summary()
    qtbot.waitUntil(lambda: bool(seen), timeout=UI_WAIT_MS)
    return seen


def test_a_decided_case_shows_no_overdue(window: MainWindow, qtbot: QtBot, db: Database) -> None:
    w = window
    view = w.review.selection.current
    _key(qtbot, w, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: len(_decisions(db)) == 1, timeout=UI_WAIT_MS)
    _wait_idle(qtbot, w)
    w.review.apply_filter(QueueFilter(statuses=("decided",)))
    qtbot.waitUntil(
        lambda: w.review.selection.current is not None and w.review.selection.current.id == view.id,
        timeout=UI_WAIT_MS,
    )
    assert w.review.selection.current.sla_deadline < utcnow()  # the demo's deadlines have long passed
    assert w.review.sla_label.text() == "SLA — (decided)"
    model = w.review.model
    index = model.index(0, Column.SLA)
    assert model.data(index) == "—"
    assert model.data(index, Qt.ItemDataRole.ForegroundRole) is None


def test_the_break_screen_shows_no_sla(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    assert "OVERDUE" in w.review.sla_label.text() and w.review.sla_label.isVisible()  # demo: past deadlines
    w.wellbeing.controller.take_break()
    qtbot.waitUntil(lambda: w.screens.current == "break", timeout=UI_WAIT_MS)
    assert not w.review.sla_label.isVisible()
    shown = [label.text() for label in w.findChildren(QLabel) if label.isVisible()]
    assert not any("OVERDUE" in text or "SLA" in text for text in shown), shown
