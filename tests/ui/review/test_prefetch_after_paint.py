"""The next case is prepared between cases, never during the switch (issue 17): its load starts after the
shown case has painted, and its preview is scaled and its thumbnail made before it is shown."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from reviewer.demo import DemoSpec, build_demo
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from tests.support.waiting import UI_WAIT_MS
from tests.support.windows import open_window
from ui.casepanel.thumbs import THUMB, ThumbStrip
from ui.review.media_canvas import MediaCanvas
from ui.review.preview_cache import PreparedPreview
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


def _prepared(color: int) -> PreparedPreview:
    blurred = QImage(960, 720, QImage.Format.Format_Grayscale8)
    blurred.fill(color)
    sharp = QImage(960, 720, QImage.Format.Format_Grayscale8)
    sharp.fill(255 - color)
    return PreparedPreview(ok=True, blurred=blurred, sharp=sharp, reason=None, frames=1, nbytes=1)


def test_a_case_ahead_is_scaled_before_it_is_shown_and_only_its_blurred_image(qtbot: QtBot) -> None:
    canvas = MediaCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(500, 400)
    ahead = _prepared(40)
    assert canvas.prepare_ahead(ahead)
    assert ahead.blurred is not None and ahead.sharp is not None
    keys = list(canvas._ahead)
    assert [k[0] for k in keys] == [ahead.blurred.cacheKey()]  # never the sharp image
    made = canvas._ahead[keys[0]]
    canvas.set_preview(ahead)
    canvas.grab()  # paints: the image scaled ahead is drawn, not scaled again
    assert not canvas._ahead
    assert canvas._scaled_cache[keys[0]].cacheKey() == made.cacheKey()
    assert canvas.image_rect().size() == made.size()


def test_the_thumbnail_of_a_case_ahead_is_made_once(qtbot: QtBot) -> None:
    strip = ThumbStrip()
    qtbot.addWidget(strip)
    ahead = _prepared(90)
    strip.set_prepared("ab" * 32, ahead)  # no label for it yet: made ahead
    assert ahead.blurred is not None
    made = strip.thumbnail(ahead.blurred)
    assert len(strip._made) == 1 and max(made.width(), made.height()) == THUMB - 2
