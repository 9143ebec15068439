"""Rotation: after a run of severe cases, offer lighter work before the next severe one.

Advisory only: the queue still decides what exists; this picks which of the offered cases comes next.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

from reviewer.wellbeing.settings import WellbeingSettings

CaseKey = TypeVar("CaseKey", bound=Hashable)


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
