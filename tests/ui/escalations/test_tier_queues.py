"""Tier queues and the escalation line in the real window: Ctrl+1 … Ctrl+3 show one tier's cases (the
pack's tier name in the queue header), Ctrl+0 every tier; the case panel says who escalated the case on
screen, why and who holds it; an escalation without a hand-off note is refused in the box."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from reviewer.clock import utcnow
from reviewer.decisions import record_decision
from reviewer.demo import DemoSpec, build_demo
from reviewer.identity import ensure_reviewer
from reviewer.models import Case, Decision
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from reviewer.tiers import DEFAULT_TIERS
from tests.support.waiting import UI_WAIT_MS
from tests.support.windows import open_window
from ui.shell.main_window import MainWindow

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
HOSTILE_NOTE = 'check <img src="file:///etc/passwd"> \u202eplan'


def _open_cases(db: Database, n: int) -> list[uuid.UUID]:
    with db.read() as s:
        return list(s.scalars(select(Case.id).where(Case.status == "open").order_by(Case.id).limit(n)))


@pytest.fixture
def escalated(db: Database, pack: PolicyPack) -> dict[int, list[uuid.UUID]]:
    """A demo queue (no history) with two cases escalated to tier 2 by alice and one to tier 3."""
    build_demo(db, DemoSpec(cases=20, seed=4, images=6, history_days=0), now=NOW)
    alice = ensure_reviewer(db, "alice")
    a, b, c = _open_cases(db, 3)
    at = utcnow() - timedelta(hours=2)
    for cid, to_tier, note in ((a, 2, HOSTILE_NOTE), (b, 2, "second look"), (c, 3, "legal hold")):
        record_decision(db, case_id=cid, reviewer=alice, action="escalate", to_tier=to_tier, rationale=note,
                        pack=pack, now=at)  # fmt: skip
    return {2: [a, b], 3: [c]}


@pytest.fixture
def window(
    db: Database, pack: PolicyPack, qtbot: QtBot, escalated: dict[int, list[uuid.UUID]]
) -> Iterator[MainWindow]:
    w = open_window(db, pack, qtbot)
    yield w
    w.shutdown()


def _press(qtbot: QtBot, w: MainWindow, key: Qt.Key, mod=Qt.KeyboardModifier.ControlModifier) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(w.focusWidget() or w, key, mod)


def _rows_loaded(w: MainWindow, tier: int | None) -> bool:
    model = w.review.model
    return model.filter.tier == tier and not model.loading and w.review.selection.current is not None


def _shown(w: MainWindow) -> list[tuple[uuid.UUID, int, str]]:
    model = w.review.model
    rows = [model.case_at(i) for i in range(model.rowCount())]
    return [(r.id, r.tier, r.status) for r in rows if r is not None]


def test_ctrl_2_shows_the_tier_2_queue_and_ctrl_0_every_tier(
    window: MainWindow, qtbot: QtBot, escalated: dict[int, list[uuid.UUID]]
) -> None:
    w = window
    queue = w.review.queue
    assert queue.tier_label.full_text().startswith("All tiers") and all(t == 1 for _i, t, _s in _shown(w))
    _press(qtbot, w, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: _rows_loaded(w, 2), timeout=UI_WAIT_MS)
    assert sorted(i for i, _t, _s in _shown(w)) == sorted(escalated[2])
    assert {(t, s) for _i, t, s in _shown(w)} == {(2, "escalated")}
    assert queue.status.currentText() == "Escalated"  # a tier-2 case is never "open"
    assert queue.tier_label.full_text() == "Tier 2 — senior review  (Ctrl+0: every tier)"
    qtbot.waitUntil(lambda: w.review.selection.current.tier == 2, timeout=UI_WAIT_MS)  # type: ignore[union-attr]
    _press(qtbot, w, Qt.Key.Key_3)
    qtbot.waitUntil(lambda: _rows_loaded(w, 3), timeout=UI_WAIT_MS)
    assert [i for i, _t, _s in _shown(w)] == escalated[3]
    assert queue.tier_label.full_text().startswith("Policy / Legal")
    _press(qtbot, w, Qt.Key.Key_0)
    qtbot.waitUntil(lambda: _rows_loaded(w, None) and len(_shown(w)) == 3, timeout=UI_WAIT_MS)
    assert queue.tier_label.full_text() == "All tiers  (Ctrl+1 / Ctrl+2 / Ctrl+3: one tier)"
    _press(qtbot, w, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: _rows_loaded(w, 1) and len(_shown(w)) > 3, timeout=UI_WAIT_MS)
    assert queue.status.currentText() == "Open" and {t for _i, t, _s in _shown(w)} == {1}
    _press(qtbot, w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: _rows_loaded(w, None), timeout=UI_WAIT_MS)  # clearing the filter: every tier
    assert queue.tier_label.full_text().startswith("All tiers")


def test_the_case_panel_says_who_escalated_the_case_why_and_who_holds_it(
    window: MainWindow, qtbot: QtBot, escalated: dict[int, list[uuid.UUID]]
) -> None:
    w = window
    line = w.escalations.line
    assert not line.isVisible()  # a tier-1 case on screen
    _press(qtbot, w, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: _rows_loaded(w, 2), timeout=UI_WAIT_MS)
    target = escalated[2][0]
    row = w.review.model.row_for_case(target)
    assert row is not None
    w.review.selection.select_row(row)
    qtbot.waitUntil(lambda: line.isVisible() and line.escalation is not None
                    and line.escalation.case_id == target, timeout=UI_WAIT_MS)  # fmt: skip
    text = line.full_text()
    assert text.startswith("Tier 2 — senior review · escalated by alice 2 h")
    assert '«check <img src="file:///etc/passwd"> ⟨U+202E⟩plan»' in text  # shown, never rendered
    assert "held by tester until" in text and "tier SLA 5 h" in text  # the window claimed it on showing
    assert line.textFormat() == Qt.TextFormat.PlainText
    assert all(label.textFormat() != Qt.TextFormat.RichText or label.property("escapedRichText")
               for label in w.findChildren(QLabel))  # fmt: skip
    _press(qtbot, w, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: _rows_loaded(w, 1) and not line.isVisible(), timeout=UI_WAIT_MS)


def test_an_escalation_without_a_hand_off_note_is_refused_in_the_box(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    w = window
    case_id = w.review.selection.current.id  # type: ignore[union-attr]
    _press(qtbot, w, Qt.Key.Key_E, Qt.KeyboardModifier.NoModifier)
    qtbot.waitUntil(lambda: w.review.flow.rationale_box is not None, timeout=UI_WAIT_MS)
    box = w.review.flow.rationale_box
    assert box is not None and box.tier is not None
    assert [box.tier.itemText(i) for i in range(box.tier.count())] == [
        "Tier 2 — senior review  (Alt+2)",
        "Policy / Legal  (Alt+3)",
    ]
    qtbot.keyClicks(box.text, "   ")
    qtbot.keyClick(box.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert box.isVisible() and "An escalation needs a hand-off note" in box.hint.text()
    assert _escalation_note(db, case_id) is None  # nothing written
    qtbot.keyClicks(box.text, "threat names a school")
    qtbot.keyClick(box.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _escalation_note(db, case_id) == "threat names a school", timeout=UI_WAIT_MS)


def _escalation_note(db: Database, case_id: uuid.UUID) -> str | None:
    with db.read() as s:
        return s.scalars(
            select(Decision.rationale).where(Decision.case_id == case_id, Decision.action == "escalate")
        ).first()


def test_a_pack_with_two_tiers_has_no_tier_3_queue(
    db: Database, pack: PolicyPack, qtbot: QtBot, escalated: dict[int, list[uuid.UUID]]
) -> None:
    two = dataclasses.replace(pack, tiers=DEFAULT_TIERS[:2])
    w = open_window(db, two, qtbot)
    try:
        _press(qtbot, w, Qt.Key.Key_3)
        qtbot.waitUntil(lambda: "has no tier 3" in w.statusBar().currentMessage(), timeout=UI_WAIT_MS)
        assert w.review.queue.tier is None and w.review.model.filter.tier is None
        assert w.registry.spec("queue.tier_2").title == "Queue: Tier 2 — senior review"
        assert w.registry.spec("queue.tier_3").title == "Queue: tier 3"
    finally:
        w.shutdown()
