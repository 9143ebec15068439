"""The escalations feature's actions beside their handlers, and its one entry, :func:`install`.

Ctrl+1 … Ctrl+3 show one tier's queue (named after the pack's tiers; ``QueueFilter.for_tier`` picks the
statuses a case at that tier can have), Ctrl+0 every tier; the queue header says which. The escalation
line on the case panel follows the selection: read on the db-read worker, applied only if that case is
still the one on screen.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QVBoxLayout

from reviewer.casefile import CaseView
from reviewer.display import visible
from reviewer.escalations import Escalation, escalation_of
from ui.casepanel.actions import CasePanelFeature
from ui.commands.registry import ActionRegistry
from ui.commands.spec import ActionSpec
from ui.escalations.line import TICK_MS, EscalationLine
from ui.review.feature import ReviewFeature
from ui.shell.frame import Frame


def _tier_spec(level: int) -> ActionSpec:
    return ActionSpec(
        f"queue.tier_{level}",
        f"Queue: tier {level}",
        "Queue",
        description=f"Show only the cases at tier {level}",
    )


TIER_ALL = ActionSpec(
    "queue.tier_all", "Queue: every tier", "Queue", description="Show the cases of every tier"
)
TIERS = tuple(_tier_spec(level) for level in (1, 2, 3))
ACTIONS: tuple[ActionSpec, ...] = (TIER_ALL, *TIERS)
#: Where the line goes on the case panel: under the case's title and its reporter.
LINE_ROW = 2


class EscalationsFeature(QObject):
    def __init__(
        self, window: Frame, registry: ActionRegistry, review: ReviewFeature, cases: CasePanelFeature
    ):
        super().__init__(window)
        self.window, self.registry, self.review, self.ctx = window, registry, review, window.ctx
        self.line = EscalationLine()
        layout = cases.panel.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(LINE_ROW, self.line)
        self._shown: uuid.UUID | None = None  # the case whose escalation is (being) read
        review.selection.case_shown.connect(self._on_case_shown)
        review.queue.filter_changed.connect(lambda _flt: self._update_header())
        registry.keymap_changed.connect(self._update_header)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(lambda: self.line.tick(window.clock.now()))
        self._timer.start()

    # -- tier queues -----------------------------------------------------------------------------
    def show_tier(self, level: int | None) -> None:
        """Ctrl+N: the queue of tier ``level`` (None: every tier), if the pack has that tier."""
        pack = self.ctx.pack
        if level is not None and level > pack.max_tier:
            self.window.flash(
                f"Policy pack {visible(pack.version)} has no tier {level} (its highest is {pack.max_tier})."
            )
            return
        queue = self.review.queue
        queue.show_tier(queue.current_filter().for_tier(level), self.header_text(level))
        queue.table.setFocus()

    def header_text(self, level: int | None) -> str:
        """What the queue header says about tiers: the tier's name (from the pack), and the key back."""
        keys = ", ".join(self.registry.keys_for(TIER_ALL.id))
        if level is None:
            ones = " / ".join(k for spec in TIERS for k in self.registry.keys_for(spec.id)[:1])
            return f"All tiers  ({ones}: one tier)" if ones else "All tiers"
        name = visible(self.ctx.pack.tier(level).name)
        return f"{name}  ({keys}: every tier)" if keys else name

    def _update_header(self) -> None:
        self.review.queue.tier_label.set_full_text(self.header_text(self.review.queue.tier))

    # -- the escalation line ---------------------------------------------------------------------
    def _on_case_shown(self, view: CaseView | None) -> None:
        if view is None or view.tier <= 1 or self.review.lanes.blind:  # none (a blind lane: never shown)
            self._shown = None
            self.line.show_escalation(None, self.window.clock.now())
            return
        self._shown = case_id = view.id
        if self.line.escalation is not None and self.line.escalation.case_id != case_id:
            self.line.show_escalation(None, self.window.clock.now())  # never another case's line meanwhile
        # The selection's claim of this case is queued on the db worker; an empty job queued after it
        # finishes once the claim is in, so the line says who holds the case now (this window, usually).
        self.ctx.tasks.run_db(lambda: None, lambda _none: self._read(case_id))

    def _read(self, case_id: uuid.UUID) -> None:
        if case_id != self._shown:
            return  # the reviewer moved on
        db, pack, now = self.ctx.db, self.ctx.pack, self.window.clock.now()
        self.ctx.tasks.run_read(
            lambda: escalation_of(db, case_id, pack, now), lambda esc: self._apply(case_id, esc)
        )

    def _apply(self, case_id: uuid.UUID, esc: Escalation | None) -> None:
        if case_id == self._shown:  # still the case on screen
            self.line.show_escalation(esc, self.window.clock.now())


def install(
    window: Frame, registry: ActionRegistry, review: ReviewFeature, cases: CasePanelFeature
) -> EscalationsFeature:
    """Add the escalation line to the case panel and register the tier-queue actions, titled with the
    pack's tier names."""
    feature = EscalationsFeature(window, registry, review, cases)
    pack = window.ctx.pack
    registry.register(TIER_ALL, lambda: feature.show_tier(None))
    for level, spec in enumerate(TIERS, start=1):
        title = f"Queue: {visible(pack.tier(level).name)}" if level <= pack.max_tier else spec.title
        registry.register(replace(spec, title=title), lambda level=level: feature.show_tier(level))
    feature._update_header()
    return feature
