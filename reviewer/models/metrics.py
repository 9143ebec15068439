"""The metrics rollups (schema 0009): derived, plain tables (not audited, not synced), rebuilt at will by
``reviewer.metrics.rollup``. Keys are text codes so a rollup row reads the same on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Float, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from reviewer.models.base import Base
from reviewer.models.types import UTCDateTime


def _key() -> Mapped[str]:
    return mapped_column(String(64), primary_key=True)


def _count() -> Mapped[int]:
    return mapped_column(BigInteger, server_default="0")


class MetricsDecisionDay(Base):
    """Decisions per day, channel, category, action, policy: how many, how many undone, undo counts."""

    __tablename__ = "metrics_decision_day"
    day: Mapped[str] = _key()
    channel: Mapped[str] = _key()
    category: Mapped[str] = _key()
    action: Mapped[str] = _key()
    policy: Mapped[str] = _key()
    is_final: Mapped[int] = mapped_column(Integer, primary_key=True)
    is_override: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = _count()
    undone: Mapped[int] = _count()
    undo_plain: Mapped[int] = _count()
    undo_over: Mapped[int] = _count()


class MetricsDecisionHour(Base):
    __tablename__ = "metrics_decision_hour"
    day: Mapped[str] = _key()
    channel: Mapped[str] = _key()
    category: Mapped[str] = _key()
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = _count()


class MetricsHandle(Base):
    """The handle-time histogram: decisions per bucket (see ``reviewer.metrics.rollup_sql``)."""

    __tablename__ = "metrics_handle"
    day: Mapped[str] = _key()
    channel: Mapped[str] = _key()
    category: Mapped[str] = _key()
    action: Mapped[str] = _key()
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = _count()


class MetricsHandleAll(Base):
    """The same histogram over every channel and category: what the unfiltered view reads."""

    __tablename__ = "metrics_handle_all"
    day: Mapped[str] = _key()
    action: Mapped[str] = _key()
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = _count()


class MetricsCaseFirst(Base):
    """Each decided case's first final decision (moves earlier when an older one is pulled late)."""

    __tablename__ = "metrics_case_first"
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MetricsSla(Base):
    """Cases by deadline day and hour: how many, decided, met (decided by the deadline)."""

    __tablename__ = "metrics_sla"
    day: Mapped[str] = _key()
    channel: Mapped[str] = _key()
    category: Mapped[str] = _key()
    priority: Mapped[int] = mapped_column(Integer, primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    cases: Mapped[int] = _count()
    decided: Mapped[int] = _count()
    met: Mapped[int] = _count()


class MetricsFlow(Base):
    __tablename__ = "metrics_flow"
    day: Mapped[str] = _key()
    channel: Mapped[str] = _key()
    category: Mapped[str] = _key()
    inflow: Mapped[int] = _count()
    outflow: Mapped[int] = _count()


class MetricsExposure(Base):
    __tablename__ = "metrics_exposure"
    day: Mapped[str] = _key()
    reviewer_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    reveals: Mapped[int] = _count()
    weighted_ms: Mapped[float] = mapped_column(Float, server_default="0")


class MetricsFolded(Base):
    """PostgreSQL: the ids already folded, per source table."""

    __tablename__ = "metrics_folded"
    tbl: Mapped[str] = _key()
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
