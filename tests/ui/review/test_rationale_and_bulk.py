"""A rationale with every decision that needs one, pick lists that offer only what is allowed, and a
bulk apply that shows what it would decide before it writes — driven by keys, checked on the rows."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from reviewer.decisions import record_decision
from reviewer.demo import DemoSpec, build_demo
from reviewer.models import Case, Decision, Item
from reviewer.storage.database import Database
from tests.support.waiting import UI_WAIT_MS
from tests.support.windows import open_window as _open
from ui.shell.main_window import MainWindow

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
REQUIRED = "CS-2"  # the shipped pack requires a rationale under this section


@pytest.fixture
def window(db: Database, pack, qtbot: QtBot) -> Iterator[MainWindow]:
    build_demo(db, DemoSpec(cases=24, seed=5, images=9), now=NOW)
    w = _open(db, pack, qtbot)
    yield w
    w.shutdown()


def _key(qtbot: QtBot, w: MainWindow, key: Qt.Key, mod=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(w.focusWidget() or w, key, mod)


def _rows(db: Database) -> list[tuple[str, str | None, str, uuid.UUID | None]]:
    with db.read() as s:
        rows = s.execute(
            select(Decision.action, Decision.policy_code, Decision.rationale, Decision.bulk_id).order_by(
                Decision.created_at
            )
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _idle(qtbot: QtBot, w: MainWindow) -> None:
    qtbot.waitUntil(
        lambda: not w.review.flow.busy and w.review.selection.current is not None, timeout=UI_WAIT_MS
    )


def _box(qtbot: QtBot, w: MainWindow):  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: w.review.flow.rationale_box is not None, timeout=UI_WAIT_MS)
    return w.review.flow.rationale_box


def test_a_required_rationale_is_asked_and_ctrl_enter_commits_it(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    w = window
    case_id = w.review.selection.current.id
    w.review.picks.choose_section(REQUIRED)
    _key(qtbot, w, Qt.Key.Key_R)
    box = _box(qtbot, w)
    assert box.isVisible() and REQUIRED in box.heading.text()
    qtbot.waitUntil(box.text.hasFocus, timeout=UI_WAIT_MS)  # keyboard first: typing goes to the field
    qtbot.keyClick(box.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # empty: refused
    assert box.isVisible() and "required" in box.hint.text() and _rows(db) == []
    qtbot.keyClicks(box.text, "same uploader, third time")
    qtbot.keyClick(box.text, Qt.Key.Key_Return)  # a plain Enter is a new line, not a commit
    qtbot.keyClicks(box.text, "this week")
    qtbot.keyClick(box.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(_rows(db)) == 1, timeout=UI_WAIT_MS)
    _idle(qtbot, w)
    assert _rows(db) == [("remove", REQUIRED, "same uploader, third time\nthis week", None)]
    with db.read() as s:
        assert s.get(Case, case_id).status == "decided"  # type: ignore[union-attr]
    assert w.review.flow.rationale_box is None and w.review.selection.current.id != case_id


def test_escape_in_the_rationale_box_writes_nothing_and_keep_stays_one_key(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    w = window
    w.review.picks.choose_section(REQUIRED)
    _key(qtbot, w, Qt.Key.Key_R)
    box = _box(qtbot, w)
    qtbot.keyClicks(box.text, "half a thought")
    qtbot.keyClick(box.text, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: w.review.flow.rationale_box is None, timeout=UI_WAIT_MS)
    assert not box.isVisible() and _rows(db) == [] and "nothing was written" in w.statusBar().currentMessage()
    _key(qtbot, w, Qt.Key.Key_K)  # an obvious keep: one key, no box
    qtbot.waitUntil(lambda: len(_rows(db)) == 1, timeout=UI_WAIT_MS)
    assert _rows(db) == [("keep", "NV-0", "", None)] and w.review.flow.rationale_box is None


def test_escalation_asks_for_the_target_tier_and_a_reason(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    w = window
    case_id = w.review.selection.current.id
    _key(qtbot, w, Qt.Key.Key_E)
    box = _box(qtbot, w)
    assert [box.tier.itemData(i) for i in range(box.tier.count())] == [2, 3]  # above tier 1, at most 3
    qtbot.keyClick(box.text, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert box.target_tier() == 3 and box.text.toPlainText() == ""
    qtbot.keyClicks(box.text, "possible organised network")
    qtbot.keyClick(box.text, Qt.Key.Key_Enter, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(_rows(db)) == 1, timeout=UI_WAIT_MS)
    with db.read() as s:
        d = s.execute(select(Decision)).scalar_one()
        case = s.get(Case, case_id)
        assert (d.action, d.to_tier, d.rationale) == ("escalate", 3, "possible organised network")
        assert case is not None and (case.status, case.tier) == ("escalated", 3)


def test_the_note_key_writes_the_text_as_the_rationale_of_a_note(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    w = window
    _key(qtbot, w, Qt.Key.Key_N)
    box = _box(qtbot, w)
    qtbot.keyClicks(box.text, "check the linked account")
    qtbot.keyClick(box.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(_rows(db)) == 1, timeout=UI_WAIT_MS)
    assert _rows(db) == [("note", None, "check the linked account", None)]


@pytest.mark.parametrize(
    ("key", "action"),
    [(Qt.Key.Key_R, "remove"), (Qt.Key.Key_W, "warn"), (Qt.Key.Key_X, "suspend")],
)
def test_the_pick_list_offers_only_the_policies_that_allow_the_action(
    window: MainWindow, qtbot: QtBot, db: Database, key: Qt.Key, action: str
) -> None:
    w = window
    category = w.review.selection.current.category
    mod = Qt.KeyboardModifier.NoModifier if action == "remove" else Qt.KeyboardModifier.ShiftModifier
    _key(qtbot, w, key, mod)
    assert w.review.picks.pending_action == action and w.review.policy.prompt.isVisible()
    offered = w.review.policy.picks()
    expected = [s.code for s in w.ctx.pack.sections_allowing(action, category)][: len(offered)]
    assert offered and offered == expected
    assert all(w.ctx.pack.allows(code, action) for code in offered)
    _key(qtbot, w, Qt.Key.Key_Escape)
    assert w.review.policy.only_action is None and _rows(db) == []


def test_a_refused_decision_says_why_and_never_reads_like_data_loss(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    w = window
    w.review.flow.commit("remove", "NV-0")  # a caller that skipped the pick list: the core refuses it
    qtbot.waitUntil(lambda: w.review.flow.error_box is not None, timeout=UI_WAIT_MS)
    box = w.review.flow.error_box
    assert box.windowTitle() == "Decision refused"
    assert "NV-0 does not allow 'remove'" in box.text() and "Nothing was written" in box.text()
    assert "could not be written" not in box.text() and "try again" not in box.text()
    assert _rows(db) == []
    box.close()


# -- safe bulk ----------------------------------------------------------------------------------------


@pytest.fixture
def bulk_window(
    db: Database, pack, reviewer_row, qtbot: QtBot
) -> Iterator[tuple[MainWindow, list[uuid.UUID]]]:  # type: ignore[no-untyped-def]
    """A queue where one picture is in several open cases, one of which is already decided (restrict)."""
    build_demo(db, DemoSpec(cases=24, seed=5, images=9), now=NOW)
    with db.read() as s:
        sha = (
            s.execute(
                select(Item.media_sha256)
                .where(Item.media_sha256.is_not(None))
                .group_by(Item.media_sha256)
                .order_by(func.count(func.distinct(Item.case_id)).desc())
            )
            .scalars()
            .first()
        )
        cases = list(dict.fromkeys(s.execute(select(Item.case_id).where(Item.media_sha256 == sha)).scalars()))
    if len(cases) < 3:
        pytest.skip("the demo queue holds no picture in three cases")
    code = next(sec.code for sec in pack.sections if sec.allows("restrict") and not sec.rationale_required)
    record_decision(
        db, case_id=cases[0], reviewer=reviewer_row, action="restrict", policy_code=code, pack=pack
    )
    w = _open(db, pack, qtbot)
    row = w.review.model.row_for_case(cases[1])
    assert row is not None
    w.review.selection.select_row(row, refresh=True)
    qtbot.waitUntil(lambda: w.review.selection.is_current(cases[1]), timeout=UI_WAIT_MS)
    qtbot.waitUntil(lambda: w.review.duplicates.found is not None, timeout=UI_WAIT_MS)
    yield w, cases
    w.shutdown()


def test_shift_d_shows_the_affected_cases_and_escape_writes_nothing(
    bulk_window: tuple[MainWindow, list[uuid.UUID]], qtbot: QtBot, db: Database
) -> None:
    w, cases = bulk_window
    before = _rows(db)
    _key(qtbot, w, Qt.Key.Key_D, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: w.review.duplicates.confirm_box is not None, timeout=UI_WAIT_MS)
    box = w.review.duplicates.confirm_box
    targets = [cases[1], *w.review.duplicates.found[1]]
    preview = box.preview
    assert [c.case_id for c in preview.cases] == targets and preview.count == len(cases) - 1
    assert len(preview.unseen) == preview.count  # nobody revealed anything in this queue
    summary = box.summary.text()
    assert f"{preview.count} case(s)" in summary and f"{preview.accounts} account(s)" in summary
    assert f"{len(preview.unseen)} case(s) hold media nobody has revealed" in summary
    assert box.cases.count() == preview.count and box.cases.item(0).text().startswith("⚠ ")
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: w.review.duplicates.confirm_box is None, timeout=UI_WAIT_MS)
    assert _rows(db) == before and "nothing was written" in w.statusBar().currentMessage()


def test_a_confirmed_bulk_is_one_undo(
    bulk_window: tuple[MainWindow, list[uuid.UUID]], qtbot: QtBot, db: Database
) -> None:
    w, cases = bulk_window
    _key(qtbot, w, Qt.Key.Key_D, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: w.review.duplicates.confirm_box is not None, timeout=UI_WAIT_MS)
    qtbot.keyClick(w.review.duplicates.confirm_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(_rows(db)) == len(cases), timeout=UI_WAIT_MS)
    _idle(qtbot, w)
    applied = _rows(db)[1:]
    assert {r[0] for r in applied} == {"restrict"} and len({r[3] for r in applied}) == 1
    with db.read() as s:
        assert set(s.execute(select(Case.status).where(Case.id.in_(cases[1:]))).scalars()) == {"decided"}
    _key(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(_rows(db)) == 2 * len(cases) - 1, timeout=UI_WAIT_MS)
    _idle(qtbot, w)
    assert [r[0] for r in _rows(db)[len(cases) :]] == ["undo"] * (len(cases) - 1)
    with db.read() as s:
        assert set(s.execute(select(Case.status).where(Case.id.in_(cases[1:]))).scalars()) == {"open"}
        assert s.get(Case, cases[0]).status == "decided"  # type: ignore[union-attr]
    assert all(w.review.model.row_for_case(c) is not None for c in cases[1:])  # back in the queue
    assert f"{len(cases) - 1} cases are open again" in w.statusBar().currentMessage()


def test_w_makes_the_next_decision_ask_why_and_an_empty_answer_is_allowed(
    window: MainWindow, qtbot: QtBot, db: Database
) -> None:
    w = window
    _key(qtbot, w, Qt.Key.Key_W)
    _key(qtbot, w, Qt.Key.Key_K)
    box = _box(qtbot, w)
    assert not box.required and "required" not in box.hint.text()
    qtbot.keyClicks(box.text, "obvious satire")
    qtbot.keyClick(box.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(_rows(db)) == 1, timeout=UI_WAIT_MS)
    _idle(qtbot, w)
    assert _rows(db) == [("keep", "NV-0", "obvious satire", None)]
    _key(qtbot, w, Qt.Key.Key_W)
    _key(qtbot, w, Qt.Key.Key_K)
    box = _box(qtbot, w)
    qtbot.keyClick(box.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # nothing to add
    qtbot.waitUntil(lambda: len(_rows(db)) == 2, timeout=UI_WAIT_MS)
    _idle(qtbot, w)
    assert _rows(db)[-1] == ("keep", "NV-0", "", None)
    _key(qtbot, w, Qt.Key.Key_K)  # not armed again: one key
    qtbot.waitUntil(lambda: len(_rows(db)) == 3, timeout=UI_WAIT_MS)
    assert w.review.flow.rationale_box is None
