"""One set of session figures, read from the database: the status bar and the summary both show these.

From the decision rows of one review session (:func:`figures_from_rows` is the pure rule):

- ``undone``: undo rows. The decision an undo reversed no longer stands and counts nowhere else.
- ``decided``: distinct cases with a standing decision that decides them (an action whose case status
  is ``decided``: keep, remove, restrict, warn, strike, suspend).
- ``escalated`` and ``skipped``: standing escalations and skips, counted apart; a skip is never decided.
- handle time (median, mean) over standing decisions a reviewer made one at a time: a bulk-applied
  decision (one with a ``bulk_id``: Shift+D's apply to duplicates) or one with no measured handle time
  does not count, so a bulk apply cannot pull the median to 0 s.

Notes are not decisions. This module is part of the core package and must not import Qt.
"""

from __future__ import annotations

import statistics
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from reviewer.actions import ACTION_KINDS, UNDO
from reviewer.durations import DurationStyle, format_duration
from reviewer.models import Decision
from reviewer.storage.database import Database

NOTE = "note"


@dataclass(frozen=True)
class DecisionRow:
    """The columns of a decision row the figures need."""

    id: uuid.UUID
    case_id: uuid.UUID
    action: str
    handle_ms: int
    reverses_id: uuid.UUID | None = None
    bulk_id: uuid.UUID | None = None


@dataclass(frozen=True)
class SessionFigures:
    decided: int = 0
    escalated: int = 0
    skipped: int = 0
    undone: int = 0
    actions: dict[str, int] = field(default_factory=dict)  # standing decisions by action (skips included)
    median_handle_s: float | None = None  # None: no decision made one at a time yet
    mean_handle_s: float | None = None
    timed: int = 0  # decisions the handle times are over
    bulk: int = 0  # standing decisions applied in bulk (left out of handle time)

    @property
    def decisions(self) -> int:
        """Standing decisions of every action (skips and escalations included, notes and undos not)."""
        return sum(self.actions.values())

    def status_text(self) -> str:
        """The status bar's line: ``Session: 3 decided · 1 escalated · 1 skipped · 2 undone · median 12 s``."""
        parts = [f"{self.decided} decided"]
        parts += [f"{n} {word}" for n, word in ((self.escalated, "escalated"), (self.skipped, "skipped")) if n]
        parts.append(f"{self.undone} undone")
        if self.median_handle_s is not None:
            parts.append(f"median {format_duration(self.median_handle_s, DurationStyle.WORDS)}")
        return "Session: " + " · ".join(parts)


def figures_from_rows(rows: Sequence[DecisionRow]) -> SessionFigures:
    """The figures of one session's decision rows (any order); see the module docstring."""
    undos = [r for r in rows if r.action == UNDO]
    reversed_ids = {r.reverses_id for r in undos}
    standing = [r for r in rows if r.action not in (UNDO, NOTE) and r.id not in reversed_ids]
    bulk = [r for r in standing if r.bulk_id is not None]
    timed = [r.handle_ms / 1000 for r in standing if r.bulk_id is None and r.handle_ms > 0]
    actions = Counter(r.action for r in standing)
    deciding = {a for a, kind in ACTION_KINDS.items() if kind.status == "decided"}
    return SessionFigures(
        decided=len({r.case_id for r in standing if r.action in deciding}),
        escalated=actions.get("escalate", 0),
        skipped=actions.get("skip", 0),
        undone=len(undos),
        actions=dict(actions),
        median_handle_s=statistics.median(timed) if timed else None,
        mean_handle_s=statistics.fmean(timed) if timed else None,
        timed=len(timed),
        bulk=len(bulk),
    )


def session_figures(db: Database, reviewer_id: uuid.UUID, session_id: uuid.UUID | None) -> SessionFigures:
    """The figures of this reviewer's review session, from its decision rows (a read; any thread)."""
    if session_id is None:
        return SessionFigures()
    with db.read() as s:
        rows = s.execute(
            select(
                Decision.id,
                Decision.case_id,
                Decision.action,
                Decision.handle_ms,
                Decision.reverses_id,
                Decision.bulk_id,
            ).where(Decision.reviewer_id == reviewer_id, Decision.session_id == session_id)
        ).all()
    return figures_from_rows([DecisionRow(*row) for row in rows])
