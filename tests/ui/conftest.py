"""UI test fixtures: offscreen Qt, fresh QSettings per test."""

from __future__ import annotations

import gc
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _fresh_qsettings(tmp_path, qapp):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    qapp.setOrganizationName("ReviewerWorkstationTests")
    qapp.setApplicationName("reviewer-tests")
    yield
    # The cycles the test left (its windows' wrappers) collected here, on the GUI thread: a collection
    # that allocations trigger later, in a worker thread of another test, destroyed a Qt object off its
    # thread once (a segfault in load_case's thread, "Garbage-collecting", tests/ui/review).
    gc.collect()
