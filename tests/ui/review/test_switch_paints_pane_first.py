"""A decision's switch to the next case (issue 17): the preview pane paints the next case inside the switch,
before the queue table's current row moves and before any background read for it starts; then the table
follows, the decided row leaves the queue, the keys stay on the table, and the duplicate search and the
session figures start."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from reviewer.demo import DemoSpec, build_demo
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from tests.support.waiting import UI_WAIT_MS
from tests.support.windows import open_window

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_the_pane_paints_the_next_case_first_then_the_queue_follows(
    db: Database, pack: PolicyPack, qtbot: QtBot
) -> None:
    build_demo(db, DemoSpec(cases=30, seed=5, images=3), now=NOW)
    w = open_window(db, pack, qtbot)
    review = w.review
    sel, model = review.selection, review.model
    row = sel.current_row()
    decided, following = model.id_at(row), model.id_at(row + 1)
    assert decided is not None and following is not None
    qtbot.waitUntil(lambda: following in sel._views, timeout=UI_WAIT_MS)  # prefetched: shown at once
    qtbot.waitUntil(lambda: not sel._prefetch_due, timeout=UI_WAIT_MS)
    review.queue.table.setFocus()
    qtbot.waitUntil(lambda: w.focusWidget() is review.queue.table, timeout=UI_WAIT_MS)

    # What each canvas paint saw: the case on screen, the table's current row, background reads started.
    seen: list[tuple[uuid.UUID | None, int, list[str]]] = []
    reads: list[str] = []
    original = w.ctx.tasks.run_read

    def run_read(fn, on_done=None, on_error=None):  # type: ignore[no-untyped-def]
        reads.append(getattr(fn, "__qualname__", "?"))
        return original(fn, on_done, on_error)

    w.ctx.tasks.run_read = run_read  # type: ignore[method-assign]
    review.preview.canvas.painted.connect(
        lambda: seen.append((sel.current.id if sel.current else None, sel.current_row(), list(reads)))
    )
    settled: list[uuid.UUID] = []
    sel.case_settled.connect(lambda view: settled.append(view.id))

    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: sel.is_current(following), timeout=UI_WAIT_MS)
    first = next(s for s in seen if s[0] == following)
    assert first[1] == row  # painted while the table's current row was still the decided case's
    later = ("Duplicates._check", "ReviewFeature._update_counters", "ReviewFeature.refresh_count")
    assert not [r for r in first[2] if r.startswith(later)]  # none of these reads started before the paint
    qtbot.waitUntil(lambda: settled == [following], timeout=UI_WAIT_MS)
    qtbot.waitUntil(lambda: model.row_for_case(decided) is None, timeout=UI_WAIT_MS)  # the decided row left
    assert model.id_at(sel.current_row()) == following  # the table follows the pane
    assert w.focusWidget() is review.queue.table  # the keys stay on the queue
    qtbot.waitUntil(
        lambda: any(r.startswith("Duplicates._check") for r in reads)
        and any(r.startswith("ReviewFeature._update_counters") for r in reads),
        timeout=UI_WAIT_MS,
    )
    w.ctx.tasks.run_read = original  # type: ignore[method-assign]


def test_a_new_case_clears_the_last_case_duplicate_banner(db: Database, pack: PolicyPack, qtbot: QtBot) -> None:
    build_demo(db, DemoSpec(cases=10, seed=5, images=3), now=NOW)
    w = open_window(db, pack, qtbot)
    pane, sel = w.review.preview, w.review.selection
    pane.set_duplicate_banner("Duplicate of {external_id}", external_id="X-1")
    assert not pane.duplicate_banner.isHidden()
    shown = sel.current
    sel.step(1)
    qtbot.waitUntil(lambda: sel.current is not None and sel.current is not shown, timeout=UI_WAIT_MS)
    assert pane.duplicate_banner.isHidden()
