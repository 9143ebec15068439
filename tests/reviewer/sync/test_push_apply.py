"""Push and apply on a real PostgreSQL server: decisions land once, conflicts are kept, chains verify.

Two workstations are two data folders (each its own workstation id, so its own chain) with a SQLite
working copy holding the same cases as the server (seeded with the same ids, as a pull would).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from reviewer.audit import verify
from reviewer.clock import utcnow
from reviewer.conflicts import DecisionError, NotALead
from reviewer.decisions import record_decision, undo_last
from reviewer.identity import ensure_reviewer, set_role, start_session
from reviewer.leases import claim_case
from reviewer.models import AuditEvent, Case, Channel, Decision, Item, RevealEvent, SyncConflict
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from reviewer.sync.apply import ChainMismatch, apply_chain, source_head
from reviewer.sync.conflicts import keep_standing, list_conflicts, open_count, take_pushed
from reviewer.sync.push import push, waiting_decisions
from reviewer.sync.rows import BadEvent, event_values
from tests.support.stations import Station

pytestmark = pytest.mark.postgres

CHANNEL = uuid.UUID("00000000-0000-4000-8000-000000000001")


def _seed(db: Database, case_ids: list[uuid.UUID]) -> None:
    now = utcnow()
    with db.write() as session:
        if session.get(Channel, CHANNEL) is None:
            session.add(Channel(id=CHANNEL, code="partner", name="Partner"))
            session.flush()
        for n, case_id in enumerate(case_ids):
            session.add(
                Case(
                    id=case_id,
                    external_id=f"S-{case_id.hex[:10]}",
                    channel_id=CHANNEL,
                    category="violence",
                    priority=2,
                    sla_deadline=now + timedelta(hours=1, minutes=n),
                    report_text="",
                )
            )
            session.flush()
            session.add(
                Item(id=uuid.uuid5(case_id, "item"), case_id=case_id, kind="text", text="t", position=0)
            )


def _count(db: Database, model: type) -> int:
    with db.read() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar() or 0)


def _status(db: Database, case_id: uuid.UUID) -> str:
    with db.read() as s:
        found = s.get(Case, case_id)
        assert found is not None
        return found.status


def _all_ok(*dbs: Database) -> None:
    for db in dbs:
        report = verify(db)
        assert report.ok, report


def test_decisions_of_two_workstations_land_once_and_verify(
    server: Database, stations: tuple[Station, Station], pack: PolicyPack
) -> None:
    a, b = stations
    ids = [uuid.uuid4() for _ in range(6)]
    for db in (server, a.db, b.db):
        _seed(db, ids)
    with a:
        alice = ensure_reviewer(a.db, "alice")
        sa = start_session(a.db, alice)
        record_decision(a.db, case_id=ids[0], reviewer=alice, action="keep", session_id=sa)
        record_decision(
            a.db,
            case_id=ids[1],
            reviewer=alice,
            action="remove",
            policy_code="VIO-1",
            pack=pack,
            session_id=sa,
        )
        record_decision(
            a.db, case_id=ids[2], reviewer=alice, action="escalate", session_id=sa, rationale="threat"
        )
        assert waiting_decisions(a.db) == 3
        first = push(a.db, server)
        assert (first.events, first.decisions, first.conflicts) == (first.events, 3, 0)
        assert waiting_decisions(a.db) == 0
    with b:
        bob = ensure_reviewer(b.db, "bob")
        sb = start_session(b.db, bob)
        record_decision(b.db, case_id=ids[3], reviewer=bob, action="keep", session_id=sb)
        pushed = push(b.db, server)
        assert pushed.decisions == 1
        again = push(b.db, server)
    assert again.events == 0 and again.decisions == 0
    assert _count(server, Decision) == 4
    assert [_status(server, i) for i in ids[:4]] == ["decided", "decided", "escalated", "decided"]
    with server.read() as s:
        escalated = s.get(Case, ids[2])
        assert escalated is not None and escalated.tier == 2
    _all_ok(server, a.db, b.db)


def test_a_case_decided_on_both_keeps_both_decisions_and_lists_a_conflict(
    server: Database, stations: tuple[Station, Station]
) -> None:
    a, b = stations
    ids = [uuid.uuid4() for _ in range(2)]
    for db in (server, a.db, b.db):
        _seed(db, ids)
    with a:
        alice = ensure_reviewer(a.db, "alice")
        record_decision(
            a.db, case_id=ids[0], reviewer=alice, action="keep", session_id=start_session(a.db, alice)
        )
    with b:
        bob = ensure_reviewer(b.db, "bob")
        sb = start_session(b.db, bob)
        mine = record_decision(
            b.db, case_id=ids[0], reviewer=bob, action="escalate", rationale="needs tier 2", session_id=sb
        )
        record_decision(b.db, case_id=ids[1], reviewer=bob, action="keep", session_id=sb)
    with a:
        push(a.db, server)
    with b:
        report = push(b.db, server)
    assert (report.decisions, report.conflicts) == (2, 1)
    assert _status(server, ids[0]) == "decided" and _status(server, ids[1]) == "decided"
    with server.read() as s:
        conflict = s.execute(select(SyncConflict)).scalar_one()
        assert conflict.decision_id == mine.decision_id and conflict.case_id == ids[0]
        assert conflict.source_id == b.id and conflict.resolved_at is None
        assert s.get(Decision, mine.decision_id) is not None  # kept, not applied
    _all_ok(server)
    # Bob undoes his escalation on his workstation: the conflict is withdrawn, the case stays decided.
    with b:
        undo_last(b.db, reviewer=bob, session_id=None)  # the latest: his keep of ids[1]
        undo = undo_last(b.db, reviewer=bob, session_id=None)
        assert undo is not None and undo.reverses_id == mine.decision_id
        push(b.db, server)
    with server.read() as s:
        conflict = s.execute(select(SyncConflict)).scalar_one()
        assert conflict.resolution == "withdrawn" and conflict.resolved_at is not None
    assert _status(server, ids[0]) == "decided" and _status(server, ids[1]) == "open"
    _all_ok(server)


def test_a_decision_made_on_a_stale_tier_is_a_conflict(
    server: Database, stations: tuple[Station, Station]
) -> None:
    a, b = stations
    ids = [uuid.uuid4()]
    for db in (server, a.db, b.db):
        _seed(db, ids)
    with a:
        alice = ensure_reviewer(a.db, "alice")
        record_decision(
            a.db,
            case_id=ids[0],
            reviewer=alice,
            action="escalate",
            rationale="needs tier 2",
            session_id=start_session(a.db, alice),
        )
        push(a.db, server)
    with b:
        bob = ensure_reviewer(b.db, "bob")
        record_decision(
            b.db, case_id=ids[0], reviewer=bob, action="keep", session_id=start_session(b.db, bob)
        )
        assert push(b.db, server).conflicts == 1
    assert _status(server, ids[0]) == "escalated"
    _all_ok(server)


def test_claims_go_to_the_first_workstation_and_states_verify(
    server: Database, stations: tuple[Station, Station]
) -> None:
    a, b = stations
    ids = [uuid.uuid4()]
    for db in (server, a.db, b.db):
        _seed(db, ids)
    with a:
        alice = ensure_reviewer(a.db, "alice")
        sa = start_session(a.db, alice)
        assert claim_case(a.db, ids[0], sa)
        push(a.db, server)
    with b:
        bob = ensure_reviewer(b.db, "bob")
        sb = start_session(b.db, bob)
        assert claim_case(b.db, ids[0], sb)  # offline it cannot know
        push(b.db, server)
    with server.read() as s:
        case = s.get(Case, ids[0])
        assert case is not None and case.claimed_by == sa
    _all_ok(server, a.db, b.db)


def test_a_push_cut_short_resumes_without_duplicates(
    server: Database, stations: tuple[Station, Station]
) -> None:
    a, _ = stations
    ids = [uuid.uuid4() for _ in range(30)]
    for db in (server, a.db):
        _seed(db, ids)
    with a:
        alice = ensure_reviewer(a.db, "alice")
        sa = start_session(a.db, alice)
        for case_id in ids:
            record_decision(a.db, case_id=case_id, reviewer=alice, action="keep", session_id=sa)
        with a.db.read() as s:
            events = [
                event_values(r) for r in s.connection().execute(select(AuditEvent.__table__).order_by("seq"))
            ]
        apply_chain(server, events[:11], batch=5)  # as if the push were killed after three batches
        assert source_head(server, a.id)[0] == 11
        apply_chain(server, events[:11])  # a resend of what is there: nothing
        report = push(a.db, server, batch=7)
    assert report.chain.skipped == 0 and report.decisions == 30 - sum(
        1 for e in events[:11] if '"decision"' in e["payload"]
    )
    assert _count(server, Decision) == 30
    assert all(_status(server, i) == "decided" for i in ids)
    _all_ok(server)


def test_altered_gapped_or_foreign_chains_write_nothing(
    server: Database, stations: tuple[Station, Station]
) -> None:
    a, _ = stations
    ids = [uuid.uuid4() for _ in range(3)]
    for db in (server, a.db):
        _seed(db, ids)
    with a:
        alice = ensure_reviewer(a.db, "alice")
        sa = start_session(a.db, alice)
        for case_id in ids:
            record_decision(a.db, case_id=case_id, reviewer=alice, action="keep", session_id=sa)
        with a.db.read() as s:
            events = [
                event_values(r) for r in s.connection().execute(select(AuditEvent.__table__).order_by("seq"))
            ]
    altered = [dict(e) for e in events]
    altered[2]["payload"] = altered[2]["payload"].replace("keep", "remove")
    with pytest.raises(BadEvent):
        apply_chain(server, altered)
    with pytest.raises(ChainMismatch):
        apply_chain(server, events[2:])  # starts after a gap
    assert _count(server, AuditEvent) == 0 and _count(server, Decision) == 0
    apply_chain(server, events)
    _all_ok(server)


def test_reveals_are_pushed_once(server: Database, stations: tuple[Station, Station]) -> None:
    a, _ = stations
    ids = [uuid.uuid4()]
    for db in (server, a.db):
        _seed(db, ids)
    with a:
        alice = ensure_reviewer(a.db, "alice")
        sa = start_session(a.db, alice)
        with a.db.write() as s:
            for _ in range(3):
                s.add(
                    RevealEvent(
                        reviewer_id=alice.id, session_id=sa, case_id=ids[0], mode="hold", duration_ms=900
                    )
                )
        first = push(a.db, server)
        second = push(a.db, server)
    assert first.reveals == 3 and second.reveals == 0
    assert _count(server, RevealEvent) == 3


def _conflicted(server: Database, a: Station, b: Station) -> tuple[uuid.UUID, uuid.UUID]:
    """Case decided 'keep' by alice (applied) and 'remove' by bob (kept as a conflict)."""
    ids = [uuid.uuid4()]
    for db in (server, a.db, b.db):
        _seed(db, ids)
    with a:
        alice = ensure_reviewer(a.db, "alice")
        record_decision(
            a.db, case_id=ids[0], reviewer=alice, action="keep", session_id=start_session(a.db, alice)
        )
        push(a.db, server)
    with b:
        bob = ensure_reviewer(b.db, "bob")
        record_decision(
            b.db,
            case_id=ids[0],
            reviewer=bob,
            action="escalate",
            rationale="needs tier 2",
            session_id=start_session(b.db, bob),
        )
        push(b.db, server)
    (conflict,) = list_conflicts(server)
    return ids[0], conflict.id


def test_a_lead_keeps_the_standing_decision_or_takes_the_pushed_one(
    server: Database, stations: tuple[Station, Station], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = stations
    case_id, conflict_id = _conflicted(server, a, b)
    (row,) = list_conflicts(server)
    assert (row.pushed.action, row.pushed.handle) == ("escalate", "bob")
    assert row.standing is not None and (row.standing.action, row.standing.handle) == ("keep", "alice")
    lead_station = Station(tmp_path, "lead", monkeypatch)
    with lead_station:
        ensure_reviewer(server, "lena")
        lena = set_role(server, "lena", "lead", actor="admin")
        plain = ensure_reviewer(server, "pat")
        with pytest.raises(NotALead):
            take_pushed(server, conflict_id, lead=plain, reason="x")
        with pytest.raises(DecisionError):
            take_pushed(server, conflict_id, lead=lena, reason="  ")
        take_pushed(server, conflict_id, lead=lena, reason="credible threat: the escalation was right")
    assert open_count(server) == 0
    assert _status(server, case_id) == "escalated"
    (settled,) = list_conflicts(server, open_only=False)
    assert settled.resolution == "replaced"
    _all_ok(server)
    lead_station.db.dispose()


def test_keeping_the_standing_decision_changes_no_case(
    server: Database, stations: tuple[Station, Station], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = stations
    case_id, conflict_id = _conflicted(server, a, b)
    with Station(tmp_path, "lead", monkeypatch):
        ensure_reviewer(server, "lena")
        lena = set_role(server, "lena", "lead", actor="admin")
        keep_standing(server, conflict_id, lead=lena, reason="the keep was within policy")
        with pytest.raises(DecisionError):
            keep_standing(server, conflict_id, lead=lena, reason="again")
    assert _status(server, case_id) == "decided" and open_count(server) == 0
    _all_ok(server)


def test_a_case_imported_on_the_workstation_goes_to_the_server_with_its_decision(
    server: Database, stations: tuple[Station, Station]
) -> None:
    a, _ = stations
    shared, own = uuid.uuid4(), uuid.uuid4()
    _seed(server, [shared])
    _seed(a.db, [shared, own])
    with a:
        alice = ensure_reviewer(a.db, "alice")
        sa = start_session(a.db, alice)
        for case_id in (shared, own):
            record_decision(a.db, case_id=case_id, reviewer=alice, action="keep", session_id=sa)
        report = push(a.db, server)
    assert report.cases == 1 and report.decisions == 2
    assert _status(server, own) == "decided"
    with server.read() as s:
        assert s.execute(select(func.count()).select_from(Item).where(Item.case_id == own)).scalar() == 1
    _all_ok(server)
