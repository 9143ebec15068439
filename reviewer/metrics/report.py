"""Every figure family for one filter, in the order the view and the workbook show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reviewer.metrics.agreement import agreement_tables
from reviewer.metrics.filters import MetricsFilter
from reviewer.metrics.rolled import (
    backlog_age,
    exposure_by_day,
    flow_by_day,
    handle_time,
    mix_by_action,
    mix_by_policy,
    overturns_by_policy,
    sla_by_channel,
    sla_by_priority,
    throughput_by_day,
    throughput_by_hour,
)
from reviewer.metrics.rollup import refresh_rollups
from reviewer.metrics.table import Table
from reviewer.storage.database import Database


@dataclass(frozen=True)
class MetricsReport:
    filter: MetricsFilter
    tables: tuple[Table, ...]

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


def compute_metrics(db: Database, flt: MetricsFilter, now: datetime | None = None) -> MetricsReport:
    """All figures, read from the rollups after folding the rows added since the last call (run it on the
    db-read worker in the app: the first refresh of a large database takes a while)."""
    refresh_rollups(db)
    tables = (
        throughput_by_day(db, flt),
        throughput_by_hour(db, flt),
        handle_time(db, flt),
        sla_by_channel(db, flt),
        sla_by_priority(db, flt),
        mix_by_action(db, flt),
        mix_by_policy(db, flt),
        overturns_by_policy(db, flt),
        flow_by_day(db, flt),
        backlog_age(db, flt, now),
        exposure_by_day(db, flt),
        *agreement_tables(db, flt),
    )
    return MetricsReport(flt, tables)


def channels_and_categories(db: Database) -> tuple[list[str], list[str]]:
    """The filter choices: every channel code and every category that has cases."""
    from sqlalchemy import select

    from reviewer.metrics.rollup import categories_with_cases
    from reviewer.models import Channel

    with db.read() as s:
        channels = [c for (c,) in s.execute(select(Channel.code).order_by(Channel.code))]
    return channels, categories_with_cases(db)
