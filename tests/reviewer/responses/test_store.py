"""Drafts, finalising and its rules, the response state of cases, and the audit of each write."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from reviewer.audit.verify import verify
from reviewer.clock import utcnow
from reviewer.decisions import record_decision
from reviewer.identity import ensure_reviewer
from reviewer.models import AuditEvent, Case, Response, Reviewer
from reviewer.policy import PolicyPack
from reviewer.queue import QueueFilter, fetch_page_responses, fetch_rows_responses
from reviewer.responses.states import response_cell, response_details, response_states
from reviewer.responses.store import ResponseError, finalise, responses_of, save_draft
from reviewer.storage.database import Database

MakeCases = Callable[..., list[uuid.UUID]]


def _due(db: Database, case_id: uuid.UUID, hours: float) -> None:
    with db.write() as s:
        case = s.get(Case, case_id)
        assert case is not None
        case.response_due_at = utcnow() + timedelta(hours=hours)


def _draft(db: Database, case_id: uuid.UUID, who: Reviewer, template: str = "partner-actioned") -> uuid.UUID:
    return save_draft(db, case_id=case_id, reviewer_id=who.id, template_id=template, subject="S", body="B").id


def _kinds(db: Database) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(AuditEvent.kind).order_by(AuditEvent.seq)))


def test_a_draft_is_saved_edited_and_audited(
    db: Database, make_cases: MakeCases, reviewer_row: Reviewer
) -> None:
    (case_id,) = make_cases(1)
    rid = _draft(db, case_id, reviewer_row)
    edited = save_draft(
        db,
        case_id=case_id,
        reviewer_id=reviewer_row.id,
        template_id="partner-no-violation",
        subject="New subject",
        body="<b>plain</b>",
        response_id=rid,
    )
    assert edited.id == rid and edited.status == "draft" and edited.body == "<b>plain</b>"
    assert [r.id for r in responses_of(db, case_id)] == [rid]
    assert _kinds(db)[-2:] == ["response.draft", "response.draft"]
    report = verify(db)
    assert report.ok, report.lines()


def test_drafts_are_refused_for_a_channel_without_templates_or_a_wrong_template(
    db: Database, make_cases: MakeCases, reviewer_row: Reviewer
) -> None:
    (quiet,) = make_cases(1, channel="user_report")
    with pytest.raises(ResponseError, match="expects no response"):
        _draft(db, quiet, reviewer_row)
    (case_id,) = make_cases(1)
    with pytest.raises(ResponseError, match="no response template 'media-actioned'"):
        _draft(db, case_id, reviewer_row, "media-actioned")
    with pytest.raises(ResponseError, match="subject"):
        save_draft(
            db,
            case_id=case_id,
            reviewer_id=reviewer_row.id,
            template_id="partner-actioned",
            subject=" ",
            body="",
        )
    with db.read() as s:
        assert s.scalars(select(Response)).first() is None


def test_finalising_needs_the_decision_the_template_expects(
    db: Database, make_cases: MakeCases, reviewer_row: Reviewer, pack: PolicyPack
) -> None:
    (case_id,) = make_cases(1)
    rid = _draft(db, case_id, reviewer_row)
    with pytest.raises(ResponseError, match="is open: the template 'partner-actioned' needs it decided"):
        finalise(db, rid, reviewer_id=reviewer_row.id)
    escalation = _draft(db, case_id, reviewer_row, "partner-escalated")
    record_decision(
        db,
        case_id=case_id,
        reviewer=reviewer_row,
        action="escalate",
        pack=pack,
        rationale="hand-off: policy team to look",
    )
    with pytest.raises(ResponseError, match="is escalated"):
        finalise(db, rid, reviewer_id=reviewer_row.id)
    done = finalise(db, escalation, reviewer_id=reviewer_row.id)
    assert done.status == "final" and done.finalised_at is not None and done.decision_id is not None
    with pytest.raises(ResponseError, match="already final"):
        finalise(db, escalation, reviewer_id=reviewer_row.id)
    with pytest.raises(ResponseError, match="can no longer be edited"):
        save_draft(db, case_id=case_id, reviewer_id=reviewer_row.id, template_id="partner-actioned",
                   subject="S", body="B", response_id=escalation)  # fmt: skip
    assert verify(db).ok


def test_a_second_final_response_must_supersede_the_first(
    db: Database, make_cases: MakeCases, reviewer_row: Reviewer, pack: PolicyPack
) -> None:
    (case_id,) = make_cases(1)
    record_decision(db, case_id=case_id, reviewer=reviewer_row, action="keep", pack=pack)
    first = finalise(
        db, _draft(db, case_id, reviewer_row, "partner-no-violation"), reviewer_id=reviewer_row.id
    )
    second = _draft(db, case_id, reviewer_row, "partner-no-violation")
    with pytest.raises(ResponseError, match="already has a final response .* must say it supersedes it"):
        finalise(db, second, reviewer_id=reviewer_row.id)
    with pytest.raises(ResponseError, match="already has a final response"):
        finalise(db, second, reviewer_id=reviewer_row.id, supersedes=uuid.uuid4())
    done = finalise(db, second, reviewer_id=reviewer_row.id, supersedes=first.id)
    assert done.supersedes_id == first.id
    statuses = {r.id: r.status for r in responses_of(db, case_id)}
    assert statuses == {first.id: "superseded", second: "final"}
    with db.read() as s:
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert last is not None and last.kind == "response.finalise"
    (other,) = make_cases(1)
    record_decision(db, case_id=other, reviewer=reviewer_row, action="keep", pack=pack)
    with pytest.raises(ResponseError, match="no final response on this case to supersede"):
        finalise(db, _draft(db, other, reviewer_row, "partner-no-violation"), reviewer_id=reviewer_row.id,
                 supersedes=first.id)  # fmt: skip
    assert verify(db).ok


def test_only_the_author_or_a_lead_changes_a_draft(
    db: Database, make_cases: MakeCases, reviewer_row: Reviewer, pack: PolicyPack
) -> None:
    (case_id,) = make_cases(1)
    rid = _draft(db, case_id, reviewer_row)
    other = ensure_reviewer(db, "someone-else")
    with pytest.raises(ResponseError, match="only its author or a lead"):
        save_draft(db, case_id=case_id, reviewer_id=other.id, template_id="partner-actioned", subject="X",
                   body="Y", response_id=rid)  # fmt: skip
    with db.write() as s:
        row = s.get(Reviewer, other.id)
        assert row is not None
        row.role = "lead"
    record_decision(
        db, case_id=case_id, reviewer=reviewer_row, action="remove", policy_code="VIO-1", pack=pack
    )
    assert finalise(db, rid, reviewer_id=other.id).status == "final"


def _four_states(
    db: Database, make_cases: MakeCases, reviewer_row: Reviewer, pack: PolicyPack
) -> list[uuid.UUID]:
    """Four cases: a response due in 3 h, one overdue, one answered (decided, final response), none."""
    due, late, answered, quiet = make_cases(4)
    _due(db, due, 3)
    _due(db, late, -1)
    _due(db, answered, -1)
    record_decision(db, case_id=answered, reviewer=reviewer_row, action="keep", pack=pack)
    finalise(db, _draft(db, answered, reviewer_row, "partner-no-violation"), reviewer_id=reviewer_row.id)
    return [due, late, answered, quiet]


def test_response_states_in_one_query(
    db: Database, make_cases: MakeCases, reviewer_row: Reviewer, pack: PolicyPack
) -> None:
    due, late, answered, quiet = _four_states(db, make_cases, reviewer_row, pack)
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with db.read() as s:
            states = response_states(s, [due, late, answered, quiet])
            details = response_details(s, [due])
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert states == {due: "due", late: "overdue", answered: "responded"}
    assert sum(1 for q in statements if "response_due_at" in q) == 2
    now = utcnow()
    assert response_cell(details[due], now) in ("due in 2h59m", "due in 3h00m", "due in 3h")
    assert response_cell(None, now) == "—"


def test_queue_pages_read_the_same_states_with_their_rows(
    db: Database, make_cases: MakeCases, reviewer_row: Reviewer, pack: PolicyPack
) -> None:
    """The queue's page read (``fetch_page_responses``: the states in the rows' own statement on SQLite)
    gives what ``response_details`` gives, for every status it reads."""
    due, late, answered, quiet = _four_states(db, make_cases, reviewer_row, pack)
    with db.read() as s:
        rows, states = fetch_page_responses(s, QueueFilter(statuses=("open", "decided")))
        expected = response_details(s, [r.id for r in rows])
    assert {due, late, answered, quiet} <= {r.id for r in rows}
    assert states == expected
    assert {k: v.state for k, v in states.items()} == {due: "due", late: "overdue", answered: "responded"}
    with db.read() as s:
        found, by_ids = fetch_rows_responses(s, [due, late, answered, quiet])
    assert set(found) == {due, late, answered, quiet} and by_ids == states
