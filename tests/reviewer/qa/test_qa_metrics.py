"""QA agreement (percent and Cohen's kappa, checked against a hand computation) and appeals in the
overturn figures, through ``compute_metrics`` (rollups) and the direct-SQL reference."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.appeals.importing import import_appeals
from reviewer.appeals.outcomes import OVERTURN, decide_appeal, list_appeals
from reviewer.clock import utcnow
from reviewer.decisions import record_decision
from reviewer.identity import ensure_reviewer
from reviewer.metrics import MetricsFilter, compute_metrics
from reviewer.metrics.agreement import cohen_kappa
from reviewer.metrics.overturns import overturns_by_policy
from reviewer.models import Case
from reviewer.policy import PolicyPack
from reviewer.qa.reviews import qa_queue, record_verdict
from reviewer.qa.sampling import set_rate
from reviewer.storage.database import Database


def test_kappa_against_a_hand_computed_value() -> None:
    # 10 pairs: (remove, remove) ×4, (keep, keep) ×3, (remove, keep) ×2, (keep, remove) ×1
    pairs = (
        [("remove", "remove")] * 4 + [("keep", "keep")] * 3 + [("remove", "keep")] * 2 + [("keep", "remove")]
    )
    # p_o = 7/10; first: remove 6, keep 4; second: remove 5, keep 5; p_e = (6·5 + 4·5)/100 = 0.5
    # κ = (0.7 − 0.5) / (1 − 0.5) = 0.4
    assert cohen_kappa(pairs) == pytest.approx(0.4)
    assert cohen_kappa([("keep", "keep")] * 3) is None  # chance agreement certain: undefined
    assert cohen_kappa([]) is None
    assert cohen_kappa([("keep", "remove"), ("remove", "keep")]) == pytest.approx(-1.0)


def test_agreement_per_policy_and_reviewer_in_the_metrics(
    db: Database, pack: PolicyPack, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    set_rate(db, 1.0, actor="test")
    ana, bo, sam = (ensure_reviewer(db, h) for h in ("ana", "bo", "sam"))
    cases = make_cases(4)
    plan = [
        (ana, "remove", "keep"),
        (ana, "remove", "remove"),
        (bo, "remove", "remove"),
        (bo, "remove", "remove"),
    ]
    for case_id, (who, first, _) in zip(cases, plan, strict=True):
        record_decision(db, case_id=case_id, reviewer=who, action=first, policy_code="VIO-1", pack=pack)
    by_case = {t.case_id: t.id for t in qa_queue(db, sam)}
    for case_id, (_, _, second) in zip(cases, plan, strict=True):
        record_verdict(
            db,
            by_case[case_id],
            reviewer=sam,
            action=second,
            policy_code=None if second == "keep" else "VIO-1",
            pack=pack,
        )
    today = utcnow().date()
    report = compute_metrics(db, MetricsFilter(today - timedelta(days=1), today))
    policy = {r[0]: r[1:] for r in report.table("qa_agreement_policy").rows}
    reviewer = {r[0]: r[1:] for r in report.table("qa_agreement_reviewer").rows}
    # VIO-1: 4 pairs, 3 agree; first all remove (p_e = 1·3/4 = 0.75) → κ = (0.75 − 0.75)/(0.25) = 0
    assert policy["VIO-1"] == (4, 3, 0.75, pytest.approx(0.0))
    assert reviewer["ana"][:3] == (2, 1, 0.5) and reviewer["bo"][:3] == (2, 2, 1.0)
    assert reviewer["bo"][3] is None  # both always "remove": κ undefined


def test_an_overturned_appeal_is_its_own_column_of_the_overturn_rate(
    db: Database, pack: PolicyPack, tmp_path: Path, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    ana, sam = ensure_reviewer(db, "ana"), ensure_reviewer(db, "sam")
    a, b = make_cases(2)
    for case_id in (a, b):
        record_decision(db, case_id=case_id, reviewer=ana, action="remove", policy_code="VIO-1", pack=pack)
    with db.read() as s:
        ext = s.execute(select(Case.external_id).where(Case.id == a)).scalar_one()
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"appeal_id": "X1", "case": ext, "statement": "s"}) + "\n", encoding="utf-8")
    import_appeals(db, path, actor="t")
    (appeal,) = list_appeals(db)
    decide_appeal(db, appeal.id, reviewer=sam, outcome=OVERTURN, action="keep", note="news", pack=pack)
    today = utcnow().date()
    flt = MetricsFilter(today - timedelta(days=1), today)
    rows = {r[0]: r[1:] for r in compute_metrics(db, flt).table("overturns").rows}
    # VIO-1: a and b decided, a overturned on appeal (not "undone"); the appeal's keep is not a decision of its own
    assert rows["VIO-1"] == (2, 0, 0, 1, 0.5)
    assert "(none)" not in rows  # the keep it wrote (no policy cited) is a follow-up, not counted
    assert overturns_by_policy(db, flt).rows == compute_metrics(db, flt).table("overturns").rows
