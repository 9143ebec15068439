"""Exposure per day against the daily cap: severity-weighted seconds of revealed content (``v_exposure``).

Exposure belongs to reviewers, not cases, so the channel and category filters do not apply. The cap is
the organisation's floor for ``exposure.cap_day_seconds`` (a reviewer may set a lower one).
"""

from __future__ import annotations

from sqlalchemy import func, select

from reviewer.metrics.filters import MetricsFilter, view
from reviewer.metrics.table import Column, Table
from reviewer.storage.database import Database
from reviewer.wellbeing.settings import spec

EXPOSURE = view("v_exposure", "reviewer_id", "day", "reveals", "seconds", "weighted_seconds")


def day_cap_seconds() -> float:
    return float(spec("exposure.cap_day_seconds").default)


def exposure_by_day(db: Database, flt: MetricsFilter) -> Table:
    v = EXPOSURE
    days = flt.days()
    q = (
        select(v.c.day, func.sum(v.c.reveals), func.sum(v.c.weighted_seconds), func.max(v.c.weighted_seconds))
        .where(v.c.day.between(days[0], days[-1]))
        .group_by(v.c.day)
    )
    with db.read() as s:
        got = {str(d): (int(r), float(w), float(m)) for d, r, w, m in s.execute(q)}
    cap = day_cap_seconds()
    rows = tuple((day, *got.get(day, (0, 0.0, 0.0)), cap) for day in days)
    return Table(
        "exposure", "Exposure per day (weighted seconds)",
        (Column("day", "date"), Column("reveals", "int"), Column("weighted_s", "seconds"),
         Column("max_reviewer_s", "seconds"), Column("day_cap_s", "seconds")),
        rows, chart="line", series=(3, 4),
    )  # fmt: skip
