"""Item 4 of issue 13: the warning line follows policy severity and the classifier score; keep/remove on
never-revealed severe media asks for a confirming key when the organisation setting requires it."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from reviewer.storage.database import Database
from reviewer.wellbeing.severity import classifier_score
from tests.support.waiting import UI_WAIT_MS
from tests.ui.review.test_review_window import _decisions, _key, _wait_idle, _wait_preview, window
from ui.shell.main_window import MainWindow

__all__ = ["window"]


def _next_case(qtbot: QtBot, w: MainWindow) -> None:
    before = w.review.selection.current
    _key(qtbot, w, Qt.Key.Key_J)
    qtbot.waitUntil(lambda: w.review.selection.current not in (None, before), timeout=UI_WAIT_MS)


def test_warning_line_claims_likely_only_from_the_score(window: MainWindow, qtbot: QtBot) -> None:
    w, seen = window, set()
    preview = w.review.preview
    for _ in range(40):
        view = w.review.selection.current
        score = classifier_score(view.scores, view.category)
        text = preview.warning.text()
        likely = score is not None and score >= 0.7  # every demo category is severity 4 or more
        assert ("severe content likely" in text) is likely, text
        assert f"classifier {score:.2f}" in text
        seen.add(likely)
        if seen == {True, False}:
            break
        _next_case(qtbot, w)
    assert seen == {True, False}
    # The same case with no scores at all: the category warning, no "likely" claim.
    view = w.review.selection.current
    preview.show_case(dataclasses.replace(view, scores={}), 4)
    text = preview.warning.text()
    assert "likely" not in text and "no classifier score" in text
    preview.show_case(dataclasses.replace(view, category="spam", scores={"spam": 0.39}), 4)
    assert "likely" not in preview.warning.text() and "classifier 0.39" in preview.warning.text()


def _go_to_unseen_severe_media(qtbot: QtBot, w: MainWindow) -> None:
    for _ in range(60):
        warning = w.review.preview.content_warning()
        if w.review.selection.current.media_items() and warning is not None and warning.severe:
            _wait_preview(qtbot, w)
            return
        _next_case(qtbot, w)
    raise AssertionError("no severe case with media in the demo queue")


def test_keep_on_unseen_severe_media_asks_and_esc_writes_nothing(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    w = window
    w.prefs.set_value("warnings.confirm_unrevealed_decision", True)
    _go_to_unseen_severe_media(qtbot, w)
    case = w.review.selection.current.external_id
    _key(qtbot, w, Qt.Key.Key_K)
    prompt = w.review.flow.unseen.prompt
    assert prompt is not None
    qtbot.waitUntil(prompt.isVisible, timeout=UI_WAIT_MS)
    assert "Enter" in prompt.message.text() and "Esc" in prompt.message.text()
    qtbot.keyClick(prompt, Qt.Key.Key_K)  # any other key is swallowed
    qtbot.keyClick(prompt, Qt.Key.Key_Escape)
    assert w.review.flow.unseen.prompt is None and not w.review.flow.busy
    assert _decisions(db) == [] and w.review.selection.current.external_id == case
    _key(qtbot, w, Qt.Key.Key_K)
    prompt = w.review.flow.unseen.prompt
    assert prompt is not None
    qtbot.keyClick(prompt, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(_decisions(db)) == 1, timeout=UI_WAIT_MS)
    _wait_idle(qtbot, w)
    assert _decisions(db) == [("keep", "NV-0", case)]


def test_no_prompt_after_a_reveal_or_when_the_setting_is_off(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    w = window
    _go_to_unseen_severe_media(qtbot, w)
    _key(qtbot, w, Qt.Key.Key_K)  # shipped off: saved at once
    qtbot.waitUntil(lambda: len(_decisions(db)) == 1, timeout=UI_WAIT_MS)
    assert w.review.flow.unseen.prompt is None
    _wait_idle(qtbot, w)
    w.prefs.set_value("warnings.confirm_unrevealed_decision", True)
    _go_to_unseen_severe_media(qtbot, w)
    _key(qtbot, w, Qt.Key.Key_V)  # the reviewer looks (a second press confirms the most severe)
    if w.review.preview.canvas.reveal_mode is None:
        _key(qtbot, w, Qt.Key.Key_V)
    assert w.review.preview.canvas.reveal_mode == "toggle"
    _key(qtbot, w, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: len(_decisions(db)) == 2, timeout=UI_WAIT_MS)
    assert w.review.flow.unseen.prompt is None
