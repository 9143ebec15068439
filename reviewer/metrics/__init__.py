"""Metrics for analysts: figures computed by SQL aggregation over the schema-0008 views (no Qt).

``compute_metrics(db, MetricsFilter(...))`` returns every figure family as plain :class:`Table` values that
the metrics view draws, ``reviewer metrics`` writes to XLSX or CSV, and tests compare with hand-computed
numbers. The figures are read from small rollup tables (schema 0009, ``rolled``) that
``refresh_rollups(db)`` (``rollup``) folds incrementally, first thing in ``compute_metrics``; the direct
queries over the views (``volume``, ``handle_time``, ``sla``, ``overturns``, ``flow``, ``exposure``) stay as
the reference the tests compare the rollups with. Every query aggregates in the database (GROUP BY).
"""

from reviewer.metrics.filters import MetricsFilter
from reviewer.metrics.report import MetricsReport, compute_metrics
from reviewer.metrics.rollup import rebuild_rollups, refresh_rollups
from reviewer.metrics.table import Column, Table

__all__ = [
    "Column",
    "MetricsFilter",
    "MetricsReport",
    "Table",
    "compute_metrics",
    "rebuild_rollups",
    "refresh_rollups",
]
