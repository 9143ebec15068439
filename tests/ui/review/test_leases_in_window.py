"""One decision per case, as the window shows it: claims refused with who holds or decided the case, a
decision that lost its race explained (who, when, what) instead of "try again", leases renewed while a
case stays on screen, a lead's override with a required reason, and an edited pack refused at start."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from reviewer.casefile import CaseView
from reviewer.clock import utcnow
from reviewer.conflicts import PolicyPackChanged
from reviewer.decisions import record_decision
from reviewer.demo import DemoSpec, build_demo
from reviewer.identity import ensure_reviewer, set_role, start_session
from reviewer.leases import try_claim
from reviewer.models import Case, Decision
from reviewer.policy import PolicyPack, default_pack_path, load_pack
from reviewer.storage.database import Database
from tests.support.waiting import UI_WAIT_MS
from tests.support.windows import open_window as _open
from ui.review.override import OverrideDialog
from ui.shell.context import start_context
from ui.shell.main_window import MainWindow

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def window(db: Database, pack: PolicyPack, qtbot: QtBot) -> Iterator[MainWindow]:
    build_demo(db, DemoSpec(cases=20, seed=3, images=2), now=NOW)
    w = _open(db, pack, qtbot)
    yield w
    w.shutdown()


def _key(qtbot: QtBot, w: MainWindow, key: Qt.Key, mod=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(w.focusWidget() or w, key, mod)


def _standing(db: Database, case_id: object) -> list[tuple[str, str]]:
    from reviewer.models import Reviewer

    with db.read() as s:
        rows = s.execute(
            select(Decision.action, Reviewer.handle)
            .join(Reviewer, Reviewer.id == Decision.reviewer_id)
            .where(Decision.case_id == case_id)
            .order_by(Decision.created_at)
        ).all()
    return [(a, h) for a, h in rows]


def _claimed_by(db: Database, case_id: object) -> tuple[object, datetime | None]:
    with db.read() as s:
        case = s.get(Case, case_id)
        assert case is not None
        return case.claimed_by, case.claim_expires_at


def _shown_and_claimed(w: MainWindow, qtbot: QtBot, db: Database) -> CaseView:
    """The case on screen, once this window's session holds its lease."""
    shown = w.review.selection.current
    assert shown is not None
    qtbot.waitUntil(lambda: _claimed_by(db, shown.id)[0] == w.ctx.session_id, timeout=UI_WAIT_MS)
    return shown


def test_a_decision_that_lost_the_race_says_who_decided_and_keeps_nothing(
    window: MainWindow, qtbot: QtBot, db: Database, pack: PolicyPack
) -> None:
    w = window
    shown = _shown_and_claimed(w, qtbot, db)
    # Our lease runs out (the reviewer walked away); bob's session then decides the case.
    bob = ensure_reviewer(db, "bob")
    bob_session = start_session(db, bob)
    later = utcnow() + timedelta(minutes=20)
    record_decision(
        db, case_id=shown.id, reviewer=bob, action="keep", policy_code="NV-0", pack=pack,
        session_id=bob_session, now=later,
    )  # fmt: skip
    _key(qtbot, w, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: w.review.flow.error_box is not None, timeout=UI_WAIT_MS)
    box = w.review.flow.error_box
    assert box is not None
    assert "bob decided keep under NV-0" in box.text() and "not written" in box.text()
    assert "try again" not in box.text()
    assert w.statusBar().currentMessage().startswith("Not saved — Already decided: bob decided keep")
    assert _standing(db, shown.id) == [("keep", "bob")]  # ours was never written
    qtbot.waitUntil(lambda: w.review.model.row_for_case(shown.id) is None, timeout=UI_WAIT_MS)
    qtbot.waitUntil(
        lambda: w.review.selection.current is not None and w.review.selection.current.id != shown.id,
        timeout=UI_WAIT_MS,
    )
    box.close()


def test_a_case_another_session_holds_is_skipped_with_the_holders_name(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    w = window
    nxt = w.review.model.case_at(w.review.selection.current_row() + 1)
    assert nxt is not None
    carol = ensure_reviewer(db, "carol")
    assert try_claim(db, nxt.id, start_session(db, carol)).ok
    _key(qtbot, w, Qt.Key.Key_J)
    qtbot.waitUntil(lambda: w.review.model.row_for_case(nxt.id) is None, timeout=UI_WAIT_MS)
    message = w.statusBar().currentMessage()
    assert message.startswith("carol holds this case until ") and message.endswith("Moving on.")
    qtbot.waitUntil(lambda: w.review.selection.current is not None, timeout=UI_WAIT_MS)
    assert w.review.selection.current.id != nxt.id


def test_the_lease_is_renewed_while_the_case_stays_on_screen(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    w = window
    shown = _shown_and_claimed(w, qtbot, db)
    before = _claimed_by(db, shown.id)[1]
    assert w.review.selection._renew_timer.isActive()
    w.review.selection._renew()  # what the renewal timer does every few minutes
    qtbot.waitUntil(lambda: (_claimed_by(db, shown.id)[1] or before) > before, timeout=UI_WAIT_MS)  # type: ignore[operator]


def test_a_lost_lease_is_explained_and_the_case_leaves(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    w = window
    shown = _shown_and_claimed(w, qtbot, db)
    dave = ensure_reviewer(db, "dave")
    later = utcnow() + timedelta(minutes=20)  # after our lease ran out
    assert try_claim(db, shown.id, start_session(db, dave), now=later).ok
    w.review.selection._renew()
    qtbot.waitUntil(lambda: w.review.flow.error_box is not None, timeout=UI_WAIT_MS)
    assert "dave holds this case" in w.review.flow.error_box.text()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: w.review.model.row_for_case(shown.id) is None, timeout=UI_WAIT_MS)
    w.review.flow.error_box.close()  # type: ignore[union-attr]


def _answer_override(qtbot: QtBot, action: str, reason: str) -> list[str]:
    """Fill the override dialog when it opens (it runs its own event loop) and press Enter."""
    seen: list[str] = []

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, OverrideDialog):
            QTimer.singleShot(20, fill)
            return
        seen.append(dialog.windowTitle())
        dialog.action.setCurrentIndex(dialog.action.findData(action))
        seen.append(str(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()))  # no reason yet
        qtbot.keyClicks(dialog.reason, reason)
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)

    QTimer.singleShot(0, fill)
    return seen


