"""The metrics view: F9 opens it on the real window, figures arrive from the db-read worker, T toggles
chart and table, the filters recompute, every control is named, and the charts follow the theme."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCharts import QChart, QChartView
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from tests.support.accessible import unnamed_controls
from tests.support.metrics_fixture import DAY, build_history
from tests.support.waiting import UI_WAIT_MS
from tests.support.windows import open_window
from ui.accessibility.theme import HIGH_CONTRAST, STANDARD, apply_theme
from ui.metrics.chart_pane import ChartPane
from ui.metrics.dialog import MetricsDialog
from ui.shell.main_window import MainWindow


@pytest.fixture
def window(db: Database, pack: PolicyPack, qtbot: QtBot) -> Iterator[MainWindow]:
    build_history(db, pack)
    w = open_window(db, pack, qtbot, first_case=False)
    yield w
    w.shutdown()


def _open(window: MainWindow, qtbot: QtBot) -> MetricsDialog:
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.metrics.dialog is not None, timeout=UI_WAIT_MS)
    dialog = window.metrics.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=UI_WAIT_MS)
    dialog.start.setDate(QDate(DAY.year, DAY.month, DAY.day))
    end = DAY + timedelta(days=1)
    with qtbot.waitSignal(dialog.shown, timeout=UI_WAIT_MS):
        dialog.end.setDate(QDate(end.year, end.month, end.day))
    return dialog


def test_f9_opens_the_figures_computed_off_the_ui_thread(window: MainWindow, qtbot: QtBot) -> None:
    threads: list[str] = []
    compute = window.metrics.compute

    def spy(flt, done, failed):  # type: ignore[no-untyped-def]
        def on_done(report):  # type: ignore[no-untyped-def]
            threads.append(threading.current_thread().name)
            done(report)

        import reviewer.metrics.report as report_module

        original = report_module.compute_metrics
        compute(flt, on_done, failed)
        assert original is report_module.compute_metrics

    window.metrics.compute = spy  # type: ignore[method-assign]
    dialog = _open(window, qtbot)
    assert dialog.tabs.count() == 13
    assert dialog.report is not None and dialog.report.table("throughput_day").rows[0][1] == 5
    assert threads and all(name == threading.main_thread().name for name in threads)  # delivered on the UI thread
    pane = dialog.tabs.currentWidget()
    assert isinstance(pane, ChartPane) and isinstance(pane.currentWidget(), QChartView)
    assert pane.chart.series()


def test_t_toggles_every_figure_between_chart_and_table(window: MainWindow, qtbot: QtBot) -> None:
    dialog = _open(window, qtbot)
    dialog.tabs.setFocus()
    qtbot.keyClick(dialog.tabs, Qt.Key.Key_T)
    assert all(p.showing_table for p in dialog.panes)
    grid = dialog.panes[0].currentWidget()
    assert isinstance(grid, QTableWidget)
    assert grid.item(0, 0).text() == DAY.isoformat() and grid.item(0, 1).text() == "5"
    qtbot.keyClick(dialog.tabs, Qt.Key.Key_T)
    assert not any(p.showing_table for p in dialog.panes)


def test_filters_recompute_and_are_reachable_by_keyboard(window: MainWindow, qtbot: QtBot) -> None:
    dialog = _open(window, qtbot)
    qtbot.keyClick(dialog, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    assert dialog.channel.hasFocus()
    with qtbot.waitSignal(dialog.shown, timeout=UI_WAIT_MS):
        dialog.channel.setCurrentIndex(dialog.channel.findData("media"))
    assert dialog.report is not None and dialog.report.filter.channel == "media"
    assert dialog.report.table("throughput_day").rows[0][1] == 3
    assert "channel media" in dialog.status.text()
    dialog.end.setDate(QDate(2020, 1, 1))
    qtbot.waitUntil(lambda: "ends before it starts" in dialog.status.text(), timeout=UI_WAIT_MS)


def test_every_control_is_named(window: MainWindow, qtbot: QtBot) -> None:
    dialog = _open(window, qtbot)
    dialog.toggle_tables()
    assert unnamed_controls(dialog) == []


def test_charts_follow_the_theme(window: MainWindow, qtbot: QtBot, qapp) -> None:  # type: ignore[no-untyped-def]
    dialog = _open(window, qtbot)
    pane = dialog.panes[0]
    try:
        apply_theme(qapp, HIGH_CONTRAST)  # light on black
        qtbot.waitUntil(lambda: pane.chart.theme() == QChart.ChartTheme.ChartThemeDark, timeout=UI_WAIT_MS)
        assert pane.chart.backgroundBrush().color() == pane.palette().color(QPalette.ColorRole.Base)
    finally:
        apply_theme(qapp, STANDARD)  # later tests in this process start from the standard look
    qtbot.waitUntil(lambda: pane.chart.backgroundBrush().color() == qapp.palette().color(QPalette.ColorRole.Base),
                    timeout=UI_WAIT_MS)  # fmt: skip
