"""The filters every figure takes: a date range (UTC days, both ends included), a channel, a category."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, column, table

from reviewer.models.types import UTCDateTime


@dataclass(frozen=True)
class MetricsFilter:
    start: date
    end: date
    channel: str | None = None
    category: str | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"the range ends ({self.end}) before it starts ({self.start})")

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(0), tzinfo=UTC)

    @property
    def until(self) -> datetime:
        """The first moment after the range (exclusive)."""
        return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=UTC)

    def days(self) -> list[str]:
        n = (self.end - self.start).days + 1
        return [(self.start + timedelta(days=i)).isoformat() for i in range(n)]


def view(name: str, *names: str, times: tuple[str, ...] = ()) -> Any:
    """A lightweight table construct over one of the views; ``times`` are its UTC datetime columns."""
    return table(name, *(column(n) for n in names), *(column(t, UTCDateTime()) for t in times))


def within(query: Select[Any], v: Any, flt: MetricsFilter, time_column: str) -> Select[Any]:
    """``query`` limited to the filter: ``time_column`` in the range, the channel and category if set."""
    conds: list[ColumnElement[bool]] = [v.c[time_column] >= flt.since, v.c[time_column] < flt.until]
    if flt.channel:
        conds.append(v.c.channel == flt.channel)
    if flt.category:
        conds.append(v.c.category == flt.category)
    return query.where(*conds)
