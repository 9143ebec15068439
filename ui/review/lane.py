"""Lanes: another queue of the main window whose decision keys are routed elsewhere (QA, appeals, leads).

A lane is worked in the normal review loop (queue table, blurred preview, V reveal, exposure accounting,
panic): only *which* cases the queue shows and *where* a decision key goes change. A :class:`Lane` says
how to read its cases (``read``, on the read worker: an ordered ``{case id: detail}``; a ``prepare`` step
that writes, such as QA sampling, runs on the db worker first), its title (shown
above the queue), what a decision key does (``decide``), which actions make no sense in it (refused by the
registry guard with the lane's message) and whether it is *blind* (nothing of a case's earlier decisions
shown: the case panel, the escalation line and the queue's status column hide them).

:class:`LaneHost` (``review.lanes``) holds the active lane. The queue shows it through the ordinary model:
the lane narrows the queue filter to its case ids (``QueueFilter.case_ids``). One lane at a time; its key
again goes back to the normal queue.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout

from reviewer.casefile import CaseView
from reviewer.queue import QueueFilter
from ui.commands.spec import ActionSpec
from ui.review.queue_model import Column
from ui.shell.plain import plain_label

if TYPE_CHECKING:
    from ui.review.feature import ReviewFeature

Details = dict[uuid.UUID, Any]


@dataclass(frozen=True)
class Lane:
    key: str  # "qa", "appeals", …
    title: str  # shown above the queue while the lane is on
    read: Callable[[], Details]  # on the read worker: the lane's cases, in order, with what it knows of each
    decide: Callable[[CaseView, Any, str, str | None], None]  # (case, its detail, action, policy code)
    refused: frozenset[str] = field(default_factory=frozenset)  # action ids refused in the lane
    refusal: str = "Not in this lane."
    blind: bool = False
    statuses: tuple[str, ...] = ("decided",)
    describe: Callable[[Any], str] | None = None  # a plain-text line about the shown case's detail
    prepare: Callable[[], object] | None = None  # on the db worker (it writes) before ``read``: QA sampling


class LaneHost(QObject):
    changed = Signal(object)  # Lane | None

    def __init__(self, review: ReviewFeature) -> None:
        super().__init__(review)
        self.review = review
        self.active: Lane | None = None
        self.details: Details = {}
        self.title = plain_label()
        self.title.setAccessibleName("Queue lane")
        self.title.setWordWrap(True)
        self.info = QPlainTextEdit()  # plain text always; imported values (a statement) scroll, never cut
        self.info.setReadOnly(True)
        self.info.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay on the queue
        self.info.setMaximumHeight(self.info.fontMetrics().lineSpacing() * 5 + 12)
        self.info.setAccessibleName("About this case in the lane")
        self.info.setAccessibleDescription("What the lane knows of the case on screen (plain text)")
        layout = review.queue.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, self.title)
        layout.addWidget(self.info)
        self.title.hide()
        self.info.hide()
        review.selection.case_shown.connect(self._on_case_shown)

    @property
    def blind(self) -> bool:
        return self.active is not None and self.active.blind

    def toggle(self, lane: Lane) -> None:
        """The lane's key: on (reading its cases), or back to the normal queue when it is on already."""
        if self.active is not None and self.active.key == lane.key:
            self.leave()
        else:
            self.enter(lane)

    def enter(self, lane: Lane) -> None:
        def done(details: Details) -> None:
            self.active, self.details = lane, dict(details)
            self._show(lane)
            self.review.window.flash(f"{lane.title}: {len(details)} case(s).")

        tasks, failed = self.review.ctx.tasks, lambda exc: self.review.window.flash(f"{exc}")
        if lane.prepare is None:
            tasks.run_read(lane.read, done, failed)
        else:  # writes belong to the db worker; the read follows once they are committed

            def prepared(_: object) -> None:
                tasks.run_read(lane.read, done, failed)

            tasks.run_db(lane.prepare, prepared, failed)

    def leave(self) -> None:
        if self.active is None:
            return
        self.active, self.details = None, {}
        self._show(None)
        self.review.window.flash("Back to the review queue.")

    def reload(self) -> None:
        if self.active is not None:
            self.enter(self.active)

    def _show(self, lane: Lane | None) -> None:
        self.title.setText(f"{lane.title}  (its key again: back to the queue)" if lane else "")
        self.title.setVisible(lane is not None)
        self.info.setPlainText("")
        self.info.setVisible(lane is not None and lane.describe is not None)
        self.review.queue.table.setColumnHidden(int(Column.STATUS), lane is not None and lane.blind)
        self.changed.emit(lane)
        self.review.apply_filter(self.review.queue.current_filter())
        self.review.queue.table.setFocus()

    def narrow(self, flt: QueueFilter) -> QueueFilter:
        """The queue filter as the active lane shows it (its cases only)."""
        if self.active is None:
            return flt
        return replace(flt, statuses=self.active.statuses, case_ids=tuple(self.details), tier=None)

    def guard(self, spec: ActionSpec) -> str | None:
        lane = self.active
        return lane.refusal if lane is not None and spec.id in lane.refused else None

    def route(self, view: CaseView, action: str, code: str | None) -> bool:
        """A decision key: True when the active lane took it (the normal decision is then not written)."""
        lane = self.active
        if lane is None:
            return False
        if view.id not in self.details:
            self.review.window.flash("That case has left this lane.")
            return True
        lane.decide(view, self.details[view.id], action, code)
        return True

    def done_with(self, case_id: uuid.UUID, message: str) -> None:
        """The lane's work on ``case_id`` is written: its row leaves, the next case is shown."""
        self.details.pop(case_id, None)
        review = self.review
        review.window.flash(message)
        row = review.model.row_for_case(case_id)
        review.selection.forget(case_id)
        if row is not None:
            with QSignalBlocker(review.queue.table.selectionModel()):
                review.model.remove_case(case_id)
            review.selection.select_row(row, refresh=True)
        review.refresh_count()

    def _on_case_shown(self, view: CaseView | None) -> None:
        lane = self.active
        if lane is None or lane.describe is None:
            return
        detail = self.details.get(view.id) if view is not None else None
        self.info.setPlainText(lane.describe(detail) if detail is not None else "")
