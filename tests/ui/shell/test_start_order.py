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


def test_what_follows_the_first_case_waits_for_the_windows_first_expose(
    db: Database, pack, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first case can be read before the window is exposed (a loaded machine: the read wins the race
    with the build). The window then paints it inside its first expose, and the key filters, the late
    start (the sync engine's imports: ~0.4 s under load, measured) and the prefetch wait for that expose:
    before this, they ran first and held the first paint up."""
    build_demo(db, DemoSpec(cases=8, seed=2, images=2), now=NOW)
    monkeypatch.setattr(main_window, "BACKUP_DELAY_MS", 10 * UI_WAIT_MS)  # no fallback start in this test
    ctx = start_context(db, pack, backup=False)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.winId()  # its platform window exists; not shown, so not exposed
    handle = w.windowHandle()
    assert handle is not None and not handle.isExposed()
    sel = w.review.selection
    shown: list[object] = []
    sel.case_shown.connect(lambda view: shown.append(view) if view is not None else None)
    qtbot.waitUntil(lambda: bool(shown), timeout=UI_WAIT_MS)
    assert w._when_started is not None  # the key filters wait for the paint
    assert not w._late_started

    # Shown but not exposed yet (show() only asks for the window): a case shown now is painted inside
    # the first expose, and its prefetch waits for that too.
    settled: list[object] = []
    sel.case_settled.connect(settled.append)
    w.show()
    sel.redisplay()
    assert not handle.isExposed(), "the platform exposes a window through the event loop, after show()"
    assert not sel._prefetch_timer.isActive() and not settled
    qtbot.waitUntil(lambda: w._late_started, timeout=UI_WAIT_MS)
    assert w._when_started is None
    qtbot.waitUntil(lambda: bool(settled), timeout=UI_WAIT_MS)
    w.shutdown()
