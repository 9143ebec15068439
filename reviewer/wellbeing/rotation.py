"""Rotation: after a run of severe cases, offer lighter work before the next severe one.

Advisory only: the queue still decides what exists; this picks which of the offered cases comes next.
After each decision the UI calls :func:`rotation_pick` (:meth:`RotationAdvisor.next_row`) with the
decided case's severity, the row it would show next and the next :data:`LOOKAHEAD` rows with their
severities (read only when rotation is due); it shows the returned row and, when
:attr:`RotationChoice.rotated`, says :data:`ROTATION_MESSAGE`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import NamedTuple, TypeVar

from reviewer.wellbeing.settings import WellbeingSettings

CaseKey = TypeVar("CaseKey", bound=Hashable)

#: How many rows, starting at the one that would come next, rotation considers.
LOOKAHEAD = 25
#: What the UI says when rotation chose a lighter case.
ROTATION_MESSAGE = "Rotation: after a run of severe cases, a lighter case is next."


class RotationChoice(NamedTuple):
    """The row to show next, and whether rotation moved it away from the queue's next row.

    A named tuple, so ``row, rotated = rotation_pick(...)`` works as well as ``choice.row``.
    """

    row: int
    rotated: bool


def choose_row(
    target: int, candidates: Sequence[tuple[int, int]], *, wants_lighter: bool, threshold: int
) -> RotationChoice:
    """Pure selection: ``target`` unless a lighter case is wanted and offered.

    ``candidates`` are ``(row, severity)`` from ``target`` on, in queue order (rows may be missing).
    When ``wants_lighter``, the first candidate below ``threshold`` is chosen; when every candidate is
    severe, the first candidate. The choice counts as rotated only if it differs from ``target``.
    """
    if not wants_lighter or not candidates:
        return RotationChoice(target, False)
    chosen = next((row for row, severity in candidates if severity < threshold), candidates[0][0])
    return RotationChoice(chosen, chosen != target)


class RotationAdvisor:
    """Counts consecutive severe cases; ``rotation.*`` settings give the run length and the threshold."""

    def __init__(self, settings: WellbeingSettings) -> None:
        self.settings = settings
        self.severe_run = 0

    @property
    def threshold(self) -> int:
        return int(self.settings.get("rotation.severe_threshold"))

    def is_severe(self, severity: int) -> bool:
        return severity >= self.threshold

    def observe(self, severity: int) -> None:
        """A case of this severity was taken: lengthen the severe run, or end it on a lighter case."""
        self.severe_run = self.severe_run + 1 if self.is_severe(severity) else 0

    def wants_lighter(self) -> bool:
        return self.severe_run >= int(self.settings.get("rotation.severe_run"))

    def pick_next(self, candidates: Sequence[tuple[CaseKey, int]]) -> CaseKey | None:
        """The first candidate, or the first lighter one when a break from severe work is due.

        ``candidates`` are ``(case_id, severity)`` in queue order; None when there are none. If every
        candidate is severe the queue order stands: urgent work is not held back, only reordered.
        """
        if not candidates:
            return None
        if self.wants_lighter():
            for case_id, severity in candidates:
                if not self.is_severe(severity):
                    return case_id
        return candidates[0][0]

    def next_row(
        self, decided_severity: int, target: int, candidates: Iterable[tuple[int, int]]
    ) -> RotationChoice:
        """Observe the decided case, then choose the row to show next (see :func:`choose_row`).

        ``candidates`` is only read when a lighter case is wanted, so a generator that looks up the next
        :data:`LOOKAHEAD` rows' severities costs nothing on most decisions.
        """
        self.observe(decided_severity)
        if not self.wants_lighter():
            return RotationChoice(target, False)
        return choose_row(target, list(candidates), wants_lighter=True, threshold=self.threshold)


def rotation_pick(
    advisor: RotationAdvisor, decided_severity: int, target: int, candidates: Iterable[tuple[int, int]]
) -> RotationChoice:
    """``advisor.next_row(decided_severity, target, candidates)``: ``(row to show, rotated?)``."""
    return advisor.next_row(decided_severity, target, candidates)
