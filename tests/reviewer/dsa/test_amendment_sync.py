"""A statement's hand-entered fields travel with the team sync (a record table) on a real PostgreSQL
server: written on one workstation with its decision, pushed, pulled by another, where the statement is
the same and every audit verifies."""

from __future__ import annotations

import pytest

from reviewer.audit import verify
from reviewer.decisions import record_decision
from reviewer.dsa.amend import amend, current
from reviewer.dsa.derive import statement_for
from reviewer.identity import ensure_reviewer
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from reviewer.sync.push import push
from tests.support import server_data as S
from tests.support.stations import Station

pytestmark = pytest.mark.postgres


def test_an_amendment_is_pushed_and_pulled_with_its_decision(
    server: Database, stations: tuple[Station, Station], pack: PolicyPack
) -> None:
    a, b = stations
    (case_id,) = S.add_cases(server, 1, channel="partner", images=0)
    with a:
        S.caught_up(a.db, server, source_id=a.id)
        me = ensure_reviewer(a.db, "alice")
        decision = record_decision(
            a.db, case_id=case_id, reviewer=me, action="remove", policy_code="CS-1", pack=pack
        )
        statement = statement_for(a.db, decision.decision_id)
        assert statement is not None and not statement.valid
        amend(a.db, decision.decision_id, {"illegal_content_explanation": "Depicts a minor."}, actor="alice")
        push(a.db, server, source_id=a.id)
    assert current(server, decision.decision_id) == {"illegal_content_explanation": "Depicts a minor."}
    with b:
        S.caught_up(b.db, server, source_id=b.id)
    assert current(b.db, decision.decision_id) == {"illegal_content_explanation": "Depicts a minor."}
    pulled = statement_for(b.db, decision.decision_id)
    assert pulled is not None and pulled.valid
    for db in (server, a.db, b.db):
        report = verify(db)
        assert report.ok, report
