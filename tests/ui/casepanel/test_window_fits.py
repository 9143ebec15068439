"""A window that fits: at 1280x720 and 1920x1080, and with a larger system font, every label on screen
shows all of its text, or is elided with "…" and carries the full text in its tooltip."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QTextDocument
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from reviewer.demo import DemoSpec, build_demo
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from tests.support.waiting import UI_WAIT_MS
from ui.review.queue_model import Column
from ui.shell.context import start_context
from ui.shell.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _fits(label: QLabel) -> bool:
    """Whether ``label`` shows its whole text in the room it has."""
    room = label.contentsRect()
    text = label.text()
    if label.textFormat() == Qt.TextFormat.RichText:
        doc = QTextDocument()
        doc.setDefaultFont(label.font())
        doc.setDocumentMargin(0)
        doc.setHtml(text)
        if label.wordWrap():
            doc.setTextWidth(room.width())
            return doc.size().height() <= room.height() + 1
        return doc.idealWidth() <= room.width() + 1 and doc.size().height() <= room.height() + 1
    metrics = label.fontMetrics()
    flags = int(Qt.TextFlag.TextWordWrap) if label.wordWrap() else 0
    bounds = metrics.boundingRect(
        QRect(0, 0, room.width() if label.wordWrap() else 100_000, 100_000), flags, text
    )
    return bounds.width() <= room.width() + 1 and bounds.height() <= room.height() + 1


def clipped_labels(window: QWidget) -> list[str]:
    """Every visible label whose text is cut without an elide mark and a tooltip with the full text."""
    bad = []
    for label in window.findChildren(QLabel):
        if not label.isVisible() or not label.text() or not label.pixmap().isNull():
            continue
        if _fits(label) or ("…" in label.text() and label.toolTip()):
            continue
        bad.append(
            f"{label.objectName() or type(label.parent()).__name__}: {label.text()[:80]!r} in {label.contentsRect()}"
        )
    return bad


@pytest.fixture
def big_font(qapp: QApplication) -> Iterator[None]:
    old = qapp.font()
    font = QFont(old)
    font.setPointSizeF(old.pointSizeF() * 1.4)
    qapp.setFont(font)
    yield
    qapp.setFont(old)


def _window(db: Database, pack: PolicyPack, qtbot: QtBot, size: tuple[int, int]) -> MainWindow:
    build_demo(db, DemoSpec(cases=30, seed=7, images=6), now=NOW)
    w = MainWindow(start_context(db, pack, backup=False))
    qtbot.addWidget(w)
    w.resize(*size)
    with qtbot.waitExposed(w):
        w.show()
    qtbot.waitUntil(lambda: w.case_panel.context is not None, timeout=UI_WAIT_MS)
    return w


def _walk(w: MainWindow, qtbot: QtBot) -> None:
    """Several cases in turn (content changes must not clip anything either)."""
    for _ in range(3):
        assert clipped_labels(w) == []
        before = w.review.selection.current
        w.review.selection.step(1)
        qtbot.waitUntil(
            lambda b=before: w.case_panel.context is not None and w.review.selection.current is not b,
            timeout=UI_WAIT_MS,
        )


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["1280x720", "1920x1080"])
def test_no_label_is_clipped_without_an_elide_mark_and_a_tooltip(
    db: Database, pack: PolicyPack, qtbot: QtBot, size: tuple[int, int]
) -> None:
    w = _window(db, pack, qtbot, size)
    try:
        _walk(w, qtbot)
        header = w.review.queue.table.horizontalHeader()
        status = header.sectionViewportPosition(Column.STATUS) + header.sectionSize(Column.STATUS)
        assert status <= header.viewport().width(), "the Status column is off-screen"
    finally:
        w.shutdown()


def test_larger_system_font_at_1280x720(db: Database, pack: PolicyPack, qtbot: QtBot, big_font: None) -> None:
    w = _window(db, pack, qtbot, (1280, 720))
    try:
        _walk(w, qtbot)
    finally:
        w.shutdown()
