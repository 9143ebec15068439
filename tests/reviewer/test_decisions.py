from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from reviewer.decisions import DecisionError, claim_case, record_decision, release_claim, undo_last
from reviewer.models import Case, Decision, Reviewer
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database


def _case(db: Database, case_id: uuid.UUID) -> Case:
    with db.read() as s:
        return s.get(Case, case_id)  # type: ignore[return-value]


def test_remove_cites_a_policy_and_stores_the_pack_version(db, make_cases, reviewer_row, pack) -> None:
    (cid,) = make_cases(1)
    code = pack.for_category("violence")[0].code
    res = record_decision(
        db, case_id=cid, reviewer=reviewer_row, action="remove", policy_code=code, pack=pack
    )
    assert res.case_status == "decided"
    with db.read() as s:
        d = s.get(Decision, res.decision_id)
        assert d is not None and d.policy_code == code and d.policy_version == pack.version
        assert d.policy_pack_version_id is not None
    assert _case(db, cid).status == "decided"


@pytest.mark.parametrize("action", ["remove", "restrict", "suspend"])
def test_actions_that_need_a_policy_refuse_without_one(db, make_cases, reviewer_row, pack, action) -> None:
    (cid,) = make_cases(1)
    with pytest.raises(DecisionError, match="needs a policy code"):
        record_decision(db, case_id=cid, reviewer=reviewer_row, action=action, pack=pack)
    with db.read() as s:
        assert s.execute(select(Decision)).first() is None


def test_unknown_policy_code_and_disallowed_action_are_refused(db, make_cases, reviewer_row, pack) -> None:
    (cid,) = make_cases(1)
    with pytest.raises(DecisionError, match="not in pack"):
        record_decision(
            db, case_id=cid, reviewer=reviewer_row, action="remove", policy_code="NOPE-9", pack=pack
        )
    keep_only = next(s for s in pack.sections if s.actions == ("keep",))
    with pytest.raises(DecisionError, match="does not allow"):
        record_decision(
            db, case_id=cid, reviewer=reviewer_row, action="remove", policy_code=keep_only.code, pack=pack
        )


def test_undo_reverses_in_order_by_adding_rows(
    db, make_cases, reviewer_row: Reviewer, pack: PolicyPack
) -> None:
    a, b = make_cases(2)
    record_decision(db, case_id=a, reviewer=reviewer_row, action="keep")
    record_decision(db, case_id=b, reviewer=reviewer_row, action="escalate", rationale="needs tier 2")
    assert _case(db, b).status == "escalated" and _case(db, b).tier == 2
    first = undo_last(db, reviewer=reviewer_row, session_id=None)
    assert first is not None and first.case_id == b and first.case_status == "open"
    assert _case(db, b).tier == 1
    second = undo_last(db, reviewer=reviewer_row, session_id=None)
    assert second is not None and second.case_id == a
    assert undo_last(db, reviewer=reviewer_row, session_id=None) is None
    with db.read() as s:
        rows = list(s.execute(select(Decision.action)).scalars())
    assert sorted(rows) == ["escalate", "keep", "undo", "undo"]  # nothing deleted or edited


def test_note_leaves_status_and_skip_sets_skipped(db, make_cases, reviewer_row) -> None:
    (cid,) = make_cases(1)
    record_decision(db, case_id=cid, reviewer=reviewer_row, action="note", note="check account history")
    assert _case(db, cid).status == "open"
    record_decision(db, case_id=cid, reviewer=reviewer_row, action="skip")
    assert _case(db, cid).status == "skipped"


def test_a_claim_is_exclusive_until_released(db, make_cases, reviewer_row) -> None:
    (cid,) = make_cases(1)
    other = uuid.uuid4()
    assert claim_case(db, cid, reviewer_row.id)
    assert claim_case(db, cid, reviewer_row.id)  # renewing one's own lease
    assert not claim_case(db, cid, other)
    release_claim(db, cid, reviewer_row.id)
    assert claim_case(db, cid, other)


def test_the_rationale_is_stored_on_the_decision_and_audited(db, make_cases, reviewer_row, pack) -> None:
    from reviewer.audit import verify

    (cid,) = make_cases(1)
    res = record_decision(
        db, case_id=cid, reviewer=reviewer_row, action="keep", rationale="  satire, clearly labelled\n"
    )
    with db.read() as s:
        d = s.get(Decision, res.decision_id)
        assert d is not None and d.rationale == "satire, clearly labelled" and d.bulk_id is None
    assert verify(db).ok
    from reviewer.exporting import iter_decisions

    (exported,) = iter_decisions(db)
    assert (exported["rationale"], exported["to_tier"], exported["bulk_id"]) == (
        "satire, clearly labelled",
        "",
        "",
    )
    with db.write() as s:
        s.get(Decision, res.decision_id).rationale = "edited later"  # type: ignore[union-attr]
    broken = verify(db)
    assert not broken.ok and "differs from its audit record (rationale)" in str(broken.problem)


def test_a_section_requiring_a_rationale_refuses_a_decision_without_one(
    db, make_cases, reviewer_row, pack
) -> None:
    from dataclasses import replace

    strict = replace(pack, sections=tuple(replace(s, rationale_required=True) for s in pack.sections))
    code = strict.sections_allowing("remove")[0].code
    (cid,) = make_cases(1)
    for blank in ("", "  \n "):
        with pytest.raises(DecisionError, match=f"^{code} requires a rationale with 'remove'"):
            record_decision(
                db,
                case_id=cid,
                reviewer=reviewer_row,
                action="remove",
                policy_code=code,
                pack=strict,
                rationale=blank,
            )
    with db.read() as s:
        assert s.execute(select(Decision)).first() is None  # refused inside record_decision: nothing written
    assert _case(db, cid).status == "open"
    record_decision(
        db,
        case_id=cid,
        reviewer=reviewer_row,
        action="remove",
        policy_code=code,
        pack=strict,
        rationale="the account posts this daily",
    )
    assert _case(db, cid).status == "decided"


def test_an_escalation_goes_to_its_target_tier_with_its_reason(db, make_cases, reviewer_row, pack) -> None:
    a, b = make_cases(2)
    res = record_decision(
        db, case_id=a, reviewer=reviewer_row, action="escalate", to_tier=3, rationale="possible CSAM ring"
    )
    assert res.case_status == "escalated" and _case(db, a).tier == 3
    with db.read() as s:
        d = s.get(Decision, res.decision_id)
        assert d is not None and (d.to_tier, d.rationale, d.tier) == (3, "possible CSAM ring", 1)
    for bad in (1, 4):
        with pytest.raises(DecisionError, match="goes to a higher tier, at most 3"):
            record_decision(db, case_id=b, reviewer=reviewer_row, action="escalate", rationale="needs tier 2", to_tier=bad)
    with pytest.raises(DecisionError, match="only an escalation has a target tier"):
        record_decision(db, case_id=b, reviewer=reviewer_row, action="keep", to_tier=2)
    assert _case(db, b).tier == 1
    from reviewer.decisions import check_escalation

    with pytest.raises(DecisionError, match="already at tier 3, the highest"):
        check_escalation("escalate", None, 3)
    undo_last(db, reviewer=reviewer_row, session_id=None)
    assert _case(db, a).tier == 1 and _case(db, a).status == "open"
