"""The rollups give the same figures as the direct SQL over the views (kept as the reference), after an
incremental refresh with late rows (an older ``created_at`` inserted later, an undo of a folded
decision) as after a full rebuild, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from reviewer.metrics import (
    MetricsFilter,
    exposure,
    flow,
    handle_time,
    overturns,
    rolled,
    rollup,
    sla,
    volume,
)
from reviewer.metrics.rollup import categories_with_cases, rebuild_rollups, refresh_rollups
from reviewer.models import Case, Decision, table_of
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from tests.support.metrics_fixture import DAY, build_history

FAMILIES = (
    (volume.throughput_by_day, rolled.throughput_by_day), (volume.throughput_by_hour, rolled.throughput_by_hour),
    (handle_time.handle_time, rolled.handle_time), (sla.sla_by_channel, rolled.sla_by_channel),
    (sla.sla_by_priority, rolled.sla_by_priority), (volume.mix_by_action, rolled.mix_by_action),
    (volume.mix_by_policy, rolled.mix_by_policy), (overturns.overturns_by_policy, rolled.overturns_by_policy),
    (flow.flow_by_day, rolled.flow_by_day), (exposure.exposure_by_day, rolled.exposure_by_day),
    (flow.backlog_age, rolled.backlog_age),
)  # fmt: skip
FILTERS = (
    MetricsFilter(DAY - timedelta(days=2), DAY + timedelta(days=2)),
    MetricsFilter(DAY, DAY, channel="media"),
    MetricsFilter(DAY, DAY + timedelta(days=1), channel="partner"),
)


def _same(db: Database) -> None:
    for flt in FILTERS:
        for reference, fast in FAMILIES:
            want, got = reference(db, flt), fast(db, flt)
            assert _rounded(got.rows) == _rounded(want.rows), (got.name, flt, want.rows, got.rows)


def _rounded(rows: tuple[tuple[object, ...], ...]) -> list[tuple[object, ...]]:
    return [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows]


def _late_rows(db: Database) -> None:
    """A copy of the newest final decision dated two days earlier (as a sync pull may bring), and an undo
    of a decision folded by an earlier refresh."""
    d = table_of(Decision)
    with db.write() as s:
        rows = [dict(r._mapping) for r in s.execute(select(d).order_by(d.c.created_at))]
        final = next(r for r in reversed(rows) if r["action"] in ("keep", "remove") and not r["reverses_id"])
        undone = {r["reverses_id"] for r in rows}
        target = next(r for r in rows if r["action"] in ("keep", "remove") and r["id"] not in undone
                      and r["id"] != final["id"])  # fmt: skip
        s.execute(
            insert(d).values(
                {**final, "id": uuid.uuid4(), "created_at": final["created_at"] - timedelta(days=2)}
            )
        )
        s.execute(insert(d).values({**target, "id": uuid.uuid4(), "action": "undo", "policy_code": None,
                                    "reverses_id": target["id"], "created_at": target["created_at"] + timedelta(hours=1)}))  # fmt: skip


def _cases(db: Database) -> list[Case]:
    with db.read() as s:
        return list(s.scalars(select(Case)))


def _check(db: Database, pack: PolicyPack) -> None:
    build_history(db, pack)
    assert refresh_rollups(db) > 0
    _same(db)
    assert refresh_rollups(db) == 0  # nothing new: nothing folded twice
    _same(db)
    _late_rows(db)
    assert refresh_rollups(db) == 2
    _same(db)
    incremental = [fast(db, f).rows for f in FILTERS for _r, fast in FAMILIES]
    assert categories_with_cases(db) == sorted({c.category for c in _cases(db)})
    rebuild_rollups(db)
    assert [fast(db, f).rows for f in FILTERS for _r, fast in FAMILIES] == incremental


@pytest.mark.parametrize("chunk", [50_000, 3, 1])
def test_rollups_match_direct_sql_sqlite(db: Database, pack: PolicyPack, chunk: int, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Small chunks put an undo and its target in different write transactions."""
    monkeypatch.setattr(rollup, "CHUNK", chunk)
    _check(db, pack)



@pytest.mark.postgres
def test_rollups_match_direct_sql_postgres(pg_db: Database, pack: PolicyPack) -> None:
    _check(pg_db, pack)
