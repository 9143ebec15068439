"""How heavily one reveal weighs: policy severity, nudged up by the classifier's confidence.

The weight of an item is::

    base   = 0.5 * category_severity            # severity 1..5 (clamped) → 0.5, 1.0, 1.5, 2.0, 2.5
    factor = 1 + 0.2 * classifier_score          # score 0..1 (clamped) → 1.0..1.2; no score → 1.0
    weight = base * factor                       # 0.5 .. 3.0

A second of revealed severity-3 content with no classifier score counts 1.5 weighted seconds. The
classifier only ever raises the weight: imported scores may be wrong, and a low score must not make
harmful content count as less than its policy severity says.

The same policy severity (1..5, :meth:`reviewer.policy.PolicyPack.severity_for` of the case's category)
drives what the preview warns about: :func:`needs_content_warning` (the "severe content likely" warning,
from :data:`SEVERE_WARNING_FROM`, if ``warnings.severe_warning`` is on) and
:func:`needs_reveal_confirmation` (a second, confirming press from ``display.confirm_reveal_severity``).
:class:`RevealRules` holds both settings values, read from :class:`WellbeingSettings` in one place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from reviewer.wellbeing.settings import WellbeingSettings

MIN_WEIGHT = 0.5
MAX_WEIGHT = 3.0
_PER_SEVERITY = 0.5
_CLASSIFIER_BOOST = 0.2

#: Cases at or above this policy severity open with the "severe content likely" warning.
SEVERE_WARNING_FROM = 4
#: ``display.confirm_reveal_severity`` shipped by default: reveals from this severity need confirming.
DEFAULT_CONFIRM_FROM = 5
#: Seconds within which the second, confirming reveal press must follow the first.
CONFIRM_WINDOW_S = 5.0


def item_severity(category_severity: int, classifier_score: float | None = None) -> float:
    """The exposure weight of an item, in [0.5, 3.0]; see the module docstring for the formula."""
    level = min(max(int(category_severity), 1), 5)
    base = _PER_SEVERITY * level
    if classifier_score is None or math.isnan(classifier_score):
        return base
    score = min(max(float(classifier_score), 0.0), 1.0)
    return base * (1.0 + _CLASSIFIER_BOOST * score)


def weighted_exposure(duration_s: float, severity: float) -> float:
    """Weighted seconds: time on screen times the item's weight (negative durations count as zero)."""
    return max(0.0, duration_s) * max(0.0, severity)


def needs_content_warning(
    severity: int, *, enabled: bool = True, warn_from: int = SEVERE_WARNING_FROM
) -> bool:
    """Whether a case of this policy severity opens with the severe-content warning.

    ``enabled`` is the ``warnings.severe_warning`` setting; the classifier score plays no part (a low
    score must not hide a warning the policy severity calls for).
    """
    return enabled and severity >= warn_from


def needs_reveal_confirmation(severity: int, confirm_from: int = DEFAULT_CONFIRM_FROM) -> bool:
    """Whether revealing an item of this policy severity needs a second, confirming press.

    ``confirm_from`` is the ``display.confirm_reveal_severity`` setting (6 means never).
    """
    return severity >= confirm_from


@dataclass(frozen=True)
class RevealRules:
    """The reviewer's warning and confirmation thresholds, as the preview applies them."""

    confirm_from: int = DEFAULT_CONFIRM_FROM
    severe_warning: bool = True

    @classmethod
    def from_settings(cls, settings: WellbeingSettings) -> RevealRules:
        """Read ``display.confirm_reveal_severity`` and ``warnings.severe_warning``."""
        return cls(
            confirm_from=int(settings.get("display.confirm_reveal_severity")),
            severe_warning=bool(settings.get("warnings.severe_warning")),
        )

    def warns(self, severity: int) -> bool:
        """:func:`needs_content_warning` with these settings."""
        return needs_content_warning(severity, enabled=self.severe_warning)

    def confirms(self, severity: int) -> bool:
        """:func:`needs_reveal_confirmation` with these settings."""
        return needs_reveal_confirmation(severity, self.confirm_from)
