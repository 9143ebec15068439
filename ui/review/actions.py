"""The review feature's actions, each declared beside the handler that runs it.

``install`` builds the :class:`ReviewFeature` into the window and registers every action with its
handler; the registry's guard added here refuses case actions while no case is on screen (deciding a
case the reviewer has not seen is never right) and while the previous decision is still being saved.
"""

from __future__ import annotations

from collections.abc import Callable

from reviewer.media.preview import PreviewSpec
from ui.commands.registry import ActionRegistry
from ui.commands.spec import ActionSpec
from ui.review.feature import ReviewFeature
from ui.review.zoom import ZOOM
from ui.shell.frame import Frame

NO_CASE_REFUSAL = "No case is on screen yet — wait for it to load (nothing was decided)."


def _decide(key: str, title: str, description: str = "") -> ActionSpec:
    return ActionSpec(f"decision.{key}", title, "Decide", description=description, needs_case=True)


def _pick(n: int) -> ActionSpec:
    return ActionSpec(f"policy.pick_{n}", f"Pick policy {n}", "Policy", description=f"Cite policy #{n}")


KEEP = _decide("keep", "Keep (no violation)")
REMOVE = _decide("remove", "Remove", "Remove the content")
RESTRICT = _decide("restrict", "Restrict", "Age-gate or limit reach")
ESCALATE = _decide("escalate", "Escalate", "Send to a senior reviewer")
SKIP = _decide("skip", "Skip", "Return the case to the queue")
NOTE = _decide("note", "Add note", "A note for the case history (several lines)")
EXPLAIN = _decide("explain", "Decide with a rationale", "The next decision on this case asks why")
UNDO = ActionSpec("decision.undo", "Undo last decision", "Decide")
WARN = _decide("warn", "Warn account")
STRIKE = _decide("strike", "Strike account")
SUSPEND = _decide("suspend", "Suspend account")
DUPLICATES = _decide("apply_to_duplicates", "Apply to duplicates")
OVERRIDE = _decide(
    "override", "Override decision (lead)…", "Replace a decided case's decision, with a reason"
)
PICKS = tuple(_pick(n) for n in range(1, 10))
POLICY_SEARCH = ActionSpec("policy.search", "Search policies", "Policy")
REVEAL_TOGGLE = ActionSpec("view.reveal_toggle", "Reveal / blur media", "View", needs_case=True)
REVEAL_HOLD = ActionSpec("view.reveal_hold", "Peek (hold to reveal)", "View", hold=True, needs_case=True)
SPOTLIGHT = ActionSpec(
    "view.spotlight", "Spotlight", "View", description="Reveal only the region under focus", needs_case=True
)
NEXT_ITEM = ActionSpec("view.next_item", "Next item in case", "View", repeat=True)
PREV_ITEM = ActionSpec("view.prev_item", "Previous item in case", "View", repeat=True)
NEXT_FRAME = ActionSpec("view.next_frame", "Next video frame", "View", repeat=True)
PREV_FRAME = ActionSpec("view.prev_frame", "Previous video frame", "View", repeat=True)
QUEUE_NEXT = ActionSpec("queue.next", "Next case", "Queue", repeat=True)
QUEUE_PREV = ActionSpec("queue.prev", "Previous case", "Queue", repeat=True)
QUEUE_FILTER = ActionSpec("queue.filter", "Filter queue", "Queue")
QUEUE_SEARCH = ActionSpec("queue.search", "Search queue", "Queue")
QUEUE_CLEAR = ActionSpec("queue.clear_filter", "Clear queue filter", "Queue")

DECISION_KEYS = (KEEP, REMOVE, RESTRICT, ESCALATE, SKIP, WARN, STRIKE, SUSPEND)
ACTIONS: tuple[ActionSpec, ...] = (
    KEEP, REMOVE, RESTRICT, ESCALATE, SKIP, NOTE, EXPLAIN, UNDO, WARN, STRIKE, SUSPEND, DUPLICATES, OVERRIDE,
    *PICKS, POLICY_SEARCH,
    REVEAL_TOGGLE, REVEAL_HOLD, SPOTLIGHT, ZOOM, NEXT_ITEM, PREV_ITEM, NEXT_FRAME, PREV_FRAME,
    QUEUE_NEXT, QUEUE_PREV, QUEUE_FILTER, QUEUE_SEARCH, QUEUE_CLEAR,
)  # fmt: skip


def install(window: Frame, registry: ActionRegistry, spec: PreviewSpec | None = None) -> ReviewFeature:
    """Add the review panels to ``window`` and register the review actions with their handlers."""
    review = ReviewFeature(window, spec)
    selection, preview, picks, flow, queue = (
        review.selection,
        review.preview,
        review.picks,
        review.flow,
        review.queue,
    )

    def guard(action: ActionSpec) -> str | None:
        if action.needs_case and selection.current is None:
            return NO_CASE_REFUSAL
        return flow.refusal() if action.group == "Decide" else None  # undo too: never a silent drop

    registry.add_guard(guard)
    registry.add_guard(review.lanes.guard)  # a lane refuses what makes no sense in it

    def decide(action: str) -> Callable[[], None]:
        return lambda: picks.act(action)

    for decision in DECISION_KEYS:
        registry.register(decision, decide(decision.id.partition(".")[2]))
    registry.register(NOTE, flow.note)
    registry.register(EXPLAIN, flow.explain_next)
    registry.register(UNDO, flow.undo)
    registry.register(DUPLICATES, review.duplicates.apply)
    registry.register(OVERRIDE, review.overrides.start)
    for n, pick in enumerate(PICKS, start=1):
        registry.register(pick, lambda n=n: picks.pick_number(n))
    registry.register(POLICY_SEARCH, review.policy.focus_search)

    def hold(pressed: bool) -> None:
        if pressed:
            preview.begin_reveal("hold")
        elif preview.canvas.reveal_mode == "hold":
            preview.end_reveal()

    registry.register(REVEAL_TOGGLE, lambda: preview.toggle_reveal("toggle"))
    registry.register(REVEAL_HOLD, hold)
    registry.register(SPOTLIGHT, lambda: preview.toggle_reveal("spotlight"))
    registry.register(ZOOM, review.zoom.open)
    registry.register(NEXT_ITEM, lambda: preview.step_item(1))
    registry.register(PREV_ITEM, lambda: preview.step_item(-1))
    registry.register(NEXT_FRAME, lambda: preview.step_frame(1))
    registry.register(PREV_FRAME, lambda: preview.step_frame(-1))
    registry.register(QUEUE_NEXT, lambda: selection.step(1))
    registry.register(QUEUE_PREV, lambda: selection.step(-1))

    def open_filter() -> None:
        queue.channel.setFocus()
        queue.channel.showPopup()

    def open_search() -> None:
        queue.search.setFocus()
        queue.search.selectAll()

    def clear_filter() -> None:
        queue.clear()
        queue.table.setFocus()

    registry.register(QUEUE_FILTER, open_filter)
    registry.register(QUEUE_SEARCH, open_search)
    registry.register(QUEUE_CLEAR, clear_filter)
    return review
