from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from reviewer.clock import ManualClock
from reviewer.models import Item, ReviewSession
from reviewer.storage.database import Database
from reviewer.wellbeing.exposure import DAY_REST, ExposureLedger, ExposureTotals
from reviewer.wellbeing.severity import item_severity, weighted_exposure


@pytest.mark.parametrize(
    ("severity", "score", "weight"),
    [
        (1, None, 0.5),
        (3, None, 1.5),
        (5, None, 2.5),
        (5, 1.0, 3.0),
        (1, 0.0, 0.5),
        (4, 0.5, 2.2),
        (9, None, 2.5),
    ],
)
def test_item_severity_formula(severity: int, score: float | None, weight: float) -> None:
    assert item_severity(severity, score) == pytest.approx(weight)


def test_classifier_never_lowers_the_policy_weight() -> None:
    assert item_severity(3, 0.0) == item_severity(3, None)
    assert item_severity(3, float("nan")) == item_severity(3, None)
    assert item_severity(3, 7.0) == item_severity(3, 1.0)


def test_weighted_exposure() -> None:
    assert weighted_exposure(10.0, 2.5) == 25.0
    assert weighted_exposure(-3.0, 2.5) == 0.0


def _setup(db: Database, reviewer_row, make_cases) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    (case_id,) = make_cases(1)
    with db.write() as s:
        rs = ReviewSession(reviewer_id=reviewer_row.id)
        s.add(rs)
        s.flush()
        item = s.query(Item).filter_by(case_id=case_id).first()
        return case_id, item.id, rs.id


def test_reveals_sum_raw_and_weighted_seconds(db, reviewer_row, make_cases) -> None:
    case_id, item_id, sid = _setup(db, reviewer_row, make_cases)
    clock = ManualClock()
    ledger = ExposureLedger(db, reviewer_row.id, clock, session_id=sid)
    ledger.record_reveal(case_id, item_id, "hold", clock.now(), 4000, 2.5)
    clock.advance(10)
    ledger.record_reveal(case_id, None, "toggle", clock.now(), 6000, 0.5)
    clock.advance(10)
    expected = ExposureTotals(seconds=10.0, weighted=13.0, reveals=2)
    assert ledger.last_hour() == expected
    assert ledger.today() == expected
    assert ledger.session_total(sid) == expected
    assert ledger.session_total(uuid.uuid4()) == ExposureTotals()


def test_rolling_hour_drops_a_reveal_an_hour_after_it_ended(db, reviewer_row, make_cases) -> None:
    case_id, item_id, _ = _setup(db, reviewer_row, make_cases)
    clock = ManualClock()
    ledger = ExposureLedger(db, reviewer_row.id, clock)
    ledger.record_reveal(case_id, item_id, "hold", clock.now(), 60_000, 2.0)  # ends at +60 s
    clock.advance(60 + 3599)
    assert ledger.last_hour().weighted == 120.0
    clock.advance(1)  # exactly one hour after it ended
    assert ledger.last_hour() == ExposureTotals()
    assert ledger.today().weighted == 120.0


def test_hour_clears_when_enough_reveals_have_rolled_out(db, reviewer_row, make_cases) -> None:
    case_id, item_id, _ = _setup(db, reviewer_row, make_cases)
    clock = ManualClock()
    start = clock.now()
    ledger = ExposureLedger(db, reviewer_row.id, clock)
    for _ in range(3):  # 3 reveals of 100 weighted s, ending at +100, +700, +1300
        ledger.record_reveal(case_id, item_id, "hold", clock.now(), 100_000, 1.0)
        clock.advance(600)
    assert ledger.last_hour().weighted == 300.0
    assert ledger.hour_clears_at(1000) == clock.now()
    assert ledger.hour_clears_at(250) == start + timedelta(seconds=100) + timedelta(hours=1)
    assert ledger.hour_clears_at(150) == start + timedelta(seconds=700) + timedelta(hours=1)


def test_working_day_starts_after_a_rest(db, reviewer_row, make_cases) -> None:
    case_id, item_id, _ = _setup(db, reviewer_row, make_cases)
    clock = ManualClock()
    ledger = ExposureLedger(db, reviewer_row.id, clock)
    ledger.record_reveal(case_id, item_id, "hold", clock.now(), 10_000, 1.0)
    clock.advance(7 * 3600)  # a shorter gap: same working day
    ledger.record_reveal(case_id, item_id, "hold", clock.now(), 10_000, 1.0)
    clock.advance(10)
    assert ledger.today().reveals == 2
    assert ledger.day_clears_at() == clock.now() + DAY_REST
    clock.advance(DAY_REST.total_seconds())
    assert ledger.today() == ExposureTotals()
    ledger.record_reveal(case_id, item_id, "hold", clock.now(), 5_000, 2.0)
    clock.advance(5)
    assert ledger.today() == ExposureTotals(5.0, 10.0, 1)


def test_totals_survive_a_restart(db, reviewer_row, make_cases) -> None:
    case_id, item_id, sid = _setup(db, reviewer_row, make_cases)
    clock = ManualClock()
    first = ExposureLedger(db, reviewer_row.id, clock, session_id=sid)
    first.record_reveal(case_id, item_id, "spotlight", clock.now(), 3000, 3.0)
    clock.advance(30)
    second = ExposureLedger(db, reviewer_row.id, clock, session_id=sid)
    assert second.last_hour() == first.last_hour() == ExposureTotals(3.0, 9.0, 1)
    assert second.today() == first.today()
    assert second.session_total() == first.session_total()


def test_bad_reveals_are_refused(db, reviewer_row, make_cases) -> None:
    case_id, item_id, _ = _setup(db, reviewer_row, make_cases)
    clock = ManualClock()
    ledger = ExposureLedger(db, reviewer_row.id, clock)
    with pytest.raises(ValueError, match="mode"):
        ledger.record_reveal(case_id, item_id, "peek", clock.now(), 10, 1.0)
    with pytest.raises(ValueError, match="cannot last"):
        ledger.record_reveal(case_id, item_id, "hold", clock.now(), -1, 1.0)
    assert ledger.last_hour() == ExposureTotals()
