"""Team-server data for sync tests, written straight into a migrated PostgreSQL schema.

What an import into the server produces (channels, accounts, cases with PLAIN report texts, items, media
bytes in ``media_blob``), plus reviewers, sessions and decisions, each recorded in the server's own audit
chain (``server_source_id``) the way the app records them, so ``verify`` of the server stays OK.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, text

from reviewer.audit.chain import append_event_core, lock_chain
from reviewer.audit.snapshots import snapshot
from reviewer.clock import utcnow
from reviewer.leases import read_state, write_state
from reviewer.models import (
    Account,
    Case,
    Channel,
    Decision,
    Item,
    MediaBlob,
    Reviewer,
    ReviewSession,
    table_of,
)
from reviewer.storage.database import Database
from reviewer.storage.migrate import open_database
from reviewer.sync.pull import PullReport, add_reports, pull, pulled_up_to
from reviewer.sync.state import server_source_id
from tests.support.waiting import wait_for

SECRET = "plainsecretword"  # in every report text: must never appear in a working copy's bytes


def open_server(url: str) -> Database:
    return open_database(url)


def _event(conn: Connection, kind: str, rows: dict[str, list[dict[str, Any]]], subject: str = "") -> None:
    source = server_source_id(conn)
    lock_chain(conn, source)
    append_event_core(
        conn, actor="server", kind=kind, subject=subject, rows=rows, locked=True, source_id=source
    )


def add_cases(
    server: Database,
    n: int,
    *,
    channel: str = "partner",
    images: int = 1,
    priority: int = 2,
    start: int = 0,
    image_bytes: int = 2048,
) -> list[uuid.UUID]:
    """``n`` open cases with a text item and ``images`` image items each (distinct random bytes)."""
    now = utcnow()
    ids: list[uuid.UUID] = []
    with server.write() as session:
        conn = session.connection()
        _event(conn, "import", {}, f"{n} cases")
        ch = conn.execute(select(table_of(Channel).c.id).where(table_of(Channel).c.code == channel)).scalar()
        if ch is None:
            ch = uuid.uuid4()
            conn.execute(insert(table_of(Channel)).values(id=ch, code=channel, name=channel))
        acct = uuid.uuid4()
        conn.execute(
            insert(table_of(Account)).values(
                id=acct,
                platform="photoapp",
                handle=f"@{acct.hex[:8]}",
                risk_flags=["x"],
                risk_score=0.5,
                created_at=now,
            )
        )
        cases, items, blobs = [], [], []
        for i in range(start, start + n):
            cid = uuid.uuid4()
            ids.append(cid)
            cases.append(
                dict(
                    id=cid,
                    external_id=f"S-{cid.hex[:12]}",
                    channel_id=ch,
                    account_id=acct,
                    category="violence",
                    priority=priority,
                    sla_deadline=now + timedelta(minutes=10 + i),
                    risk_rank=500,
                    status="open",
                    tier=1,
                    reporter="someone",
                    report_text=f"{SECRET} report {i}",
                    scores={"violence": 0.5},
                    created_at=now,
                    claimed_by=None,
                    claim_expires_at=None,
                    state_seq=0,
                )
            )
            items.append(
                dict(
                    id=uuid.uuid4(),
                    case_id=cid,
                    position=0,
                    kind="text",
                    media_sha256=None,
                    media_ext=None,
                    text=f"{SECRET} item {i}",
                    url=None,
                    phash=None,
                )
            )
            for k in range(images):
                data = b"\xff\xd8\xff" + os.urandom(image_bytes)
                sha = hashlib.sha256(data).hexdigest()
                blobs.append(dict(sha256=sha, size=len(data), data=data, created_at=now))
                items.append(
                    dict(
                        id=uuid.uuid4(),
                        case_id=cid,
                        position=1 + k,
                        kind="image",
                        media_sha256=sha,
                        media_ext="jpg",
                        text=None,
                        url=None,
                        phash=None,
                    )
                )
        conn.execute(insert(table_of(Case)), cases)
        conn.execute(insert(table_of(Item)), items)
        if blobs:
            conn.execute(insert(table_of(MediaBlob)), blobs)
    return ids


def add_reviewer(server: Database, handle: str, role: str = "reviewer") -> uuid.UUID:
    row = dict(id=uuid.uuid4(), handle=handle, display_name=handle, role=role, created_at=utcnow())
    with server.write() as session:
        conn = session.connection()
        conn.execute(insert(table_of(Reviewer)).values(**row))
        _event(conn, "reviewer.add", {"reviewer": [snapshot("reviewer", row)]}, handle)
    return row["id"]  # type: ignore[return-value]


def add_session(server: Database, reviewer_id: uuid.UUID, source_id: uuid.UUID | None = None) -> uuid.UUID:
    row = dict(
        id=uuid.uuid4(),
        reviewer_id=reviewer_id,
        started_at=utcnow(),
        ended_at=None,
        host="elsewhere",
        source_id=source_id or uuid.uuid4(),
    )
    with server.write() as session:
        conn = session.connection()
        conn.execute(insert(table_of(ReviewSession)).values(**row))
        _event(conn, "session.start", {"review_session": [snapshot("review_session", row)]})
    return row["id"]  # type: ignore[return-value]


def decide(
    server: Database,
    case_id: uuid.UUID,
    reviewer_id: uuid.UUID,
    session_id: uuid.UUID,
    action: str = "remove",
) -> uuid.UUID:
    """A deciding decision by another workstation, as the server holds it after that push."""
    with server.write() as session:
        conn = session.connection()
        source = server_source_id(conn)
        lock_chain(conn, source)
        row = dict(
            id=uuid.uuid4(),
            case_id=case_id,
            reviewer_id=reviewer_id,
            session_id=session_id,
            action=action,
            policy_code="V-1",
            policy_pack_version_id=None,
            policy_version="1",
            policy_sha256="0" * 64,
            note="",
            tier=1,
            handle_ms=1000,
            revealed=False,
            reverses_id=None,
            client_seq=None,
            created_at=utcnow(),
            rationale="",
            to_tier=None,
            bulk_id=None,
        )
        conn.execute(insert(table_of(Decision)).values(**row))
        state = read_state(conn, case_id)
        assert state is not None
        new = write_state(conn, state, status="decided", claimed_by=None, claim_expires_at=None)
        append_event_core(
            conn,
            actor="server",
            kind="decision",
            subject=str(case_id),
            locked=True,
            source_id=source,
            rows={"decision": [snapshot("decision", row)], "case": [new.snapshot()]},
        )
    return row["id"]  # type: ignore[return-value]


def set_claim(
    server: Database, case_id: uuid.UUID, holder: uuid.UUID | None, expires: datetime | None
) -> None:
    """A lease taken or changed on the server (recorded in its chain)."""
    with server.write() as session:
        conn = session.connection()
        source = server_source_id(conn)
        lock_chain(conn, source)
        state = read_state(conn, case_id)
        assert state is not None
        new = write_state(conn, state, claimed_by=holder, claim_expires_at=expires)
        append_event_core(
            conn,
            actor="server",
            kind="claim",
            subject=str(case_id),
            locked=True,
            source_id=source,
            rows={"case": [new.snapshot()]},
        )


def case_status(db: Database, case_id: uuid.UUID) -> tuple[str, uuid.UUID | None]:
    with db.read() as session:
        row = session.execute(
            select(table_of(Case).c.status, table_of(Case).c.claimed_by).where(table_of(Case).c.id == case_id)
        ).one()
    return row[0], row[1]


__all__ = [
    "SECRET",
    "add_cases",
    "add_reviewer",
    "add_session",
    "case_status",
    "decide",
    "open_server",
    "set_claim",
    "caught_up",
]


def caught_up(local: Database, server: Database, **kwargs: Any) -> PullReport:
    """Pull until everything committed on the server before this call is in (other clients' open
    transactions hold ``xmin`` back: a pull may stop short of them); the reports summed."""
    with server.engine.begin() as conn:  # a transaction id newer than every write made so far
        mark = int(conn.execute(text("SELECT pg_current_xact_id()::text::bigint")).scalar_one())
    total = [PullReport()]

    def done() -> bool:
        total[0] = add_reports(total[0], pull(local, server, **kwargs))
        return pulled_up_to(local) > mark

    wait_for(done, "a pull past every earlier server transaction")
    return total[0]
