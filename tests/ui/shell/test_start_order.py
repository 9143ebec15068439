"""The session-start backup (and the keyring probe beside it) starts after the first case is on screen,
never beside its load, however slow that load is."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from pytestqt.qtbot import QtBot

from reviewer.demo import DemoSpec, build_demo
from reviewer.storage.database import Database
from tests.support.waiting import UI_WAIT_MS
from ui.shell import main_window
from ui.shell.context import start_context
from ui.shell.main_window import MainWindow

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_the_backup_waits_for_the_first_case_even_when_its_load_is_slow(
    db: Database, pack, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_demo(db, DemoSpec(cases=5, seed=2, images=2), now=NOW)
    monkeypatch.setattr(main_window, "BACKUP_DELAY_MS", 0)  # due at once, were it counted from the build
    ctx = start_context(db, pack, backup=True)
    order: list[str] = []
    ctx.start_backup = lambda _on_error: order.append("backup")  # type: ignore[method-assign]
    hold = threading.Event()
    ctx.tasks.run_read(lambda: hold.wait(UI_WAIT_MS / 1000))  # the first case's load queues behind it
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.review.selection.case_shown.connect(lambda view: order.append("case") if view is not None else None)
    w.show()
    qtbot.waitUntil(lambda: w._late_started, timeout=UI_WAIT_MS)  # the start's 0 ms timers have run
    assert order == []
    hold.set()
    qtbot.waitUntil(lambda: "backup" in order, timeout=UI_WAIT_MS)
    assert order == ["case", "backup"]
    w.shutdown()
