from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from reviewer.demo import DemoSpec, build_demo, write_demo_source
from reviewer.models import Case, Channel, Item
from reviewer.storage.database import Database

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_same_seed_same_demo_other_seed_other_demo(tmp_path: Path) -> None:
    spec = DemoSpec(cases=60, seed=3, images=12)
    write_demo_source(tmp_path / "a", spec, NOW)
    write_demo_source(tmp_path / "b", spec, NOW)
    write_demo_source(tmp_path / "c", DemoSpec(cases=60, seed=4, images=12), NOW)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_demo_builds_a_varied_queue(db: Database) -> None:
    report = build_demo(db, DemoSpec(cases=300, seed=1, images=18), now=NOW)
    assert report.cases == 300 and report.media_files >= 18
    with db.read() as s:
        assert s.execute(select(func.count(func.distinct(Case.category)))).scalar_one() >= 8
        assert s.execute(select(func.count()).select_from(Channel)).scalar_one() >= 5
        assert set(s.execute(select(Case.priority).distinct()).scalars()) == {1, 2, 3, 4}
        kinds = set(s.execute(select(Item.kind).distinct()).scalars())
        assert {"image", "text"} <= kinds
        breached = s.execute(select(func.count()).where(Case.sla_deadline < NOW)).scalar_one()
        assert 0 < breached < 300


def test_demo_has_appeals_of_past_decisions(db: Database) -> None:
    from reviewer.models import Appeal, Decision

    build_demo(db, DemoSpec(cases=300, seed=1, images=6, history_days=3), now=NOW)
    with db.read() as s:
        appeals = s.execute(select(Appeal)).scalars().all()
        assert 1 <= len(appeals) <= 6
        for appeal in appeals:
            decision = s.get(Decision, appeal.original_decision_id)
            assert decision is not None and decision.action != "keep"
            assert s.get(Case, decision.case_id).status == "decided"  # type: ignore[union-attr]
