"""The QA lanes of the main window: the blind second review (F7) and the leads' adjudications (Ctrl+Shift+A).

Both are lanes (``ui/review/lane.py``): the cases are worked in the normal review loop, their decision keys
(K, R, T… with a policy pick 1-9) routed to the core: in the QA lane to ``record_verdict`` (blind: nothing of
the first decision shows), in the adjudications lane to ``adjudicate`` after a required note (the line under
the queue shows both verdicts; pressing the first's or the second's key keeps or takes it).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QWidget

from reviewer.actions import ACTION_KINDS
from reviewer.casefile import CaseView
from reviewer.display import visible
from reviewer.overrides import may_override
from ui.commands.registry import ActionRegistry
from ui.commands.spec import ActionSpec
from ui.review.feature import ReviewFeature
from ui.review.lane import Details, Lane
from ui.shell.frame import Frame

QA_LANE = ActionSpec(
    "qa.lane",
    "QA second review (blind)",
    "Queue",
    description="Your blind QA queue; again: back to the queue",
)
ADJUDICATIONS = ActionSpec(
    "qa.adjudications", "QA adjudications (lead)", "Queue", description="Settle QA disagreements (leads)"
)
KEEP_FIRST = ActionSpec(
    "qa.keep_first", "Adjudicate: keep the first decision", "Decide", description="In the adjudications lane"
)
TAKE_SECOND = ActionSpec(
    "qa.take_second", "Adjudicate: take the second verdict", "Decide", description="In the adjudications lane"
)
ACTIONS: tuple[ActionSpec, ...] = (QA_LANE, ADJUDICATIONS, KEEP_FIRST, TAKE_SECOND)

#: What makes no sense on a case of another reviewer's decision worked in a lane.
LANE_REFUSED = frozenset(
    {
        "decision.escalate",
        "decision.skip",
        "decision.undo",
        "decision.note",
        "decision.explain",
        "decision.apply_to_duplicates",
        "decision.override",
    }
)
#: And in the blind lane, what would show the first decision (its statement of reasons, a response quoting it).
BLIND_REFUSED = LANE_REFUSED | {"dsa.statement", "response.compose"}
NOT_A_LEAD = "Only a lead adjudicates QA disagreements (nothing was opened)."


def action_text(action: str | None, policy: str | None) -> str:
    if action is None:
        return "—"
    label = ACTION_KINDS[action].label if action in ACTION_KINDS else visible(action)
    return f"{label} {visible(policy)}" if policy else label


class QaFeature(QObject):
    def __init__(self, window: Frame, registry: ActionRegistry, review: ReviewFeature) -> None:
        super().__init__(window)
        self.window, self.registry, self.review, self.ctx = window, registry, review, window.ctx
        self.note_box: Any = None

    def _key(self, spec: ActionSpec) -> str:
        keys = self.registry.keys_for(spec.id)
        return f" ({keys[0]})" if keys else ""

    # -- the blind QA lane -------------------------------------------------------------------------
    def qa_lane(self) -> Lane:
        db, me = self.ctx.db, self.ctx.reviewer

        def sample() -> object:
            from reviewer.qa.sampling import sample_new_decisions

            return sample_new_decisions(db)

        def read() -> Details:
            from reviewer.qa.reviews import qa_queue

            out: Details = {}
            for task in qa_queue(db, me, sample=False):  # sampled by ``sample`` on the db worker
                out.setdefault(task.case_id, task.id)
            return out

        return Lane(
            key="qa",
            title=f"QA second review, blind{self._key(QA_LANE)}: decide as if first — K, R, T… record your verdict",
            read=read,
            prepare=sample,
            decide=self._verdict,
            refused=BLIND_REFUSED,
            refusal="Not in the QA lane: decide with K, R, T… (your verdict), or leave the lane with its key.",
            blind=True,
        )

    def _verdict(self, view: CaseView, item_id: uuid.UUID, action: str, code: str | None) -> None:
        db, me, pack = self.ctx.db, self.ctx.reviewer, self.ctx.pack

        def work() -> Any:
            from reviewer.qa.reviews import record_verdict

            return record_verdict(db, item_id, reviewer=me, action=action, policy_code=code, pack=pack)

        self.ctx.tasks.run_db(
            work,
            lambda _item: self.review.lanes.done_with(
                view.id, f"QA verdict saved: {action_text(action, code)}."
            ),
            self._refused,
        )

    def _refused(self, exc: BaseException) -> None:
        self.window.flash(f"Not saved: {exc}")

    def toggle_qa(self) -> None:
        self.review.lanes.toggle(self.qa_lane())

    # -- the leads' adjudications lane ---------------------------------------------------------------
    def adjudications_lane(self) -> Lane:
        db = self.ctx.db

        def read() -> Details:
            from reviewer.qa.reviews import list_items

            out: Details = {}
            for item in list_items(db, status="disagreed"):
                out.setdefault(item.case_id, item)
            return out

        return Lane(
            key="adjudications",
            title=f"QA adjudications{self._key(ADJUDICATIONS)}: K, R, T… with a policy decide (a note is asked)",
            read=read,
            decide=self._adjudicate,
            refused=LANE_REFUSED,
            refusal="Not in the adjudications lane: decide the outcome with K, R, T…, or leave it with its key.",
            describe=_both_verdicts,
        )

    def toggle_adjudications(self) -> None:
        if not may_override(self.ctx.reviewer):
            self.window.flash(NOT_A_LEAD)
            return
        self.review.lanes.toggle(self.adjudications_lane())

    def pick_verdict(self, second: bool) -> None:
        """Alt+F / Alt+S in the adjudications lane: the first decision or the second verdict as the outcome."""
        lanes, view = self.review.lanes, self.review.selection.current
        if lanes.active is None or lanes.active.key != "adjudications":
            self.window.flash(f"Works in the adjudications lane{self._key(ADJUDICATIONS)}.")
            return
        if view is None or view.id not in lanes.details:
            self.window.flash("No disagreement is on screen.")
            return
        item = lanes.details[view.id]
        if second:
            self._adjudicate(view, item, item.verdict_action, item.verdict_policy)
        else:
            self._adjudicate(view, item, item.first_action, item.first_policy)

    def _adjudicate(self, view: CaseView, item: Any, action: str, code: str | None) -> None:
        db, me, pack = self.ctx.db, self.ctx.reviewer, self.ctx.pack

        def write(note: str) -> None:
            def work() -> Any:
                from reviewer.qa.reviews import adjudicate

                return adjudicate(db, item.id, lead=me, action=action, note=note, policy_code=code, pack=pack)

            self.ctx.tasks.run_db(
                work,
                lambda _i: self.review.lanes.done_with(view.id, f"Adjudicated: {action_text(action, code)}."),
                self._refused,
            )

        box = adjudication_note_box(item, action, code, write, self.window)
        box.finished.connect(lambda _r: self.review.flow.back_to_queue())
        self.note_box = box
        box.open()


def adjudication_note_box(
    item: Any, action: str, code: str | None, done: Callable[[str], None], parent: QWidget
) -> QDialog:
    """The required note of an adjudication (Ctrl+Enter adjudicates, Esc cancels)."""
    from ui.shell.required_text import RequiredTextBox

    return RequiredTextBox(
        "Adjudicate the QA disagreement",
        f"Outcome: {action_text(action, code)}. {_both_verdicts(item)}",
        done,
        word="note",
        placeholder="Why this outcome (required; recorded)",
        description="Why this outcome: recorded with the adjudication",
        hint="Ctrl+Enter adjudicates · Esc cancels",
        object_name="qaAdjudicationNote",
        height=260,
        parent=parent,
    )


def _both_verdicts(item: Any) -> str:
    return (
        f"First: {action_text(item.first_action, item.first_policy)} by {visible(item.first_reviewer)} · "
        f"Second: {action_text(item.verdict_action, item.verdict_policy)} by {visible(item.second_reviewer or '')}"
        " — Alt+F keeps the first, Alt+S takes the second, or decide otherwise."
    )


def install(window: Frame, registry: ActionRegistry, review: ReviewFeature) -> QaFeature:
    feature = QaFeature(window, registry, review)
    registry.register(QA_LANE, feature.toggle_qa)
    registry.register(ADJUDICATIONS, feature.toggle_adjudications)
    registry.register(KEEP_FIRST, lambda: feature.pick_verdict(second=False))
    registry.register(TAKE_SECOND, lambda: feature.pick_verdict(second=True))
    return feature
