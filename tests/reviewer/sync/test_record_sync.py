"""Record tables in the team sync (``reviewer.sync.records``), on a real PostgreSQL server.

A response (one of the feature record tables) is written on one workstation, pushed, pulled by another
whose queues do not hold its case (the case comes with it), edited on both: the newest edit wins on the
server and everywhere after a pull, an unpushed local edit is never overwritten, and every database's
audit verifies.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from reviewer.audit import verify
from reviewer.audit.chain import append_event
from reviewer.audit.snapshots import snapshot
from reviewer.clock import utcnow
from reviewer.models import Case, Response, table_of
from reviewer.storage.database import Database
from reviewer.sync.pull import pull
from reviewer.sync.push import push
from tests.support import server_data as S
from tests.support.stations import Station

pytestmark = pytest.mark.postgres

_responses = table_of(Response)


def _write(db: Database, values: dict[str, Any], *, new: bool) -> None:
    """An audited write of a response row, as a feature writes its records."""
    with db.write() as session:
        conn = session.connection()
        if new:
            conn.execute(insert(_responses).values(**values))
        else:
            conn.execute(update(_responses).where(_responses.c.id == values["id"]).values(**values))
        append_event(
            session,
            actor="test",
            kind="response.save",
            subject=str(values["id"]),
            rows={"response": [snapshot("response", values)]},
        )


def _row(db: Database, row_id: uuid.UUID) -> dict[str, Any] | None:
    with db.read() as session:
        found = session.execute(select(_responses).where(_responses.c.id == row_id)).first()
        return dict(found._mapping) if found is not None else None


def _ok(*dbs: Database) -> None:
    for db in dbs:
        report = verify(db)
        assert report.ok, report


def test_a_record_travels_with_its_case_and_the_newest_edit_wins(
    server: Database, stations: tuple[Station, Station]
) -> None:
    a, b = stations
    cases = S.add_cases(server, 2, channel="partner", images=0)
    alice = S.add_reviewer(server, "alice")
    with a:
        S.caught_up(a.db, server, source_id=a.id)
    start = utcnow()
    response = {
        "id": uuid.uuid4(),
        "case_id": cases[0],
        "reviewer_id": alice,
        "decision_id": None,
        "template_id": "partner-removed",
        "channel": "partner",
        "subject": "About your report",
        "body": "first draft",
        "status": "draft",
        "supersedes_id": None,
        "created_at": start,
        "updated_at": start,
        "finalised_at": None,
        "exported_at": None,
    }
    with a:
        _write(a.db, response, new=True)
        report = push(a.db, server, source_id=a.id)
    assert report.chain.records == 1
    assert (_row(server, response["id"]) or {})["body"] == "first draft"
    _ok(server, a.db)

    # B works another queue: the response still comes, and its case with it.
    with b:
        pulled = S.caught_up(b.db, server, source_id=b.id, queues=("media",))
    assert pulled.records == 1
    assert (_row(b.db, response["id"]) or {})["body"] == "first draft"
    with b.db.read() as session:
        assert session.get(Case, cases[0]) is not None and session.get(Case, cases[1]) is None
    _ok(b.db)

    # Both edit offline; A's edit is the older one but is pushed last: B's (newer) stays.
    older = dict(response, body="A's edit", updated_at=start + timedelta(minutes=1))
    newer = dict(response, body="B's edit", updated_at=start + timedelta(minutes=2))
    with b:
        _write(b.db, newer, new=False)
        push(b.db, server, source_id=b.id)
    with a:
        _write(a.db, older, new=False)
        push(a.db, server, source_id=a.id)
    assert (_row(server, response["id"]) or {})["body"] == "B's edit"
    _ok(server)
    with a:
        S.caught_up(a.db, server, source_id=a.id)
    assert (_row(a.db, response["id"]) or {})["body"] == "B's edit"
    _ok(a.db)

    # An edit not pushed yet is never overwritten by a pull.
    with b:
        _write(b.db, dict(newer, body="B's unpushed", updated_at=start + timedelta(minutes=3)), new=False)
    with a:
        _write(a.db, dict(newer, body="A's latest", updated_at=start + timedelta(minutes=4)), new=False)
        push(a.db, server, source_id=a.id)
    with b:
        pull(b.db, server, source_id=b.id)
        S.caught_up(b.db, server, source_id=b.id)
    assert (_row(b.db, response["id"]) or {})["body"] == "B's unpushed"
    with b:
        push(b.db, server, source_id=b.id)  # older than A's latest: the server keeps A's
        S.caught_up(b.db, server, source_id=b.id)
    assert (_row(server, response["id"]) or {})["body"] == "A's latest"
    assert (_row(b.db, response["id"]) or {})["body"] == "A's latest"
    _ok(server, a.db, b.db)


def test_an_investigation_goes_to_another_workstation_with_its_members_account_and_findings(
    server: Database, stations: tuple[Station, Station]
) -> None:
    from reviewer import investigations as inv
    from reviewer.models import Account, Reviewer

    a, b = stations
    cases = S.add_cases(server, 1, channel="partner", images=0)
    alice = S.add_reviewer(server, "alice")
    bob = S.add_reviewer(server, "bob")
    with server.read() as session:
        account = session.execute(select(Account)).scalar_one()
        platform, handle, server_account = account.platform, account.handle, account.id
    # B imported the same account on its own before it ever synced: another id for the same account.
    mine = uuid.uuid4()
    with b.db.write() as session:
        session.add(Account(id=mine, platform=platform, handle=handle, risk_flags=[], risk_score=0.1))
    with a:
        S.caught_up(a.db, server, source_id=a.id)
        with a.db.read() as session:
            me = session.get(Reviewer, alice)
            assert me is not None
            session.expunge(me)
        inv_id = inv.create_investigation(a.db, me, "Coordinated harassment")
        inv.add_case(a.db, me, inv_id, cases[0])
        inv.add_account(a.db, me, inv_id, server_account)
        inv.add_note(a.db, me, inv_id, "same wording across channels", case_id=cases[0])
        head = inv.get_investigation(a.db, inv_id)
        inv.save_findings(
            a.db,
            me,
            inv_id,
            inv.Findings("summary A", "high", "suspend", "none", "# Findings"),
            expected_updated_at=head.updated_at,
        )
        report = push(a.db, server, source_id=a.id)
    assert report.chain.records == 4  # the investigation (created, then its findings), 2 members, 1 note
    _ok(server, a.db)

    with b:
        S.caught_up(b.db, server, source_id=b.id, queues=("media",))
        seen = inv.get_investigation(b.db, inv_id)
        assert seen.findings.summary == "summary A"
        accounts = [m.account_id for m in seen.members if m.kind == "account"]
        assert accounts == [mine]  # mapped onto B's own row of the same account
        assert [m.case_id for m in seen.members if m.kind == "case"] == [cases[0]]
        assert [n.body for n in seen.notes] == ["same wording across channels"]
        with b.db.read() as session:
            reviewer_b = session.get(Reviewer, bob)
            assert reviewer_b is not None
            session.expunge(reviewer_b)
        inv.save_findings(
            b.db,
            reviewer_b,
            inv_id,
            inv.Findings("summary B", "high", "suspend", "", "# Findings (B)"),
            expected_updated_at=seen.updated_at,
        )
        push(b.db, server, source_id=b.id)
    with a:
        S.caught_up(a.db, server, source_id=a.id)
    assert inv.get_investigation(a.db, inv_id).findings.summary == "summary B"
    _ok(server, a.db, b.db)
