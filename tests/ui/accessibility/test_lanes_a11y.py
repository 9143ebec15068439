"""The lanes' boxes (an adjudication's note, an overturn's reason) and the window in a lane: every control
named and described, no cut label."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from reviewer.appeals.outcomes import AppealRow
from reviewer.qa.reviews import QaItem
from tests.support.accessible import unnamed_controls
from tests.support.labels import clipped_labels
from tests.support.waiting import UI_WAIT_MS
from ui.appeals.actions import overturn_reason_box
from ui.qa.actions import adjudication_note_box
from ui.shell.main_window import MainWindow

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def test_the_lane_boxes_are_named_and_uncut(open_window: Callable[..., MainWindow], qtbot: QtBot) -> None:
    window = open_window()
    case_id = uuid.uuid4()
    item = QaItem(
        uuid.uuid4(), uuid.uuid4(), case_id, "C-1", "partner", "alice", "remove", "VIO-1", "disagreed",
        "bob", "keep", None, False, None, None, "", NOW,
    )  # fmt: skip
    appeal = AppealRow(
        uuid.uuid4(), "AP-1", case_id, "C-1", "a statement", NOW, uuid.uuid4(), "alice", "remove", "VIO-1",
        "open", None, None, "",
    )  # fmt: skip
    boxes = (
        adjudication_note_box(item, "keep", None, lambda _t: None, window),
        overturn_reason_box(appeal, "keep", None, lambda _t: None, window),
    )
    for box in boxes:
        qtbot.addWidget(box)
        box.show()
        assert unnamed_controls(box) == [], box.windowTitle()
        assert clipped_labels(box) == [], box.windowTitle()


def test_the_window_in_a_lane_is_named_and_uncut(
    open_window: Callable[..., MainWindow], qtbot: QtBot
) -> None:
    window = open_window()
    window.qa.toggle_qa()
    qtbot.waitUntil(lambda: window.review.lanes.active is not None, timeout=UI_WAIT_MS)
    assert window.review.lanes.title.isVisible()
    assert unnamed_controls(window) == []
    assert clipped_labels(window) == []
