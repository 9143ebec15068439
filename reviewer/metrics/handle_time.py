"""Handle time per action: median and 90th percentile, from a bounded histogram computed in SQL.

The database groups the decisions of the range into one-second buckets (``handle_ms / 1000``; everything
from :data:`CAP_S` seconds up falls in the last bucket), so at most ``CAP_S + 1`` rows per action come
back whatever the number of decisions, and the percentiles are read off the cumulative counts in Python.
They are exact to the second (a bucket's upper edge is reported), the same on SQLite and PostgreSQL (which
has ``percentile_cont`` but SQLite has none).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import case, func, literal

from reviewer.metrics.filters import MetricsFilter
from reviewer.metrics.table import Column, Table
from reviewer.metrics.volume import DECISIONS, _counted
from reviewer.storage.database import Database

CAP_S = 3600  # one hour: a longer handle time is an abandoned screen, counted in the last bucket


def percentile(histogram: dict[int, int], fraction: float) -> float | None:
    """The smallest bucket's upper edge (seconds) at or under which ``fraction`` of the counts fall."""
    total = sum(histogram.values())
    if total == 0:
        return None
    need, seen = fraction * total, 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen >= need:
            return float(bucket + 1)
    return float(max(histogram) + 1)


def handle_time(db: Database, flt: MetricsFilter) -> Table:
    v = DECISIONS
    bucket = case((v.c.handle_ms >= CAP_S * 1000, literal(CAP_S)), else_=v.c.handle_ms / 1000)
    q = _counted(flt, v.c.action, bucket.label("b"), func.count()).group_by(v.c.action, bucket)
    per_action: dict[str, dict[int, int]] = defaultdict(dict)
    overall: dict[int, int] = defaultdict(int)
    with db.read() as s:
        for action, b, n in s.execute(q):
            per_action[str(action)][int(b)] = int(n)
            overall[int(b)] += int(n)
    rows = [
        (name, sum(h.values()), percentile(h, 0.5), percentile(h, 0.9))
        for name, h in [("all", dict(overall)), *sorted(per_action.items())]
    ]
    return Table(
        "handle_time",
        "Handle time (seconds)",
        (Column("action"), Column("decisions", "int"), Column("median_s", "seconds"), Column("p90_s", "seconds")),
        tuple(rows),
        series=(2, 3),
    )
