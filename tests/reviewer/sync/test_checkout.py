"""Offline checkout (``reviewer.sync.checkout``): leases on a real PostgreSQL server, pulled and adopted."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.audit import verify
from reviewer.clock import utcnow
from reviewer.identity import ensure_reviewer, start_session
from reviewer.models import Case
from reviewer.paths import sqlite_url
from reviewer.queue import QueueFilter, fetch_page
from reviewer.storage.database import Database
from reviewer.storage.migrate import open_database
from reviewer.sync.checkout import CheckoutRefused, checkout
from reviewer.workstation import workstation_id
from tests.support import server_data as S

pytestmark = pytest.mark.postgres


@pytest.fixture
def second(tmp_path: Path) -> Iterator[Database]:
    db = open_database(sqlite_url(tmp_path / "ws2.sqlite3"))
    yield db
    db.dispose()


def _holders(db: Database, ids: tuple[uuid.UUID, ...]) -> set[uuid.UUID | None]:
    with db.read() as session:
        return set(session.execute(select(Case.claimed_by).where(Case.id.in_(ids))).scalars())


def test_checkout_leases_n_cases_in_queue_order_and_the_next_session_adopts_them(
    server: Database, db: Database
) -> None:
    later = S.add_cases(server, 3, priority=3)
    urgent = S.add_cases(server, 2, priority=1)
    S.add_reviewer(server, "alice")

    report = checkout(db, server, handle="alice", cases=2, hours=4, source_id=workstation_id())

    assert report.case_ids == tuple(urgent)
    assert report.pulled is not None
    S.caught_up(db, server, source_id=workstation_id())
    assert _holders(server, report.case_ids) == {report.session_id}
    assert _holders(db, report.case_ids) == {report.session_id}
    assert _holders(server, tuple(later)) == {None}

    mine = start_session(db, ensure_reviewer(db, "alice"))  # the app starting, later, offline
    assert _holders(db, report.case_ids) == {mine}
    with db.read() as session:
        shown = [row.id for row in fetch_page(session, QueueFilter())]
    assert shown[:2] == urgent
    assert verify(db).ok, verify(db)
    assert verify(server).ok, verify(server)


def test_a_second_workstation_gets_other_cases(server: Database, db: Database, second: Database) -> None:
    S.add_cases(server, 5)
    S.add_reviewer(server, "alice")
    S.add_reviewer(server, "bob")
    first = checkout(db, server, handle="alice", cases=2, hours=1, source_id=workstation_id())
    other = checkout(second, server, handle="bob", cases=2, hours=1, source_id=uuid.uuid4())
    assert not set(first.case_ids) & set(other.case_ids)
    assert len(other.case_ids) == 2
    assert verify(server).ok, verify(server)
    assert verify(second).ok, verify(second)


def test_expired_leases_are_taken_again(server: Database, db: Database, second: Database) -> None:
    S.add_cases(server, 2)
    S.add_reviewer(server, "alice")
    old = checkout(
        db,
        server,
        handle="alice",
        cases=2,
        hours=1,
        source_id=workstation_id(),
        now=utcnow() - timedelta(hours=3),
    )
    again = checkout(second, server, handle="alice", cases=2, hours=1, source_id=uuid.uuid4())
    assert set(again.case_ids) == set(old.case_ids)
    assert _holders(server, again.case_ids) == {again.session_id}
    assert verify(server).ok, verify(server)


def test_nothing_free_is_refused_in_one_line(server: Database, db: Database) -> None:
    S.add_cases(server, 1)
    S.add_reviewer(server, "alice")
    checkout(db, server, handle="alice", cases=5, hours=1, source_id=workstation_id())
    with pytest.raises(CheckoutRefused, match="no free case"):
        checkout(db, server, handle="alice", cases=1, hours=1, source_id=workstation_id())


@pytest.mark.parametrize(
    ("cases", "hours", "message"),
    [(0, 1, "number of cases"), (1, 0, "lease"), (1, 72.5, "lease"), (1, -2, "lease")],
)
def test_bad_requests_are_refused_before_the_server_is_asked(
    db: Database, cases: int, hours: float, message: str
) -> None:
    unreachable = Database("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(CheckoutRefused, match=message):
        checkout(db, unreachable, handle="alice", cases=cases, hours=hours, source_id=workstation_id())


def test_an_unknown_reviewer_is_refused(server: Database, db: Database) -> None:
    S.add_cases(server, 1)
    with pytest.raises(CheckoutRefused, match="no reviewer 'zed'"):
        checkout(db, server, handle="zed", cases=1, hours=1, source_id=workstation_id())
