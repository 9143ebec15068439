"""The review feature: the queue, the blurred preview, the policy panel and the decision loop."""

from ui.review.actions import ACTIONS, install
from ui.review.feature import ReviewFeature

__all__ = ["ACTIONS", "ReviewFeature", "install"]
