"""End-of-session summary: what was decided, how long it took, what was seen, and the breaks taken.

Counted decisions are the reviewer's standing decisions in the session: undo rows, decisions an undo
reversed, and notes are left out. Handle times are over the counted decisions; "cases decided" counts
distinct cases with a counted decision other than ``skip``.
"""

from __future__ import annotations

import statistics
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from reviewer.actions import ACTION_KINDS, UNDO
from reviewer.clock import Clock
from reviewer.durations import DurationStyle, format_duration
from reviewer.models import Decision, ReviewSession
from reviewer.models.wellbeing import BreakRecord
from reviewer.storage.database import Database
from reviewer.wellbeing.exposure import ExposureTotals, session_exposure

_NOT_COUNTED = (UNDO, "note")


@dataclass(frozen=True)
class SessionSummary:
    cases_decided: int
    decisions: int
    actions: dict[str, int]
    median_handle_s: float
    mean_handle_s: float
    exposure: ExposureTotals
    breaks: int
    breaks_by_kind: dict[str, int] = field(default_factory=dict)
    break_time: timedelta = timedelta(0)
    duration: timedelta = timedelta(0)

    def as_text(self, support_text: str) -> str:
        """A plain-text summary for the end-of-session screen, ending with the support message."""
        actions = ", ".join(
            f"{ACTION_KINDS[a].label if a in ACTION_KINDS else a}: {n}"
            for a, n in sorted(self.actions.items())
        )
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.breaks_by_kind.items()))
        lines = [
            f"Session length: {_hm(self.duration)}",
            f"Cases decided: {self.cases_decided} ({self.decisions} decisions)",
            f"Actions: {actions or 'none'}",
            f"Handle time: median {self.median_handle_s:.0f} s, mean {self.mean_handle_s:.0f} s",
            f"Content revealed: {self.exposure.reveals} times, {_hm(timedelta(seconds=self.exposure.seconds))} "
            f"on screen ({self.exposure.weighted:.0f} weighted seconds)",
            f"Breaks: {self.breaks}" + (f" ({kinds}), {_hm(self.break_time)} in all" if self.breaks else ""),
            "",
            "Thank you for the work you did today.",
            support_text.strip(),
        ]
        return "\n".join(lines).rstrip() + "\n"


def _hm(delta: timedelta) -> str:
    return format_duration(delta, DurationStyle.WORDS_MINUTES)


def session_summary(
    db: Database, reviewer_id: uuid.UUID, session_id: uuid.UUID, clock: Clock
) -> SessionSummary:
    """Numbers for one review session; an unfinished session runs to ``clock.now()``."""
    now = clock.now()
    with db.read() as s:
        rows = list(
            s.execute(
                select(Decision).where(Decision.reviewer_id == reviewer_id, Decision.session_id == session_id)
            ).scalars()
        )
        breaks = list(s.execute(select(BreakRecord).where(BreakRecord.session_id == session_id)).scalars())
        review_session = s.get(ReviewSession, session_id)
    reversed_ids = {d.reverses_id for d in rows if d.action == UNDO}
    counted = [d for d in rows if d.action not in _NOT_COUNTED and d.id not in reversed_ids]
    handle_s = [d.handle_ms / 1000 for d in counted]
    duration = timedelta(0)
    if review_session is not None:
        duration = (review_session.ended_at or now) - review_session.started_at
    return SessionSummary(
        cases_decided=len({d.case_id for d in counted if d.action != "skip"}),
        decisions=len(counted),
        actions=dict(Counter(d.action for d in counted)),
        median_handle_s=statistics.median(handle_s) if handle_s else 0.0,
        mean_handle_s=statistics.fmean(handle_s) if handle_s else 0.0,
        exposure=session_exposure(db, reviewer_id, session_id),
        breaks=len(breaks),
        breaks_by_kind=dict(Counter(b.kind for b in breaks)),
        break_time=sum(((b.ended_at or now) - b.started_at for b in breaks), timedelta(0)),
        duration=duration,
    )
