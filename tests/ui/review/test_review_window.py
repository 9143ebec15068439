"""A review session driven purely by key events, checked against the database rows it leaves."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from reviewer.demo import DemoSpec, build_demo
from reviewer.models import Case, Decision
from reviewer.storage.database import Database
from tests.support.waiting import PROCESS_WAIT_S, UI_WAIT_MS
from ui.shell.context import start_context
from ui.shell.main_window import MainWindow

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.fixture
def window(db: Database, pack, qtbot: QtBot) -> Iterator[MainWindow]:
    build_demo(db, DemoSpec(cases=40, seed=5, images=9), now=NOW)
    ctx = start_context(db, pack, backup=False)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    with qtbot.waitExposed(w):
        w.show()
    w.activateWindow()
    qtbot.waitUntil(lambda: w.review.selection.current is not None, timeout=UI_WAIT_MS)
    yield w
    w.shutdown()


def _key(qtbot: QtBot, w: MainWindow, key: Qt.Key, mod=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    target = w.focusWidget() or w
    qtbot.keyClick(target, key, mod)


def _decisions(db: Database) -> list[tuple[str, str | None, str]]:
    with db.read() as s:
        rows = s.execute(
            select(Decision.action, Decision.policy_code, Case.external_id)
            .join(Case, Case.id == Decision.case_id)
            .order_by(Decision.created_at)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _wait_idle(qtbot: QtBot, w: MainWindow) -> None:
    qtbot.waitUntil(
        lambda: not w.review.flow.busy and w.review.selection.current is not None, timeout=UI_WAIT_MS
    )


def _wait_preview(qtbot: QtBot, w: MainWindow) -> None:
    def ready() -> bool:
        current = w.review.selection.current  # None while the case itself still loads
        return current is not None and (w.review.preview.canvas.has_image() or not current.media_items())

    qtbot.waitUntil(ready, timeout=UI_WAIT_MS)


def _refused_key(qtbot: QtBot, w: MainWindow, key: Qt.Key, action: str, reason: str) -> None:
    """Press ``key``: the registry refuses ``action`` with ``reason`` and the status bar says it."""
    with qtbot.waitSignal(w.registry.refused, timeout=UI_WAIT_MS) as refused:
        _key(qtbot, w, key)
    assert refused.args == [action, reason]
    assert w.statusBar().currentMessage() == reason
    assert not w.review.flow.busy  # no write was started


def test_keep_then_remove_with_policy_then_undo(window: MainWindow, qtbot: QtBot, db: Database) -> None:
    w = window
    first = w.review.selection.current.external_id
    _key(qtbot, w, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: len(_decisions(db)) == 1, timeout=UI_WAIT_MS)
    _wait_idle(qtbot, w)
    assert _decisions(db) == [("keep", "NV-0", first)]
    second = w.review.selection.current.external_id
    assert second != first
    # R asks for a policy; 1 picks the first listed section for this case's category.
    _key(qtbot, w, Qt.Key.Key_R)
    assert w.review.picks.pending_action == "remove" and w.review.policy.prompt.isVisible()
    expected_code = w.review.policy.picks()[0]
    _key(qtbot, w, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: len(_decisions(db)) == 2, timeout=UI_WAIT_MS)
    _wait_idle(qtbot, w)
    assert _decisions(db)[-1] == ("remove", expected_code, second)
    # Undo brings the second case back, as a new row.
    _key(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(_decisions(db)) == 3, timeout=UI_WAIT_MS)
    _wait_idle(qtbot, w)
    assert _decisions(db)[-1][0] == "undo"
    assert w.review.selection.current.external_id == second
    with db.read() as s:
        status = s.execute(select(Case.status).where(Case.external_id == second)).scalar_one()
    assert status == "open"


def test_pick_first_then_escalate_and_skip(window: MainWindow, qtbot: QtBot, db: Database) -> None:
    w = window
    code = w.review.policy.picks()[1]
    _key(qtbot, w, Qt.Key.Key_2)
    assert w.review.picks.picked_code == code
    case = w.review.selection.current.external_id
    _key(qtbot, w, Qt.Key.Key_E)  # asks for the target tier and the reason
    qtbot.waitUntil(lambda: w.review.flow.rationale_box is not None, timeout=UI_WAIT_MS)
    box = w.review.flow.rationale_box
    qtbot.keyClicks(box.text, "needs a specialist")
    qtbot.keyClick(box.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(_decisions(db)) == 1, timeout=UI_WAIT_MS)
    _wait_idle(qtbot, w)
    cited = code if w.ctx.pack.allows(code, "escalate") else None  # only a section allowing escalation
    assert _decisions(db) == [("escalate", cited, case)]
    nxt = w.review.selection.current.external_id
    _key(qtbot, w, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: len(_decisions(db)) == 2, timeout=UI_WAIT_MS)
    _wait_idle(qtbot, w)
    assert _decisions(db)[-1] == ("skip", None, nxt)
    with db.read() as s:
        statuses = dict(
            s.execute(select(Case.external_id, Case.status).where(Case.external_id.in_([case, nxt]))).all()
        )
    assert statuses == {case: "escalated", nxt: "skipped"}


def test_escape_cancels_a_pending_pick_without_writing(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    w = window
    _key(qtbot, w, Qt.Key.Key_R)
    assert w.review.picks.pending_action == "remove"
    _key(qtbot, w, Qt.Key.Key_Escape)
    assert w.review.picks.pending_action is None and not w.review.policy.prompt.isVisible()
    assert not w.review.preview.hidden
    assert _decisions(db) == []


def _revealed_pixels_visible(w: MainWindow) -> bool:
    """True when the canvas shows the sharp image (compared against the blurred one at the same spot)."""
    canvas = w.review.preview.canvas
    image = canvas.grab().toImage()
    rect = canvas.image_rect()
    blurred = w.review.preview._previews[w.review.selection.current.media_items()[0].media_sha256].blurred
    sharp = w.review.preview._previews[w.review.selection.current.media_items()[0].media_sha256].sharp
    scaled_b = blurred.scaled(
        rect.size(), Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    scaled_s = sharp.scaled(
        rect.size(), Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    diff_sharp = diff_blur = 0
    for x in range(10, rect.width() - 10, max(1, rect.width() // 40)):
        for y in range(10, rect.height() - 10, max(1, rect.height() // 30)):
            shown = QColor(image.pixel(rect.x() + x, rect.y() + y)).lightness()
            diff_sharp += abs(shown - QColor(scaled_s.pixel(x, y)).lightness())
            diff_blur += abs(shown - QColor(scaled_b.pixel(x, y)).lightness())
    return diff_sharp < diff_blur


def _go_to_image_case(w: MainWindow, qtbot: QtBot, *, confirm: bool = False) -> None:
    """Move to a case with an image whose reveal needs (or does not need) a confirming press."""
    for _ in range(60):
        current = w.review.selection.current
        if current.media_items() and w.review.preview.needs_confirmation() == confirm:
            break
        _key(qtbot, w, Qt.Key.Key_J)
        qtbot.waitUntil(
            lambda before=current: w.review.selection.current not in (None, before), timeout=UI_WAIT_MS
        )
    else:
        raise AssertionError("no suitable case in the demo queue")
    _wait_preview(qtbot, w)


def test_the_most_severe_content_needs_a_confirming_second_press(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    _go_to_image_case(w, qtbot, confirm=True)
    _key(qtbot, w, Qt.Key.Key_V)
    assert w.review.preview.canvas.reveal_mode is None and "confirm" in w.review.preview.warning.text()
    assert not _revealed_pixels_visible(w)
    _key(qtbot, w, Qt.Key.Key_V)
    assert w.review.preview.canvas.reveal_mode == "toggle" and _revealed_pixels_visible(w)


def test_blurred_by_default_reveal_toggle_and_releave_reblurs(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    w = window
    _go_to_image_case(w, qtbot)
    assert not _revealed_pixels_visible(w)
    _key(qtbot, w, Qt.Key.Key_V)
    assert w.review.preview.canvas.reveal_mode == "toggle"
    assert _revealed_pixels_visible(w)
    _key(qtbot, w, Qt.Key.Key_J)  # leaving the case re-blurs
    qtbot.waitUntil(lambda: w.review.preview.canvas.reveal_mode is None, timeout=UI_WAIT_MS)
    _key(qtbot, w, Qt.Key.Key_J, Qt.KeyboardModifier.ShiftModifier)
    _wait_preview(qtbot, w)
    assert w.review.preview.canvas.reveal_mode is None and not _revealed_pixels_visible(w)


def test_hold_space_reveals_only_while_held(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    _go_to_image_case(w, qtbot)
    target = w.focusWidget() or w
    qtbot.keyPress(target, Qt.Key.Key_Space)
    assert w.review.preview.canvas.reveal_mode == "hold"
    qtbot.keyRelease(target, Qt.Key.Key_Space)
    assert w.review.preview.canvas.reveal_mode is None


def test_panic_hides_everything_and_restores_blurred(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    _go_to_image_case(w, qtbot)
    _key(qtbot, w, Qt.Key.Key_V)
    assert _revealed_pixels_visible(w)
    _key(qtbot, w, Qt.Key.Key_F12)
    assert w.review.preview.hidden and w.screens.current == "hidden"
    shot = w.grab().toImage()
    # Everything the window shows is the blank screen: one background colour but for its short message.
    from collections import Counter

    samples = Counter(shot.pixel(x, y) for x in range(0, shot.width(), 3) for y in range(0, shot.height(), 3))
    dominant = samples.most_common(1)[0][1] / sum(samples.values())
    assert dominant > 0.9, dominant
    assert not w.review.preview.canvas.isVisible()
    _key(qtbot, w, Qt.Key.Key_F12)
    assert not w.review.preview.hidden and w.review.preview.canvas.reveal_mode is None
    assert not _revealed_pixels_visible(w)


def test_filter_by_category_with_the_keyboard(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    combo = w.review.queue.category
    index = combo.findData("hate")
    assert index > 0
    combo.setFocus()
    combo.setCurrentIndex(index)
    qtbot.waitUntil(
        lambda: w.review.selection.current is not None and w.review.selection.current.category == "hate",
        timeout=UI_WAIT_MS,
    )
    for row in range(w.review.model.rowCount()):
        assert w.review.model.case_at(row).category == "hate"


def test_a_backup_is_taken_soon_after_the_session_starts(db: Database, pack, qtbot: QtBot) -> None:
    from reviewer.storage.backup import list_backups

    build_demo(db, DemoSpec(cases=5, seed=2, images=2), now=NOW)
    w = MainWindow(start_context(db, pack, backup=True))
    qtbot.addWidget(w)
    with qtbot.waitExposed(w):
        w.show()
    assert db.file is not None
    qtbot.waitUntil(lambda: bool(list_backups(db.file)), timeout=UI_WAIT_MS)
    w.shutdown()


def test_shift_d_applies_an_earlier_decision_to_a_duplicate(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    w = window
    _go_to_image_case(w, qtbot)
    sha = w.review.selection.current.media_items()[0].media_sha256
    code = next(c for c in w.review.policy.picks() if w.ctx.pack.section(c).allows("restrict"))
    w.review.picks.choose_section(code)
    _key(qtbot, w, Qt.Key.Key_T)
    qtbot.waitUntil(lambda: len(_decisions(db)) == 1, timeout=UI_WAIT_MS)
    _wait_idle(qtbot, w)
    # Find another open case showing the same picture and go there.
    for _ in range(60):
        if any(i.media_sha256 == sha for i in w.review.selection.current.media_items()):
            break
        current = w.review.selection.current
        _key(qtbot, w, Qt.Key.Key_J)
        qtbot.waitUntil(
            lambda before=current: w.review.selection.current not in (None, before), timeout=UI_WAIT_MS
        )
    else:
        pytest.skip("the demo queue holds no second case with the same picture")
    qtbot.waitUntil(lambda: w.review.duplicates.found is not None, timeout=UI_WAIT_MS)
    assert (
        w.review.preview.duplicate_banner.isVisible()
        and "Shift+D" in w.review.preview.duplicate_banner.text()
    )
    before = len(_decisions(db))
    _key(qtbot, w, Qt.Key.Key_D, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: w.review.duplicates.confirm_box is not None, timeout=UI_WAIT_MS)
    qtbot.keyClick(w.review.duplicates.confirm_box, Qt.Key.Key_Y)
    qtbot.waitUntil(lambda: len(_decisions(db)) > before, timeout=UI_WAIT_MS)
    _wait_idle(qtbot, w)
    with db.read() as s:
        applied = (
            s.execute(select(Decision).where(Decision.note.like("applied from duplicate%"))).scalars().all()
        )
    assert applied and all(
        d.action == "restrict" and d.policy_code == code and not d.revealed for d in applied
    )


def test_text_search_runs_off_the_ui_thread_and_shows_the_match(window: MainWindow, qtbot: QtBot) -> None:
    w = window
    with w.ctx.db.read() as s:
        wanted = s.execute(select(Case.external_id).order_by(Case.external_id.desc()).limit(1)).scalar_one()
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert w.review.queue.search.hasFocus()
    qtbot.keyClicks(w.review.queue.search, wanted)
    qtbot.keyClick(w.review.queue.search, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: w.review.selection.current is not None and w.review.selection.current.external_id == wanted,
        timeout=UI_WAIT_MS,
    )
    assert w.review.model.rowCount() == 1 and w.review.queue.table.hasFocus()


def test_f12_panics_even_while_a_dialog_has_the_focus(window: MainWindow, qtbot: QtBot) -> None:
    from ui.commands import CheatSheet

    w = window
    sheet = CheatSheet(w.registry, w)
    qtbot.addWidget(sheet)
    with qtbot.waitExposed(sheet):
        sheet.show()
    sheet.activateWindow()
    qtbot.keyClick(sheet, Qt.Key.Key_F12)
    assert w.review.preview.hidden and w.screens.current == "hidden"


def test_g_toggles_greyscale_within_the_organisation_floor(db: Database, pack, qtbot: QtBot) -> None:
    from reviewer.wellbeing.settings import OrgPolicy, WellbeingSettings

    build_demo(db, DemoSpec(cases=5, seed=2, images=2), now=NOW)
    for floor, expected in ((False, False), (True, True)):
        org = OrgPolicy(floors={"display.greyscale": True}) if floor else OrgPolicy()
        w = MainWindow(start_context(db, pack, backup=False), wellbeing=WellbeingSettings(org=org))
        qtbot.addWidget(w)
        with qtbot.waitExposed(w):
            w.show()
        assert w.review.cache.spec.greyscale
        qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_G)
        assert w.review.cache.spec.greyscale is expected
        w.shutdown()


def test_a_video_item_is_a_muted_blurred_storyboard_revealed_frame_by_frame(
    db: Database, pack, qtbot: QtBot
) -> None:
    build_demo(db, DemoSpec(cases=120, seed=4, images=6), now=NOW)
    with db.read() as s:
        from reviewer.models import Item

        video_case = s.execute(
            select(Case.external_id).join(Item, Item.case_id == Case.id).where(Item.kind == "video").limit(1)
        ).scalar_one()
    w = MainWindow(start_context(db, pack, backup=False))
    qtbot.addWidget(w)
    with qtbot.waitExposed(w):
        w.show()
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(w.review.queue.search, video_case)
    qtbot.keyClick(w.review.queue.search, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: (
            w.review.selection.current is not None and w.review.selection.current.external_id == video_case
        ),
        timeout=UI_WAIT_MS,
    )
    while w.review.preview.current_item.kind != "video":
        qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_BracketRight)
    qtbot.waitUntil(lambda: len(w.review.preview.canvas._strip) > 1, timeout=UI_WAIT_MS)
    assert (
        w.review.preview.canvas.reveal_mode is None
        and "muted, never played" in w.review.preview.item_bar.text()
    )
    assert "frame 1 of" in w.review.preview.item_bar.text()
    qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_Period)
    assert "frame 2 of" in w.review.preview.item_bar.text()
    w.shutdown()


def test_a_failed_write_is_shown_and_the_case_stays(
    window: MainWindow, qtbot: QtBot, db: Database, monkeypatch
) -> None:
    import ui.review.decision_flow as rc
    from reviewer.storage.errors import DatabaseOpenError

    def refuse(*_a, **_k):  # type: ignore[no-untyped-def]
        raise DatabaseOpenError("The disk holding test.sqlite3 is full")

    monkeypatch.setattr(rc, "record_decision", refuse)
    w = window
    before = w.review.selection.current.external_id
    _key(qtbot, w, Qt.Key.Key_K)
    qtbot.waitUntil(
        lambda: w.review.flow.error_box is not None and w.review.flow.error_box.isVisible(),
        timeout=UI_WAIT_MS,
    )
    assert "NOT saved" in w.review.flow.error_box.windowTitle() and "disk" in w.review.flow.error_box.text()
    assert w.review.selection.current.external_id == before and not w.review.flow.busy
    assert _decisions(db) == []
    w.review.flow.error_box.close()


# -- keys while no case is on screen are refused, visibly --------------------------------------------


def test_a_decision_key_while_the_next_case_loads_decides_nothing_and_says_why(
    window: MainWindow, qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.review.selection as selection_module
    from ui.review.actions import NO_CASE_REFUSAL

    w = window
    selection = w.review.selection
    qtbot.waitUntil(lambda: not selection._loading, timeout=UI_WAIT_MS)  # the prefetch has settled
    nxt = w.review.model.case_at(selection.current_row() + 1)
    assert nxt is not None
    # Hold the next case's load on the read worker until the refused key has been pressed.
    release = threading.Event()
    load = selection_module.load_case

    def held(db_: Database, case_id):  # type: ignore[no-untyped-def]
        release.wait(PROCESS_WAIT_S)
        return load(db_, case_id)

    monkeypatch.setattr(selection_module, "load_case", held)
    selection.forget(nxt.id)  # J must load it again
    try:
        _key(qtbot, w, Qt.Key.Key_J)
        assert selection.current is None and "Loading" in w.review.preview.header.text()
        _refused_key(qtbot, w, Qt.Key.Key_K, "decision.keep", NO_CASE_REFUSAL)
        _refused_key(qtbot, w, Qt.Key.Key_R, "decision.remove", NO_CASE_REFUSAL)
        assert w.review.picks.pending_action is None  # R did not start asking for a policy either
    finally:
        release.set()
    qtbot.waitUntil(
        lambda: selection.current is not None and selection.current.id == nxt.id, timeout=UI_WAIT_MS
    )
    w.ctx.tasks.wait_db_idle()
    assert _decisions(db) == []
    # Once the case is on screen the same key decides it.
    _key(qtbot, w, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: len(_decisions(db)) == 1, timeout=UI_WAIT_MS)
    assert _decisions(db) == [("keep", "NV-0", nxt.external_id)]


def test_a_decision_key_with_an_empty_queue_decides_nothing_and_says_why(
    db: Database, pack, qtbot: QtBot
) -> None:
    from ui.review.actions import NO_CASE_REFUSAL

    w = MainWindow(start_context(db, pack, backup=False))
    qtbot.addWidget(w)
    with qtbot.waitExposed(w):
        w.show()
    w.activateWindow()
    qtbot.waitUntil(lambda: not w.review.model.loading, timeout=UI_WAIT_MS)
    assert w.review.model.rowCount() == 0 and w.review.selection.current is None
    _refused_key(qtbot, w, Qt.Key.Key_K, "decision.keep", NO_CASE_REFUSAL)
    _refused_key(qtbot, w, Qt.Key.Key_S, "decision.skip", NO_CASE_REFUSAL)
    w.ctx.tasks.wait_db_idle()
    assert _decisions(db) == []
    w.shutdown()


def test_a_decision_key_on_the_panic_screen_decides_nothing_and_says_why(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    from ui.shell.screens import HIDDEN_REFUSAL

    w = window
    shown = w.review.selection.current
    _key(qtbot, w, Qt.Key.Key_Escape)
    assert w.screens.current == "hidden"
    _refused_key(qtbot, w, Qt.Key.Key_K, "decision.keep", HIDDEN_REFUSAL)
    w.ctx.tasks.wait_db_idle()
    assert _decisions(db) == []
    # Back on the work screen, the case is still there and K decides it.
    _key(qtbot, w, Qt.Key.Key_Escape)
    assert w.screens.current == "work" and w.review.selection.current is shown
    _key(qtbot, w, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: len(_decisions(db)) == 1, timeout=UI_WAIT_MS)
    assert _decisions(db) == [("keep", "NV-0", shown.external_id)]
