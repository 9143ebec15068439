"""How heavily one reveal weighs: policy severity, nudged up by the classifier's confidence.

The weight of an item is::

    base   = 0.5 * category_severity            # severity 1..5 (clamped) → 0.5, 1.0, 1.5, 2.0, 2.5
    factor = 1 + 0.2 * classifier_score          # score 0..1 (clamped) → 1.0..1.2; no score → 1.0
    weight = base * factor                       # 0.5 .. 3.0

A second of revealed severity-3 content with no classifier score counts 1.5 weighted seconds. The
classifier only ever raises the weight: imported scores may be wrong, and a low score must not make
harmful content count as less than its policy severity says.
"""

from __future__ import annotations

import math

MIN_WEIGHT = 0.5
MAX_WEIGHT = 3.0
_PER_SEVERITY = 0.5
_CLASSIFIER_BOOST = 0.2


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
