"""The case panel in the real window: timeline and related cases from the database, the related-case
keys, and thumbnails that are only ever the blurred preview."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from reviewer.decisions import record_decision
from reviewer.demo import DemoSpec, build_demo
from reviewer.models import Case, Reviewer
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from tests.support.waiting import UI_WAIT_MS
from ui.casepanel.thumbs import THUMB, blurred_still
from ui.shell.context import start_context
from ui.shell.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

NOTE = "graphic, no news value"


@pytest.fixture
def cases(
    db: Database, make_cases: Callable[..., list[uuid.UUID]], reviewer_row: Reviewer, pack: PolicyPack
) -> dict[str, uuid.UUID]:
    first, sibling, decided = make_cases(3)
    (same_reporter,) = make_cases(1, start=5)
    (stranger,) = make_cases(1, start=6)
    with db.write() as s:
        s.execute(update(Case).where(Case.id.in_([first, same_reporter])).values(reporter="flagger-7"))
    record_decision(
        db, case_id=decided, reviewer=reviewer_row, action="remove", policy_code="VIO-1", pack=pack, note=NOTE
    )
    return {
        "first": first,
        "sibling": sibling,
        "decided": decided,
        "reporter": same_reporter,
        "stranger": stranger,
    }


def _complete(w: MainWindow) -> bool:
    """The case panel has the whole context of the case on screen (similar media included)."""
    context = w.case_panel.context
    return context is not None and context.complete and w.review.selection.is_current(context.case_id)


def _open(db: Database, pack: PolicyPack, qtbot: QtBot) -> MainWindow:
    w = MainWindow(start_context(db, pack, backup=False))
    qtbot.addWidget(w)
    w.resize(1280, 720)
    with qtbot.waitExposed(w):
        w.show()
    w.activateWindow()
    qtbot.waitUntil(lambda: _complete(w), timeout=UI_WAIT_MS)
    return w


@pytest.fixture
def window(db: Database, pack: PolicyPack, qtbot: QtBot, cases: dict[str, uuid.UUID]) -> Iterator[MainWindow]:
    w = _open(db, pack, qtbot)
    yield w
    w.shutdown()


def _rows(view) -> list[str]:  # type: ignore[no-untyped-def]
    return [view.item(r).text() for r in range(view.count())]


def test_panel_shows_the_account_timeline_and_related_cases(
    window: MainWindow, cases: dict[str, uuid.UUID]
) -> None:
    w, panel = window, window.case_panel.panel
    assert w.review.selection.current is not None and w.review.selection.current.id == cases["first"]
    timeline = _rows(panel.timeline)
    assert len(timeline) == 4  # three cases of the account and the decision on one of them
    assert "remove VIO-1" in timeline[0] and NOTE in timeline[0] and "by tester" in timeline[0]
    assert sum("(this case)" in row for row in timeline) == 1
    related = {c.case_id: c.reasons for c in panel.related_cases()}
    assert related == {
        cases["sibling"]: ("same account",),
        cases["decided"]: ("same account",),
        cases["reporter"]: ("same reporter",),
    }
    assert panel.reporter.full_text() == "Reported by flagger-7 via partner"
    assert "report 0" in panel.report.toPlainText()
    assert panel.account.full_text().startswith("Account @acct")


def _choose(qtbot: QtBot, w: MainWindow, case_id: uuid.UUID) -> None:
    panel = w.case_panel.panel
    target = [c.case_id for c in panel.related_cases()].index(case_id)
    for _ in range(target + 1):
        qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    chosen = panel.chosen_related()
    assert chosen is not None and chosen.case_id == case_id


def test_the_related_case_is_one_key_away(
    window: MainWindow, cases: dict[str, uuid.UUID], qtbot: QtBot
) -> None:
    w = window
    _choose(qtbot, w, cases["reporter"])
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_O)
    qtbot.waitUntil(lambda: w.review.selection.is_current(cases["reporter"]), timeout=UI_WAIT_MS)
    qtbot.waitUntil(lambda: _complete(w), timeout=UI_WAIT_MS)
    # A decided case is not in the open queue: the queue is filtered to it instead.
    _choose(qtbot, w, cases["first"])
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_O)
    qtbot.waitUntil(lambda: w.review.selection.is_current(cases["first"]), timeout=UI_WAIT_MS)
    qtbot.waitUntil(lambda: _complete(w), timeout=UI_WAIT_MS)
    _choose(qtbot, w, cases["decided"])
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_O)
    qtbot.waitUntil(lambda: w.review.selection.is_current(cases["decided"]), timeout=UI_WAIT_MS)
    assert w.review.queue.search.text().startswith("T-")


def test_keys_with_no_related_case_say_so(
    db: Database, pack: PolicyPack, qtbot: QtBot, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    make_cases(1)
    w = _open(db, pack, qtbot)
    try:
        assert w.case_panel.panel.related_cases() == []
        qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_O)
        assert "No related case" in w.statusBar().currentMessage()
    finally:
        w.shutdown()


def _same(a: QImage, b: QImage) -> bool:
    fmt = QImage.Format.Format_RGB32
    return a.convertToFormat(fmt) == b.convertToFormat(fmt)


def test_thumbnails_are_the_blurred_preview_never_the_sharp_image(
    db: Database, pack: PolicyPack, qtbot: QtBot
) -> None:
    build_demo(db, DemoSpec(cases=12, seed=3, images=6), now=datetime(2026, 11, 29, 12, 0, tzinfo=UTC))
    w = _open(db, pack, qtbot)
    try:
        strip = w.case_panel.panel.thumbs

        def panel_follows() -> None:  # the panel shows a case a moment after the preview does
            qtbot.waitUntil(
                lambda: w.review.selection.current is not None
                and w.case_panel.panel.case is w.review.selection.current,
                timeout=UI_WAIT_MS,
            )

        panel_follows()
        for _ in range(12):  # the first case with media
            if strip.thumbs:
                break
            before = w.review.selection.current
            w.review.selection.step(1)
            qtbot.waitUntil(lambda b=before: w.review.selection.current not in (None, b), timeout=UI_WAIT_MS)
            panel_follows()
        assert strip.thumbs, "no case with media in the demo queue"
        sha, labels = next(iter(strip.thumbs.items()))
        qtbot.waitUntil(lambda: not labels[0].pixmap().isNull(), timeout=UI_WAIT_MS)
        prepared = w.review.cache.lookup(sha)
        assert prepared is not None
        blurred = blurred_still(prepared)
        assert blurred is not None
        shown = labels[0].pixmap().toImage()
        assert max(shown.width(), shown.height()) <= THUMB
        scale = (
            THUMB - 2,
            THUMB - 2,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        assert _same(shown, blurred.scaled(*scale))
        sharp = (prepared.storyboard[0] if prepared.storyboard else prepared).sharp
        assert sharp is not None  # the cache holds it (for a reveal); the thumbnail never shows it
        assert not _same(shown, sharp.scaled(*scale))
    finally:
        w.shutdown()


def test_panic_hides_the_case_panel(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    assert w.case_panel.panel.isVisible()
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not w.case_panel.panel.isVisible(), timeout=UI_WAIT_MS)
