"""The appeals lane of the main window (F10): open appeals of other reviewers' decisions, worked from the keys.

A lane (``ui/review/lane.py``): the appealed cases in the normal review loop; the line under the queue shows
the original decision and the appellant's statement (opened through the vault by the core, shown as plain
text; appeals are not blind). Alt+U upholds; a decision key with a policy that differs from the original
overturns it after a required reason (``reviewer.appeals.outcomes.decide_appeal``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QWidget

from reviewer.casefile import CaseView
from reviewer.display import visible
from ui.commands.registry import ActionRegistry
from ui.commands.spec import ActionSpec
from ui.qa.actions import LANE_REFUSED, action_text
from ui.review.feature import ReviewFeature
from ui.review.lane import Details, Lane
from ui.shell.frame import Frame

APPEALS_LANE = ActionSpec(
    "appeals.lane", "Appeals", "Queue", description="Open appeals you may work; again: back to the queue"
)
UPHOLD = ActionSpec(
    "appeals.uphold", "Uphold the appeal's decision", "Decide", description="Keep the appealed decision"
)
ACTIONS: tuple[ActionSpec, ...] = (APPEALS_LANE, UPHOLD)


class AppealsFeature(QObject):
    def __init__(self, window: Frame, registry: ActionRegistry, review: ReviewFeature) -> None:
        super().__init__(window)
        self.window, self.registry, self.review, self.ctx = window, registry, review, window.ctx
        self.reason_box: Any = None

    def _key(self, spec: ActionSpec) -> str:
        keys = self.registry.keys_for(spec.id)
        return keys[0] if keys else "(no key)"

    def lane(self) -> Lane:
        db, me = self.ctx.db, self.ctx.reviewer

        def read() -> Details:
            from reviewer.appeals.outcomes import list_appeals

            out: Details = {}
            for appeal in list_appeals(db, not_decided_by=me):
                out.setdefault(appeal.case_id, appeal)
            return out

        return Lane(
            key="appeals",
            title=(
                f"Appeals ({self._key(APPEALS_LANE)}): {self._key(UPHOLD)} upholds · "
                "K, R, T… with a policy overturns (a reason is asked)"
            ),
            read=read,
            decide=self._overturn,
            refused=LANE_REFUSED,
            refusal="Not in the appeals lane: uphold, or overturn with K, R, T…; or leave the lane with its key.",
            describe=self.describe,
        )

    def describe(self, appeal: Any) -> str:
        return (
            f"Appeal {visible(appeal.external_id)} · original decision: "
            f"{action_text(appeal.original_action, appeal.original_policy)} by {visible(appeal.original_reviewer)}"
            f" ({self._key(UPHOLD)} upholds)\nStatement: {visible(appeal.statement, multiline=True)}"
        )

    def toggle(self) -> None:
        self.review.lanes.toggle(self.lane())

    def _current(self) -> tuple[CaseView, Any] | None:
        lanes, view = self.review.lanes, self.review.selection.current
        if lanes.active is None or lanes.active.key != "appeals":
            self.window.flash(f"Uphold works in the appeals lane ({self._key(APPEALS_LANE)}).")
            return None
        if view is None or view.id not in lanes.details:
            self.window.flash("No appeal is on screen.")
            return None
        return view, lanes.details[view.id]

    def uphold(self) -> None:
        shown = self._current()
        if shown is None:
            return
        view, appeal = shown
        self._write(view, appeal.id, "uphold", None, None, "")

    def _overturn(self, view: CaseView, appeal: Any, action: str, code: str | None) -> None:
        if (action, code) == (appeal.original_action, appeal.original_policy):
            self.window.flash(f"That is the original decision: {self._key(UPHOLD)} upholds it.")
            return
        box = overturn_reason_box(
            appeal,
            action,
            code,
            lambda reason: self._write(view, appeal.id, "overturn", action, code, reason),
            self.window,
        )
        box.finished.connect(lambda _r: self.review.flow.back_to_queue())
        self.reason_box = box
        box.open()

    def _write(
        self,
        view: CaseView,
        appeal_id: uuid.UUID,
        outcome: str,
        action: str | None,
        code: str | None,
        note: str,
    ) -> None:
        db, me, pack = self.ctx.db, self.ctx.reviewer, self.ctx.pack

        def work() -> Any:
            from reviewer.appeals.outcomes import decide_appeal

            return decide_appeal(
                db,
                appeal_id,
                reviewer=me,
                outcome=outcome,
                pack=pack,
                action=action,
                policy_code=code,
                note=note,
            )

        said = "Appeal upheld." if outcome == "uphold" else f"Appeal overturned: {action_text(action, code)}."
        self.ctx.tasks.run_db(
            work,
            lambda _row: self.review.lanes.done_with(view.id, said),
            lambda exc: self.window.flash(f"Not saved: {exc}"),
        )


def overturn_reason_box(
    appeal: Any, action: str, code: str | None, done: Callable[[str], None], parent: QWidget
) -> QDialog:
    """The required reason of an overturn (Ctrl+Enter overturns, Esc cancels)."""
    from ui.shell.required_text import RequiredTextBox

    return RequiredTextBox(
        "Overturn the appealed decision",
        f"Overturn {action_text(appeal.original_action, appeal.original_policy)} → "
        f"{action_text(action, code)} on appeal {visible(appeal.external_id)}.",
        done,
        word="reason",
        placeholder="Why the decision is overturned (required; recorded)",
        description="Why the appealed decision is overturned",
        hint="Ctrl+Enter overturns · Esc cancels",
        object_name="appealOverturnReason",
        height=260,
        parent=parent,
    )


def install(window: Frame, registry: ActionRegistry, review: ReviewFeature) -> AppealsFeature:
    feature = AppealsFeature(window, registry, review)
    registry.register(APPEALS_LANE, feature.toggle)
    registry.register(UPHOLD, feature.uphold)
    return feature
