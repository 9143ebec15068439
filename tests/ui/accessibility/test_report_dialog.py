"""The report export dialog: every control named and described, no label cut, at the default size and
with no investigation yet (its empty-state line wraps rather than cuts)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.support.accessible import unnamed_controls
from tests.support.labels import clipped_labels
from ui.reports.dialog import ExportDialog
from ui.shell.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_report_dialog_is_named_and_fits(
    open_window: Callable[..., MainWindow], qtbot: QtBot, tmp_path: Path
) -> None:
    window = open_window()
    dialog = ExportDialog(tmp_path, window)
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    dialog.set_investigations([], None)
    dialog.set_progress("Making thumbnails", 3, 10)
    assert unnamed_controls(dialog) == []
    assert clipped_labels(dialog) == []
