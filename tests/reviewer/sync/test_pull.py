"""The pull (``reviewer.sync.pull``): a real PostgreSQL server schema into a SQLite working copy."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, select, text

from reviewer.audit import verify
from reviewer.clock import utcnow
from reviewer.leases import claim_case
from reviewer.media.store import MediaStore
from reviewer.models import AuditEvent, Case, Decision, Item, MediaBlob, table_of
from reviewer.storage.database import Database
from reviewer.sync.pull import pull, pulled_up_to
from reviewer.vault.media import MAGIC as SEALED_MAGIC
from reviewer.vault.opening import media_store_of
from tests.support import server_data as S

pytestmark = pytest.mark.postgres

ME = uuid.UUID("11111111-2222-4333-8444-555555555555")


def _events(db: Database) -> int:
    with db.read() as session:
        return session.execute(select(func.count()).select_from(table_of(AuditEvent))).scalar_one()


def _file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())


def test_pull_brings_cases_items_media_and_decisions_sealed(server: Database, db: Database) -> None:
    cases = S.add_cases(server, 4, images=1)
    alice = S.add_reviewer(server, "alice")
    other = S.add_session(server, alice)
    decided = S.decide(server, cases[0], alice, other)

    report = S.caught_up(db, server, source_id=ME)

    assert (report.cases, report.decisions, report.reviewers, report.sessions) == (4, 1, 1, 1)
    assert report.media_files == 4 and report.media_bytes > 4 * 2048
    assert S.case_status(db, cases[0])[0] == "decided"
    with db.read() as session:
        assert session.get(Decision, decided) is not None
        shas = [sha for sha in session.execute(select(Item.media_sha256)).scalars() if sha]
    with server.read() as session:
        blobs: dict[str, bytes] = {b.sha256: b.data for b in session.execute(select(MediaBlob)).scalars()}
    store = media_store_of(db)
    for sha in shas:
        assert store.read(sha) == blobs[sha]  # decrypted and checked
        assert blobs[sha][16:80] not in store.path_for(sha).read_bytes()  # stored sealed
        assert isinstance(store, MediaStore) and store.has_derived(sha)  # its previews made at pull
        assert store.derived_path(sha).read_bytes().startswith(SEALED_MAGIC)
    db.checkpoint()
    assert db.file is not None
    assert S.SECRET.encode() not in _file_bytes(db.file)  # texts sealed, no plain word anywhere
    assert verify(db).ok, verify(db)
    assert verify(server).ok, verify(server)


def test_a_second_pull_writes_nothing(server: Database, db: Database) -> None:
    S.add_cases(server, 3)
    S.add_reviewer(server, "bob")
    first = S.caught_up(db, server, source_id=ME)
    assert first.cases == 3
    events = _events(db)
    again = pull(db, server, source_id=ME)
    assert again.written == 0 and again.media_files == 0
    assert _events(db) == events


def test_queues_limit_the_cases_pulled(server: Database, db: Database) -> None:
    mine = S.add_cases(server, 2, channel="partner")
    S.add_cases(server, 3, channel="media")
    report = S.caught_up(db, server, source_id=ME, queues=["partner"])
    assert report.cases == 2
    with db.read() as session:
        assert set(session.execute(select(Case.id)).scalars()) == set(mine)


def test_a_slow_transaction_that_began_before_the_pull_is_picked_up_by_the_next(
    server: Database, db: Database
) -> None:
    S.add_cases(server, 1)
    slow = create_engine(server.url)
    try:
        with slow.connect() as conn:
            tx = conn.begin()  # takes its transaction id now, commits after the pull
            held = uuid.uuid4()
            ch = conn.execute(select(table_of(Case).c.channel_id).limit(1)).scalar()
            now = utcnow()
            conn.execute(
                insert(table_of(Case)).values(
                    id=held,
                    external_id="SLOW-1",
                    channel_id=ch,
                    account_id=None,
                    category="violence",
                    priority=1,
                    sla_deadline=now + timedelta(hours=1),
                    risk_rank=1,
                    status="open",
                    tier=1,
                    reporter="",
                    report_text="slow",
                    scores={},
                    created_at=now,
                    state_seq=0,
                )
            )
            held_xid = int(conn.execute(text("SELECT pg_current_xact_id()::text::bigint")).scalar_one())
            later = S.add_cases(server, 1)  # a younger transaction that commits before the pull
            pull(db, server, source_id=ME)
            assert pulled_up_to(db) <= held_xid  # the window stops below the one still running
            with db.read() as session:
                assert session.get(Case, held) is None
            tx.commit()
        S.caught_up(db, server, source_id=ME)
        with db.read() as session:
            here = set(session.execute(select(Case.id)).scalars())
        assert held in here and later[0] in here
        assert verify(db).ok
    finally:
        slow.dispose()


def test_a_case_with_an_unpushed_local_claim_keeps_its_local_state(server: Database, db: Database) -> None:
    cases = S.add_cases(server, 2)
    alice = S.add_reviewer(server, "alice")
    S.caught_up(db, server, source_id=ME)
    from reviewer.workstation import workstation_id

    source = workstation_id()
    mine = uuid.uuid4()
    assert claim_case(db, cases[0], mine)  # a local event of this workstation, not pushed yet
    elsewhere = S.add_session(server, alice)
    expires = utcnow() + timedelta(hours=1)
    S.set_claim(server, cases[0], elsewhere, expires)
    S.set_claim(server, cases[1], elsewhere, expires)

    report = S.caught_up(db, server, source_id=source)

    assert report.skipped_unpushed == 1 and report.states == 1
    assert S.case_status(db, cases[0])[1] == mine
    assert S.case_status(db, cases[1])[1] == elsewhere
    assert verify(db).ok, verify(db)


def test_progress_is_reported_per_batch(server: Database, db: Database) -> None:
    S.add_cases(server, 5, images=0)
    seen: list[tuple[str, int, int]] = []
    report = S.caught_up(db, server, source_id=ME, batch=2, progress=lambda *a: seen.append(a))
    assert report.cases == 5
    assert all(what == "pull" and 1 <= done <= total for what, done, total in seen)
    assert max(total for _w, _d, total in seen) >= 3  # 5 cases in batches of 2
    assert seen[-1][1] == seen[-1][2]


def test_rows_this_copy_made_itself_are_kept_and_the_servers_mapped_onto_them(
    server: Database, db: Database
) -> None:
    from reviewer.identity import ensure_reviewer

    mine = ensure_reviewer(db, "carol")  # made here before the first sync, under this copy's own id
    cases = S.add_cases(server, 1)
    theirs = S.add_reviewer(server, "carol")
    decided = S.decide(server, cases[0], theirs, S.add_session(server, theirs))

    report = S.caught_up(db, server, source_id=ME)

    assert report.reviewers == 0 and report.decisions == 1
    with db.read() as session:
        row = session.get(Decision, decided)
        assert row is not None and row.reviewer_id == mine.id
    assert verify(db).ok, verify(db)


def test_conflicts_and_their_resolution_are_pulled(server: Database, db: Database) -> None:
    from reviewer.models import SyncConflict

    cases = S.add_cases(server, 1)
    alice = S.add_reviewer(server, "alice")
    standing = S.decide(server, cases[0], alice, S.add_session(server, alice))
    conflict = uuid.uuid4()
    with server.write() as session:
        session.execute(
            insert(table_of(SyncConflict)).values(
                id=conflict,
                case_id=cases[0],
                decision_id=uuid.uuid4(),
                standing_id=standing,
                source_id=uuid.uuid4(),
                created_at=utcnow(),
                resolution="",
                resolution_note="",
            )
        )
    assert S.caught_up(db, server, source_id=ME).conflicts == 1
    with server.write() as session:
        session.execute(
            table_of(SyncConflict).update().values(resolution="kept", resolved_at=utcnow(), resolved_by=alice)
        )
    assert S.caught_up(db, server, source_id=ME).conflicts == 1
    with db.read() as session:
        row = session.get(SyncConflict, conflict)
        assert row is not None and row.resolution == "kept" and row.resolved_by == alice
    assert verify(db).ok, verify(db)


def test_a_blob_that_does_not_match_its_name_is_not_stored(server: Database, db: Database) -> None:
    cases = S.add_cases(server, 2, images=1)
    with server.read() as session:
        sha = session.execute(
            select(Item.media_sha256).where(Item.case_id == cases[0], Item.kind == "image")
        ).scalar_one()
    with server.write() as session:
        session.execute(table_of(MediaBlob).update().where(MediaBlob.sha256 == sha).values(data=b"forged"))
    report = S.caught_up(db, server, source_id=ME)
    assert report.cases == 2 and report.media_files == 1
    store = media_store_of(db)
    assert sha is not None and not store.has(sha)