def test_a_lead_overrides_a_decided_case_with_a_reason(
    db: Database, pack: PolicyPack, qtbot: QtBot
) -> None:
    build_demo(db, DemoSpec(cases=12, seed=4, images=2), now=NOW)
    ensure_reviewer(db, "tester")
    set_role(db, "tester", "lead", actor="test")
    w = _open(db, pack, qtbot)
    try:
        first = w.review.selection.current
        assert first is not None
        _key(qtbot, w, Qt.Key.Key_K)
        qtbot.waitUntil(lambda: _standing(db, first.id) == [("keep", "tester")], timeout=UI_WAIT_MS)
        qtbot.waitUntil(lambda: not w.review.flow.busy, timeout=UI_WAIT_MS)  # the window saw the commit too
        panel = w.review.queue
        panel.status.setCurrentIndex(panel.status.findText("Decided"))
        qtbot.waitUntil(
            lambda: w.review.selection.current is not None and w.review.selection.current.id == first.id,
            timeout=UI_WAIT_MS,
        )
        seen = _answer_override(qtbot, "escalate", "needs the policy team's view")
        _key(qtbot, w, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        qtbot.waitUntil(lambda: len(_standing(db, first.id)) == 3, timeout=UI_WAIT_MS)
        assert seen == ["Override decision (lead)", "False"]  # no override without a reason
        assert _standing(db, first.id) == [("keep", "tester"), ("undo", "tester"), ("escalate", "tester")]
        with db.read() as s:
            notes = s.execute(select(Decision.note).where(Decision.case_id == first.id)).scalars().all()
            assert s.get(Case, first.id).status == "escalated"  # type: ignore[union-attr]
        assert notes[-1] == "lead override: needs the policy team's view"
        qtbot.waitUntil(lambda: w.statusBar().currentMessage().startswith("Overridden: Escalate"), timeout=UI_WAIT_MS)
    finally:
        w.shutdown()


def test_a_reviewer_who_is_not_a_lead_is_told_so(window: MainWindow, qtbot: QtBot, db: Database) -> None:
    w = window
    shown = w.review.selection.current
    assert shown is not None
    _key(qtbot, w, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert w.statusBar().currentMessage().startswith("Only a lead can override a decision; tester is a reviewer")
    assert _standing(db, shown.id) == []


def test_an_edited_pack_with_the_same_version_is_refused_at_start(
    db: Database, pack: PolicyPack, tmp_path: Path
) -> None:
    start_context(db, pack, backup=False).tasks.shutdown()  # the shipped pack is registered
    edited_file = tmp_path / "pack.toml"
    edited_file.write_text(
        default_pack_path().read_text(encoding="utf-8").replace("must be escalated", "may stay up", 1),
        encoding="utf-8",
    )
    edited = load_pack(edited_file)
    assert edited.version == pack.version and edited.sha256 != pack.sha256
    with pytest.raises(PolicyPackChanged, match="new version"):
        start_context(db, edited, backup=False)


def test_a_new_filter_keeps_the_row_a_decision_was_about_to_drop(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    w = window
    first = w.review.selection.current
    assert first is not None
    _key(qtbot, w, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: not w.review.flow.busy and _standing(db, first.id) != [], timeout=UI_WAIT_MS)
    panel = w.review.queue  # at once, while the decided row still waits to leave the old table
    panel.status.setCurrentIndex(panel.status.findText("Decided"))
    qtbot.waitUntil(
        lambda: w.review.selection.current is not None and w.review.selection.current.id == first.id,
        timeout=UI_WAIT_MS,
    )
    qtbot.waitUntil(lambda: not w.review.flow._pending_drops, timeout=UI_WAIT_MS)  # no drop left to run
    assert w.review.model.row_for_case(first.id) == 0


def test_a_case_decided_elsewhere_while_on_screen_is_said_and_leaves_after_a_sync(
    window: MainWindow, qtbot: QtBot, db: Database, pack: PolicyPack
) -> None:
    """What the sync asks after a pull that changed cases (``recheck_current``): the case on screen was
    decided by someone else meanwhile, so the window says who, and moves on without a key press."""
    w = window
    shown = _shown_and_claimed(w, qtbot, db)
    w.review.flow.recheck_current()  # still ours: nothing happens
    qtbot.waitUntil(lambda: not w.review.flow.busy, timeout=UI_WAIT_MS)
    assert w.review.flow.error_box is None
    bob = ensure_reviewer(db, "bob")
    record_decision(
        db, case_id=shown.id, reviewer=bob, action="keep", policy_code="NV-0", pack=pack,
        session_id=start_session(db, bob), now=utcnow() + timedelta(minutes=20),
    )  # fmt: skip
    w.review.flow.recheck_current()
    qtbot.waitUntil(lambda: w.review.flow.error_box is not None, timeout=UI_WAIT_MS)
    assert "bob decided keep" in w.review.flow.error_box.text()
    qtbot.waitUntil(lambda: w.review.model.row_for_case(shown.id) is None, timeout=UI_WAIT_MS)
    w.review.flow.error_box.close()
