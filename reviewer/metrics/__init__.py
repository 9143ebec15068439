"""Metrics for analysts: figures computed by SQL aggregation over the schema-0008 views (no Qt).

``compute_metrics(db, MetricsFilter(...))`` returns every figure family as plain :class:`Table` values that
the metrics view draws, ``reviewer metrics`` writes to XLSX or CSV, and tests compare with hand-computed
numbers. Every query aggregates in the database (GROUP BY), so no table is ever loaded row by row.
"""

from reviewer.metrics.filters import MetricsFilter
from reviewer.metrics.report import MetricsReport, compute_metrics
from reviewer.metrics.table import Column, Table

__all__ = ["Column", "MetricsFilter", "MetricsReport", "Table", "compute_metrics"]
