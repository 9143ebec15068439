"""The same figures on PostgreSQL: the views and queries are dialect-neutral (same history, same numbers)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reviewer.metrics import MetricsFilter, compute_metrics
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from tests.support.metrics_fixture import DAY, at, build_history

pytestmark = pytest.mark.postgres



def test_figures_match_sqlite(pg_db: Database, db: Database, pack: PolicyPack) -> None:
    build_history(pg_db, pack)
    build_history(db, pack)
    flt = MetricsFilter(DAY, DAY + timedelta(days=1))
    on_pg = compute_metrics(pg_db, flt, now=at(1, 12))
    on_sqlite = compute_metrics(db, flt, now=at(1, 12))
    for pg_table, lite_table in zip(on_pg.tables, on_sqlite.tables, strict=True):
        assert pg_table.rows == lite_table.rows, pg_table.name
    assert on_pg.table("throughput_day").rows[0] == (DAY.isoformat(), 5)
    media = compute_metrics(pg_db, MetricsFilter(DAY, DAY, channel="media"), now=at(1, 12))
    assert media.table("flow").rows == ((DAY.isoformat(), 2, 1),)
