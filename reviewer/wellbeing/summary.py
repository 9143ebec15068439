"""End-of-session summary: what was decided, how long it took, what was seen, and the breaks taken.

The decision figures (decided, escalated, skipped, undone, handle time) are
:class:`reviewer.session_figures.SessionFigures`, the same set the status bar shows; "exposure" is the
time revealed content was on screen, and "session length" the time since the session began.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from reviewer.actions import ACTION_KINDS
from reviewer.clock import Clock
from reviewer.durations import DurationStyle, format_duration
from reviewer.models import ReviewSession
from reviewer.models.wellbeing import BreakRecord
from reviewer.session_figures import SessionFigures, session_figures
from reviewer.storage.database import Database
from reviewer.wellbeing.exposure import ExposureTotals, session_exposure


@dataclass(frozen=True)
class SessionSummary:
    figures: SessionFigures
    exposure: ExposureTotals
    breaks: int
    breaks_by_kind: dict[str, int] = field(default_factory=dict)
    break_time: timedelta = timedelta(0)
    duration: timedelta = timedelta(0)

    @property
    def cases_decided(self) -> int:
        return self.figures.decided

    @property
    def decisions(self) -> int:
        return self.figures.decisions

    @property
    def actions(self) -> dict[str, int]:
        return self.figures.actions

    def as_text(self, support_text: str) -> str:
        """A plain-text summary for the end-of-session screen, ending with the support message."""
        actions = ", ".join(
            f"{ACTION_KINDS[a].label if a in ACTION_KINDS else a}: {n}"
            for a, n in sorted(self.actions.items())
        )
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.breaks_by_kind.items()))
        lines = [
            f"Session length: {_hm(self.duration)}",
            f"Cases decided: {self.figures.decided}",
            f"Escalated: {self.figures.escalated} · skipped: {self.figures.skipped} · undone: {self.figures.undone}",
            f"Actions: {actions or 'none'}",
            f"Handle time: {handle_time(self.figures)}",
            f"Exposure: {self.exposure.reveals} reveals, {_hm(timedelta(seconds=self.exposure.seconds))} "
            f"on screen ({self.exposure.weighted:.0f} weighted seconds)",
            f"Breaks: {self.breaks}" + (f" ({kinds}), {_hm(self.break_time)} in all" if self.breaks else ""),
            "",
            "Thank you for the work you did today.",
            support_text.strip(),
        ]
        return "\n".join(lines).rstrip() + "\n"


def handle_time(figures: SessionFigures) -> str:
    """``median 20 s, mean 23 s`` over decisions made one at a time (bulk-applied ones are named apart)."""
    if figures.median_handle_s is None or figures.mean_handle_s is None:
        text = "no decision made one at a time"
    else:
        text = (
            f"median {format_duration(figures.median_handle_s, DurationStyle.WORDS)}, "
            f"mean {format_duration(figures.mean_handle_s, DurationStyle.WORDS)}"
        )
    return text + (f" ({figures.bulk} applied in bulk not counted)" if figures.bulk else "")


def _hm(delta: timedelta) -> str:
    return format_duration(delta, DurationStyle.WORDS_MINUTES)


def session_summary(
    db: Database, reviewer_id: uuid.UUID, session_id: uuid.UUID, clock: Clock
) -> SessionSummary:
    """Numbers for one review session; an unfinished session runs to ``clock.now()``."""
    now = clock.now()
    with db.read() as s:
        breaks = list(s.execute(select(BreakRecord).where(BreakRecord.session_id == session_id)).scalars())
        review_session = s.get(ReviewSession, session_id)
    duration = timedelta(0)
    if review_session is not None:
        duration = (review_session.ended_at or now) - review_session.started_at
    return SessionSummary(
        figures=session_figures(db, reviewer_id, session_id),
        exposure=session_exposure(db, reviewer_id, session_id),
        breaks=len(breaks),
        breaks_by_kind=dict(Counter(b.kind for b in breaks)),
        break_time=sum(((b.ended_at or now) - b.started_at for b in breaks), timedelta(0)),
        duration=duration,
    )
