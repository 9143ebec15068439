"""Every figure family against hand-computed values on the small history of tests/support/metrics_fixture."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reviewer.metrics import MetricsFilter, compute_metrics
from reviewer.metrics.handle_time import percentile
from reviewer.storage.database import Database
from tests.support.metrics_fixture import DAY, at, build_history

RANGE = MetricsFilter(DAY, DAY + timedelta(days=1))


@pytest.fixture
def report(db: Database, pack):  # type: ignore[no-untyped-def]
    build_history(db, pack)
    return compute_metrics(db, RANGE, now=at(1, 12))


def test_throughput(report) -> None:  # type: ignore[no-untyped-def]
    # D: A, B, C keep, C remove, D escalate = 5; D+1: E keep + the lead's remove = 2 (undos not counted)
    assert report.table("throughput_day").rows == ((DAY.isoformat(), 5), ((DAY + timedelta(days=1)).isoformat(), 2))
    hours = dict(report.table("throughput_hour").rows)
    assert (hours[8], hours[10], hours[7], hours[9]) == (1, 4, 1, 1)
    assert sum(hours.values()) == 7


def test_handle_time_percentiles(report) -> None:  # type: ignore[no-untyped-def]
    rows = {r[0]: r[1:] for r in report.table("handle_time").rows}
    # all: 12, 30, 5, 61, 8, 20, 0 (the lead's) → sorted 0 5 8 12 20 30 61: median 12 s → bucket 12 → 13
    assert rows["all"] == (7, 13.0, 62.0)
    assert rows["remove"] == (4, 13.0, 62.0)  # 12, 30, 61, 0 → median (2nd of 4) 12 → 13; p90 61 → 62
    assert percentile({}, 0.5) is None


def test_sla(report) -> None:  # type: ignore[no-untyped-def]
    by_channel = {r[0]: r[1:] for r in report.table("sla_channel").rows}
    assert by_channel["partner"] == (3, 2, 1, pytest.approx(2 / 3))  # A met, B breached, E met
    assert by_channel["media"] == (2, 1, 1, 0.5)  # C met, D undecided past due
    by_priority = {r[0]: r[1:] for r in report.table("sla_priority").rows}
    assert by_priority[2] == (2, 0, 2, 0.0)


def test_mix_and_overturns(report) -> None:  # type: ignore[no-untyped-def]
    assert dict(report.table("mix_action").rows) == {"remove": 4, "escalate": 1}
    assert dict(report.table("mix_policy").rows) == {"VIO-1": 3, "VIO-2": 1, "(none)": 1}
    over = {r[0]: r[1:] for r in report.table("overturns").rows}
    assert over["NV-0"] == (2, 1, 1, 0, 1.0)  # C's keep undone, E's keep overridden, none appealed
    assert over["VIO-1"] == (2, 0, 0, 0, 0.0)


def test_flow_backlog_and_exposure(report) -> None:  # type: ignore[no-untyped-def]
    assert report.table("flow").rows == ((DAY.isoformat(), 4, 3), ((DAY + timedelta(days=1)).isoformat(), 1, 1))
    backlog = dict(report.table("backlog_age").rows)
    assert backlog["1-3 d"] == 1 and sum(backlog.values()) == 1  # D, created 27 h before "now"
    exposure = report.table("exposure").rows
    assert exposure[0][:4] == (DAY.isoformat(), 2, 50.0, 30.0)  # 10 s × 2.0 + 30 s × 1.0; max bo 30


def test_filters(db: Database, pack) -> None:  # type: ignore[no-untyped-def]
    build_history(db, pack)
    media = compute_metrics(db, MetricsFilter(DAY, DAY, channel="media"), now=at(1, 12))
    assert media.table("throughput_day").rows == ((DAY.isoformat(), 3),)
    assert media.table("flow").rows == ((DAY.isoformat(), 2, 1),)
    spam = compute_metrics(db, MetricsFilter(DAY, DAY + timedelta(days=1), category="spam"))
    assert sum(n for _d, n in spam.table("throughput_day").rows) == 4
    with pytest.raises(ValueError):
        MetricsFilter(DAY, DAY - timedelta(days=1))
