"""The timeline table's model passes Qt's model checks and shows imported text with hidden characters
made visible (never a tooltip Qt could render as markup)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from PySide6.QtCore import Qt

from reviewer.investigations import InvestigationEvent
from ui.investigations.timeline_model import COLUMNS, TimelineModel


def _event(text: str, external_id: str = "C-1") -> InvestigationEvent:
    return InvestigationEvent(
        at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        kind="decision",
        case_id=uuid.uuid4(),
        external_id=external_id,
        channel="partner",
        account="photoapp:@x",
        actor="alex",
        action="remove",
        policy_code="VIO-1",
        policy_version="2026.11",
        text=text,
    )


def test_model_checks(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = TimelineModel()
    model.set_events([_event("a"), _event("b")])
    qtmodeltester.check(model)
    assert model.rowCount() == 2 and model.columnCount() == len(COLUMNS)


def test_hostile_values_are_visible_and_tooltips_escaped() -> None:
    model = TimelineModel()
    model.set_events([_event('<img src="file:///etc/passwd">\nnext line', external_id="evil\u202eexe.txt")])
    case = model.data(model.index(0, COLUMNS.index("Case")))
    assert "\u202e" not in case and "U+202E" in case
    text = model.data(model.index(0, COLUMNS.index("Text")))
    assert "\n" not in text
    tip = model.data(model.index(0, COLUMNS.index("Text")), Qt.ItemDataRole.ToolTipRole)
    assert "<img" not in tip and "&lt;img" in tip
    assert model.data(model.index(0, COLUMNS.index("Policy"))) == "VIO-1 v2026.11"
