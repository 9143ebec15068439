"""How heavily one reveal weighs: policy severity, nudged up by the classifier's confidence.

The weight of an item is::

    base   = 0.5 * category_severity            # severity 1..5 (clamped) → 0.5, 1.0, 1.5, 2.0, 2.5
    factor = 1 + 0.2 * classifier_score          # score 0..1 (clamped) → 1.0..1.2; no score → 1.0
    weight = base * factor                       # 0.5 .. 3.0

A second of revealed severity-3 content with no classifier score counts 1.5 weighted seconds. The
classifier only ever raises the weight: imported scores may be wrong, and a low score must not make
harmful content count as less than its policy severity says.

The same policy severity (1..5, :meth:`reviewer.policy.PolicyPack.severity_for` of the case's category)
and the case's classifier score drive what the preview warns about (:meth:`RevealRules.assess`):

- ``LIKELY`` "severe content likely": policy severity at or above ``warnings.severe_from`` *and* a
  classifier score at or above ``warnings.likely_score``. Only a score can back a "likely" claim.
- ``CATEGORY``: a severe category with no usable classifier score: the category warning only, and the
  line says there is no score.
- ``NONE``: a lighter category, or a score below the threshold (spam at 0.39 is not "severe likely").

:func:`needs_reveal_confirmation` asks for a second, confirming press from ``display.confirm_reveal_severity``;
:meth:`RevealRules.confirms_decision` asks for a confirming key before keep or remove on severe content
(``LIKELY`` or ``CATEGORY``) that was never revealed, when ``warnings.confirm_unrevealed_decision`` is on.
:class:`RevealRules` holds the settings values, read from :class:`WellbeingSettings` in one place.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from reviewer.wellbeing.settings import WellbeingSettings

MIN_WEIGHT = 0.5
MAX_WEIGHT = 3.0
_PER_SEVERITY = 0.5
_CLASSIFIER_BOOST = 0.2

#: Cases at or above this policy severity open with the "severe content likely" warning.
SEVERE_WARNING_FROM = 4
#: ``display.confirm_reveal_severity`` shipped by default: reveals from this severity need confirming.
DEFAULT_CONFIRM_FROM = 5
#: ``warnings.likely_score`` shipped by default: the classifier score from which "likely" may be said.
DEFAULT_LIKELY_SCORE = 0.7
#: Actions that ask for a confirming key on never-revealed severe content (when the setting is on).
CONFIRMED_UNSEEN_ACTIONS: frozenset[str] = frozenset({"keep", "remove"})
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


def classifier_score(scores: Mapping[str, object] | None, category: str) -> float | None:
    """The classifier score that speaks for the case: its category's score, else the highest score.

    Imported scores are hostile: only real numbers in [0, 1] count (no booleans, strings, NaN, infinities
    or percentages); a case with none has no score (``None``), and no "likely" claim can be made for it.
    """
    usable: dict[str, float] = {}
    for key, value in (scores or {}).items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        number = float(value)
        if math.isfinite(number) and 0.0 <= number <= 1.0:
            usable[key] = number
    if category in usable:
        return usable[category]
    return max(usable.values()) if usable else None


class WarningLevel(Enum):
    """What the warning line may claim about a case (see the module docstring)."""

    NONE = "none"
    CATEGORY = "category"
    LIKELY = "likely"


@dataclass(frozen=True)
class ContentWarning:
    """The assessment of one case: the level, and the figures the line shows."""

    level: WarningLevel
    severity: int
    score: float | None
    likely_score: float
    shown: bool  # the warning line shows it (``warnings.severe_warning``); confirmations apply regardless

    @property
    def severe(self) -> bool:
        """Severe content, likely or unscored: what a keep or remove on never-revealed media confirms."""
        return self.level is not WarningLevel.NONE


@dataclass(frozen=True)
class RevealRules:
    """The reviewer's warning and confirmation thresholds, as the preview and the decision flow apply them."""

    confirm_from: int = DEFAULT_CONFIRM_FROM
    severe_warning: bool = True
    severe_from: int = SEVERE_WARNING_FROM
    likely_score: float = DEFAULT_LIKELY_SCORE
    confirm_unrevealed_decision: bool = False

    @classmethod
    def from_settings(cls, settings: WellbeingSettings) -> RevealRules:
        """Read the ``display.confirm_reveal_severity`` and ``warnings.*`` settings."""
        return cls(
            confirm_from=int(settings.get("display.confirm_reveal_severity")),
            severe_warning=bool(settings.get("warnings.severe_warning")),
            severe_from=int(settings.get("warnings.severe_from")),
            likely_score=float(settings.get("warnings.likely_score")),
            confirm_unrevealed_decision=bool(settings.get("warnings.confirm_unrevealed_decision")),
        )

    def warns(self, severity: int) -> bool:
        """:func:`needs_content_warning` with these settings (the policy-severity half of the rule)."""
        return needs_content_warning(severity, enabled=self.severe_warning, warn_from=self.severe_from)

    def assess(self, severity: int, score: float | None) -> ContentWarning:
        """The warning for a case of this policy severity and classifier score (from :func:`classifier_score`)."""
        if severity < self.severe_from:
            level = WarningLevel.NONE
        elif score is None:
            level = WarningLevel.CATEGORY
        elif score >= self.likely_score:
            level = WarningLevel.LIKELY
        else:
            level = WarningLevel.NONE
        return ContentWarning(level, severity, score, self.likely_score, self.severe_warning)

    def confirms(self, severity: int) -> bool:
        """:func:`needs_reveal_confirmation` with these settings."""
        return needs_reveal_confirmation(severity, self.confirm_from)

    def confirms_decision(self, action: str, warning: ContentWarning, *, revealed: bool, has_media: bool) -> bool:
        """Whether ``action`` on this case needs a confirming key first: keep or remove, severe content, media
        never revealed, and ``warnings.confirm_unrevealed_decision`` on."""
        return (
            self.confirm_unrevealed_decision
            and action in CONFIRMED_UNSEEN_ACTIONS
            and warning.severe
            and has_media
            and not revealed
        )
