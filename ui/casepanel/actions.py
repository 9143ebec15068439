"""The case panel's actions and its one entry, :func:`install`.

The panel sits below the queue (a vertical splitter in the left column), so the preview keeps its
width. It follows the selection: the case view it already loaded is shown at once, the account
timeline and the related cases are read on the db-read worker and applied only if that case is still
the one on screen; similar media (the PDQ scan over every stored hash) follow in a second read, queued
after the prefetch, and a read for a case the reviewer already left is skipped. Alt+↓ / Alt+↑ choose a related case, O goes to it: its row in the queue, or the
queue filtered to it (its id and status) when it is not in the current list.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QSplitter

from reviewer.casecontext import RelatedCase, TimelineEntry, account_timeline, related_cases
from reviewer.casefile import CaseView
from ui.casepanel.panel import CasePanel
from ui.commands.registry import ActionRegistry
from ui.commands.spec import ActionSpec
from ui.review.feature import ReviewFeature
from ui.review.preview_cache import PreparedPreview
from ui.review.queue_panel import STATUS_CHOICES
from ui.shell.frame import Frame

RELATED_NEXT = ActionSpec("case.related_next", "Choose next related case", "Case", repeat=True)
RELATED_PREV = ActionSpec("case.related_prev", "Choose previous related case", "Case", repeat=True)
RELATED_OPEN = ActionSpec(
    "case.related_open", "Go to the chosen related case", "Case", description="Its row in the queue"
)
REPORT_DOWN = ActionSpec("case.report_down", "Scroll the report text down", "Case", repeat=True)
REPORT_UP = ActionSpec("case.report_up", "Scroll the report text up", "Case", repeat=True)
ACTIONS: tuple[ActionSpec, ...] = (RELATED_NEXT, RELATED_PREV, RELATED_OPEN, REPORT_DOWN, REPORT_UP)

T = TypeVar("T")

QUEUE_SHARE, PANEL_SHARE = 45, 55  # the left column's split, in proportion (stretch factors)


@dataclass(frozen=True)
class CaseContext:
    case_id: uuid.UUID
    timeline: list[TimelineEntry]
    related: list[RelatedCase]
    complete: bool = False  # True once similar media (the PDQ near-match scan) is in ``related``


#: How long after the preview shows a case the panel follows it (one or two frames).
FOLLOW_MS = 30


class CasePanelFeature(QObject):
    def __init__(self, window: Frame, review: ReviewFeature) -> None:
        super().__init__(window)
        self.window, self.review = window, review
        self.panel = CasePanel()
        self.column = QSplitter(Qt.Orientation.Vertical)
        self.column.setObjectName("queueColumn")
        self.column.setChildrenCollapsible(False)
        index = window.splitter.indexOf(review.queue)
        window.splitter.replaceWidget(index, self.column)
        self.column.addWidget(review.queue)
        self.column.addWidget(self.panel)
        self.column.setStretchFactor(0, QUEUE_SHARE)
        self.column.setStretchFactor(1, PANEL_SHARE)
        self.column.setSizes([QUEUE_SHARE * 10, PANEL_SHARE * 10])
        self.context: CaseContext | None = None
        self._generation = 0  # bumped per case shown; a queued read for an older case is skipped
        # The panel follows the case a moment after the preview has painted it: the switch to the next case
        # paints the preview first (the frame the reviewer waits for), and J held down skips the panel's
        # work for cases only passed through.
        self._pending_view: CaseView | None = None
        self._follow = QTimer(self)
        self._follow.setSingleShot(True)
        self._follow.setInterval(FOLLOW_MS)
        self._follow.timeout.connect(lambda: self._on_case_shown(self._pending_view))
        review.selection.case_shown.connect(self._case_shown)
        review.lanes.changed.connect(self._lane_changed)
        review.cache.ready.connect(self._on_preview_ready)

    def _lane_changed(self, _lane: object) -> None:
        self.panel.blind = self.review.lanes.blind
        self.panel.show_case(None)

    def _case_shown(self, view: CaseView | None) -> None:
        self._pending_view = view
        self._generation += 1  # a read queued for the case left is skipped at once
        if view is None:
            self._follow.stop()
            self._on_case_shown(None)
        else:
            self._follow.start()

    def _on_case_shown(self, view: CaseView | None) -> None:
        self.context = None
        self.panel.show_case(view)
        if view is None:
            return
        for item in view.media_items():
            assert item.media_sha256 is not None
            hit = self.review.cache.lookup(item.media_sha256)
            if hit is not None:
                self.panel.set_prepared(item.media_sha256, hit)
        self._generation += 1
        generation, db, case_id = self._generation, self.window.ctx.db, view.id

        def stale() -> bool:  # read on the worker: a case the reviewer already left costs nothing
            return self._generation != generation

        def first() -> CaseContext | None:
            if stale():
                return None
            return CaseContext(case_id, account_timeline(db, case_id), related_cases(db, case_id, near=False))

        def with_similar() -> list[RelatedCase] | None:
            return None if stale() else related_cases(db, case_id)

        def shown_first(context: CaseContext | None) -> None:
            if context is None or not self.review.selection.is_current(context.case_id):
                return
            self.context = context
            self.panel.set_context(context.timeline, context.related)
            # The PDQ scan reads every stored hash: it runs after the prefetch queued meanwhile.
            self._read(with_similar, shown_similar)

        def shown_similar(related: list[RelatedCase] | None) -> None:
            if related is None or self.context is None or self.context.case_id != case_id:
                return
            self.context = CaseContext(case_id, self.context.timeline, related, complete=True)
            self.panel.set_related(related)

        self._read(first, shown_first)

    def _read(self, work: Callable[[], T], done: Callable[[T], None]) -> None:
        # A result for a panel deleted meanwhile is dropped by the TaskManager (ui/shell/tasks.py).
        self.window.ctx.tasks.run_read(
            work, done, lambda exc: self.window.flash(f"Case context not loaded: {exc}")
        )

    def _on_preview_ready(self, sha: str, prepared: PreparedPreview) -> None:
        self.panel.set_prepared(sha, prepared)  # another case's: its thumbnail is made ahead

    # -- related cases -----------------------------------------------------------------------------
    def choose(self, delta: int) -> None:
        chosen = self.panel.step_related(delta)
        if chosen is None:
            self.window.flash("No related cases for this case.")

    def go_to_chosen(self) -> None:
        chosen = self.panel.chosen_related()
        if chosen is None:
            self.window.flash("No related case to go to.")
            return
        self.go_to(chosen)

    def go_to(self, case: RelatedCase) -> None:
        """Show ``case``: its row in the queue, or the queue filtered to it when it is not listed."""
        review = self.review
        row = review.model.row_for_case(case.case_id)
        if row is not None:
            review.selection.select_row(row)
            return
        queue = review.queue
        statuses = [i for i, (_label, s) in enumerate(STATUS_CHOICES) if case.status in s]
        for widget in (queue.channel, queue.category, queue.status, queue.search):
            widget.blockSignals(True)
        queue.channel.setCurrentIndex(0)
        queue.category.setCurrentIndex(0)
        if statuses:
            queue.status.setCurrentIndex(statuses[0])
        queue.search.setText(case.external_id)
        for widget in (queue.channel, queue.category, queue.status, queue.search):
            widget.blockSignals(False)
        review.apply_filter(queue.current_filter())
        self.window.flash(f"Showing related case {case.external_id} (Ctrl+Shift+F clears the filter).")
        queue.table.setFocus()


def install(window: Frame, registry: ActionRegistry, review: ReviewFeature) -> CasePanelFeature:
    """Put the case panel under the queue and register its actions."""
    feature = CasePanelFeature(window, review)
    registry.register(RELATED_NEXT, lambda: feature.choose(1))
    registry.register(RELATED_PREV, lambda: feature.choose(-1))
    registry.register(RELATED_OPEN, feature.go_to_chosen)
    registry.register(REPORT_DOWN, lambda: feature.panel.scroll_report(1))
    registry.register(REPORT_UP, lambda: feature.panel.scroll_report(-1))
    return feature
