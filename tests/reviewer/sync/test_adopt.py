"""A running app takes over the leases a checkout made for its reviewer on this workstation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from reviewer.audit import verify
from reviewer.identity import ensure_reviewer, start_session
from reviewer.leases import claim_case
from reviewer.models import Case
from reviewer.storage.database import Database
from reviewer.sync.adopt import adopt_leases


def _holder(db: Database, case_id: uuid.UUID) -> uuid.UUID | None:
    with db.read() as s:
        case = s.get(Case, case_id)
        assert case is not None
        return case.claimed_by


def test_the_running_session_takes_over_its_reviewers_leases_here(
    db: Database, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    ids = make_cases(3)
    me = ensure_reviewer(db, "tester")
    other = ensure_reviewer(db, "someone")
    running = start_session(db, me)  # the app, already open
    checkout = start_session(db, me)  # the checkout's session (as a pull brings it)
    theirs = start_session(db, other)
    assert claim_case(db, ids[0], checkout, lease=timedelta(hours=4))
    assert claim_case(db, ids[1], checkout, lease=timedelta(hours=4))
    assert claim_case(db, ids[2], theirs, lease=timedelta(hours=4))

    assert adopt_leases(db, me, running) == 2
    assert [_holder(db, i) for i in ids] == [running, running, theirs]
    assert adopt_leases(db, me, running) == 0  # nothing left: nothing written
    report = verify(db)
    assert report.ok, report
