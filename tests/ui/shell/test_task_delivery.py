"""A result that reaches a widget deleted while its work ran is dropped; any other failure is not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from ui.shell.tasks import TaskManager


@pytest.fixture
def tasks() -> Iterator[TaskManager]:
    manager = TaskManager(media_workers=1)
    yield manager
    manager.shutdown()


def test_a_result_for_a_deleted_widget_is_dropped(qtbot: QtBot, tasks: TaskManager) -> None:
    label = QLabel()
    label.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(label))
    delivered: list[str] = []

    def show(text: str) -> None:
        delivered.append(text)
        label.setText(text)  # raises: Internal C++ object (QLabel) already deleted

    tasks.run_read(lambda: "done", show)
    qtbot.waitUntil(lambda: delivered == ["done"])  # delivered, raised, dropped: nothing escapes


def test_another_runtime_error_still_fails(qtbot: QtBot, tasks: TaskManager) -> None:
    def broken(_: str) -> None:
        raise RuntimeError("a real bug")

    with qtbot.captureExceptions() as caught:
        tasks.run_read(lambda: "done", broken)
        qtbot.waitUntil(lambda: len(caught) == 1)
    assert "a real bug" in str(caught[0][1])
