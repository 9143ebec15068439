"""The next cases load after the shown case has painted, never during the switch (issue 17)."""

from __future__ import annotations

from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from reviewer.demo import DemoSpec, build_demo
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from tests.support.waiting import UI_WAIT_MS
from tests.support.windows import open_window
from ui.review.selection import PREFETCH

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_prefetch_waits_for_the_paint_of_the_shown_case(db: Database, pack: PolicyPack, qtbot: QtBot) -> None:
    build_demo(db, DemoSpec(cases=30, seed=5, images=3), now=NOW)
    w = open_window(db, pack, qtbot)
    sel, model = w.review.selection, w.review.model
    qtbot.waitUntil(lambda: not sel._prefetch_due, timeout=UI_WAIT_MS)
    ahead = model.case_at(sel.current_row() + 1 + PREFETCH)  # one beyond what is prefetched now
    assert ahead is not None
    qtbot.waitUntil(
        lambda: all(model.case_at(sel.current_row() + k) is not None for k in range(1, PREFETCH + 1))
    )
    assert ahead.id not in sel._views and ahead.id not in sel._loading

    painted: list[bool] = []
    w.review.preview.canvas.painted.connect(lambda: painted.append(True))
    sel.step(1)
    # The step showed the next (prefetched) case; the load of the case PREFETCH ahead waits for its paint.
    assert sel._prefetch_due
    assert ahead.id not in sel._loading and ahead.id not in sel._views
    qtbot.waitUntil(lambda: ahead.id in sel._views, timeout=UI_WAIT_MS)
    assert painted  # started by the paint (or, at the latest, the fallback timer)
    assert not sel._prefetch_due
