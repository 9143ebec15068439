"""A window that fits: at 1280x720 and 1920x1080, and with a larger system font, every label on screen
shows all of its text, or is elided with "…" and carries the full text in its tooltip."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QSizePolicy, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from reviewer.demo import DemoSpec, build_demo
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from tests.support.labels import clipped_labels
from tests.support.waiting import UI_WAIT_MS
from ui.review.queue_model import Column
from ui.shell.context import start_context
from ui.shell.elided import ElidedLabel
from ui.shell.main_window import MainWindow
from ui.shell.plain import plain_label

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


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
    widths = w.splitter.sizes()
    for _ in range(3):
        assert clipped_labels(w) == []
        assert w.splitter.sizes() == widths, "a panel's width changed with the content"
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


def test_the_walker_reports_a_cut_label_and_accepts_an_elided_one(qtbot: QtBot) -> None:
    host = QWidget()
    layout = QVBoxLayout(host)
    cut = plain_label("a rather long text that cannot fit in eighty pixels")
    cut.setObjectName("cut")
    cut.setMinimumWidth(0)
    cut.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    elided = ElidedLabel("a rather long text that cannot fit in eighty pixels")
    layout.addWidget(cut)
    layout.addWidget(elided)
    qtbot.addWidget(host)
    host.resize(80, 80)
    with qtbot.waitExposed(host):
        host.show()
    assert [row.split(":")[0] for row in clipped_labels(host)] == ["cut"]
    assert elided.text().endswith("…") and "eighty pixels" in elided.toolTip()
    host.resize(800, 80)
    qtbot.waitUntil(lambda: clipped_labels(host) == [] and elided.toolTip() == "", timeout=UI_WAIT_MS)
