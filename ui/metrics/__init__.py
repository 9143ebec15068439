"""The metrics view (F9 and the palette): every figure family as a chart, its table one key (T) away."""

from ui.metrics.actions import ACTIONS, MetricsFeature, install

__all__ = ["ACTIONS", "MetricsFeature", "install"]
