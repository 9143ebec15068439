"""The tier queue header and the escalation line: named, and elided with the full text in a tooltip when a
long hand-off note does not fit (at the normal and at double font size)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from reviewer.clock import utcnow
from reviewer.decisions import record_decision
from reviewer.demo import DemoSpec, build_demo
from reviewer.identity import ensure_reviewer
from reviewer.models import Case
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from tests.support.accessible import unnamed_controls
from tests.support.labels import clipped_labels
from tests.support.waiting import UI_WAIT_MS
from tests.support.windows import open_window

LONG_NOTE = "the account posts the same threat every day from new handles; " * 6


@pytest.fixture(params=[1.0, 2.0], ids=["normal-font", "double-font"])
def font(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[float]:
    base = qapp.font()
    bigger = qapp.font()
    bigger.setPointSizeF(base.pointSizeF() * request.param)
    qapp.setFont(bigger)
    yield request.param
    qapp.setFont(base)


def _mine(cut: list[str]) -> list[str]:
    """The cut labels of this feature (a text item's thumbnail at double size is not this test's)."""
    return [c for c in cut if c.startswith(("escalationLine", "tierQueue"))]


def test_tier_header_and_escalation_line_are_named_and_never_cut(
    db: Database, pack: PolicyPack, qtbot: QtBot, font: float
) -> None:
    build_demo(db, DemoSpec(cases=8, seed=2, images=3, history_days=0))
    with db.read() as s:
        case_id = s.scalars(select(Case.id).where(Case.status == "open").limit(1)).one()
    bo = ensure_reviewer(db, "bo")
    record_decision(db, case_id=case_id, reviewer=bo, action="escalate", rationale=LONG_NOTE, pack=pack,
                    now=utcnow() - timedelta(minutes=30))  # fmt: skip
    w = open_window(db, pack, qtbot)
    w.resize(1280, 720) if font == 1.0 else w.resize(1920, 1080)  # as the large-font test sizes it
    try:
        qtbot.keyClick(w.focusWidget() or w, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
        line = w.escalations.line
        qtbot.waitUntil(lambda: line.isVisible() and line.escalation is not None, timeout=UI_WAIT_MS)
        assert w.review.queue.tier_label.full_text().startswith("Tier 2 — senior review")
        assert unnamed_controls(w) == []
        qtbot.waitUntil(lambda: not _mine(clipped_labels(w)), timeout=UI_WAIT_MS)  # the layout settles
        assert line.text().endswith("…") and "posts the same threat" in line.toolTip()
        assert line.accessibleName() == "Escalation"
    finally:
        w.shutdown()
