"""A QA item travels the team sync: sampled on one workstation, decided blind on another, the verdict
back on the first; the same decision sampled on both is one row (its id comes from the decision's)."""

from __future__ import annotations

import pytest

from reviewer.audit import verify
from reviewer.decisions import record_decision
from reviewer.identity import ensure_reviewer
from reviewer.policy import PolicyPack
from reviewer.qa.reviews import list_items, qa_queue, record_verdict
from reviewer.qa.sampling import sample_new_decisions, set_rate
from reviewer.storage.database import Database
from reviewer.sync.push import push
from tests.support import server_data as S
from tests.support.stations import Station

pytestmark = pytest.mark.postgres


def test_a_qa_item_is_sampled_on_one_station_and_decided_on_another(
    server: Database, stations: tuple[Station, Station], pack: PolicyPack
) -> None:
    a, b = stations
    (case_id,) = S.add_cases(server, 1, channel="partner", images=0)
    S.add_reviewer(server, "ana")
    S.add_reviewer(server, "sam")
    with a:
        S.caught_up(a.db, server, source_id=a.id)
        ana = ensure_reviewer(a.db, "ana")
        set_rate(a.db, 1.0, actor="ana")
        record_decision(a.db, case_id=case_id, reviewer=ana, action="remove", policy_code="VIO-1", pack=pack)
        assert sample_new_decisions(a.db).sampled == 1
        push(a.db, server, source_id=a.id)
    with b:
        S.caught_up(b.db, server, source_id=b.id)
        assert sample_new_decisions(b.db).sampled == 0  # pulled already: the same row, not a second one
        sam = ensure_reviewer(b.db, "sam")
        (task,) = qa_queue(b.db, sam)
        record_verdict(b.db, task.id, reviewer=sam, action="remove", policy_code="VIO-1", pack=pack)
        push(b.db, server, source_id=b.id)
    with a:
        S.caught_up(a.db, server, source_id=a.id)
        (item,) = list_items(a.db)
    assert (item.status, item.second_reviewer) == ("agreed", "sam")
    for db in (server, a.db, b.db):
        assert verify(db).ok
