"""Offline checkout: lease N cases on the team server to this workstation for a stated time, then pull.

On the server, in ONE transaction: the server chain's lock, then the first N workable cases of the
workstation's queues in queue order (priority, SLA deadline, account risk, id) that nobody holds or whose
lease ran out, locked ``FOR UPDATE SKIP LOCKED`` (two workstations checking out at once get different
cases, neither waits); a review session of the reviewer on this workstation (``source_id``) that holds
them until ``now + hours``; one event in the server's chain with the session and every case's new state.
Then a pull brings the cases, their media and the leases; the app's next session on this workstation
takes the leases over (``reviewer.leases.adopt_own_leases``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select, text

from reviewer.audit.chain import append_event_core, lock_chain
from reviewer.audit.snapshots import snapshot
from reviewer.clock import utcnow
from reviewer.leases import read_state, write_state
from reviewer.models import WORKABLE_STATUSES, Case, Channel, Reviewer, ReviewSession, table_of
from reviewer.storage.database import Database
from reviewer.sync.pull import STATEMENT_TIMEOUT_MS, PullReport, add_reports, pull, pulled_up_to
from reviewer.sync.state import server_source_id
from reviewer.workstation import host_name

MAX_HOURS = 72.0
MAX_CASES = 10_000
PULL_WAIT_S = 10.0

_cases = table_of(Case)
_channels = table_of(Channel)
_reviewers = table_of(Reviewer)
_sessions = table_of(ReviewSession)


class CheckoutRefused(ValueError):
    """A checkout that cannot be done as asked; its message is one line for the user."""


@dataclass(frozen=True)
class CheckoutReport:
    session_id: uuid.UUID
    case_ids: tuple[uuid.UUID, ...]
    expires_at: datetime
    pulled: PullReport | None = None
    xid: int = 0  # the server transaction that made the leases (PostgreSQL)


def check_request(cases: int, hours: float) -> None:
    """CheckoutRefused unless 1 <= cases <= MAX_CASES and 0 < hours <= MAX_HOURS."""
    if cases < 1 or cases > MAX_CASES:
        raise CheckoutRefused(f"the number of cases must be between 1 and {MAX_CASES} (got {cases})")
    if not 0 < hours <= MAX_HOURS:
        raise CheckoutRefused(
            f"the lease must be longer than 0 and at most {MAX_HOURS:g} hours (got {hours:g})"
        )


def lease_on_server(
    server: Database,
    *,
    handle: str,
    cases: int,
    hours: float,
    source_id: uuid.UUID,
    queues: Sequence[str] = (),
    now: datetime | None = None,
) -> CheckoutReport:
    """The server half of ``checkout`` (one transaction); CheckoutRefused when nothing can be leased."""
    check_request(cases, hours)
    now = now or utcnow()
    expires = now + timedelta(hours=hours)
    with server.write() as session:
        conn = session.connection()
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"SET LOCAL statement_timeout = {int(STATEMENT_TIMEOUT_MS)}"))
        source = server_source_id(conn)
        lock_chain(conn, source)
        reviewer_id = conn.execute(select(_reviewers.c.id).where(_reviewers.c.handle == handle)).scalar()
        if reviewer_id is None:
            raise CheckoutRefused(f"the server has no reviewer {handle!r}: a lead adds it first")
        free = (
            select(_cases.c.id)
            .where(
                _cases.c.status.in_(WORKABLE_STATUSES),
                or_(_cases.c.claimed_by.is_(None), _cases.c.claim_expires_at <= now),
            )
            .order_by(_cases.c.priority, _cases.c.sla_deadline, _cases.c.risk_rank, _cases.c.id)
            .limit(cases)
            .with_for_update(skip_locked=True)
        )
        if queues:
            free = free.where(
                _cases.c.channel_id.in_(select(_channels.c.id).where(_channels.c.code.in_(list(queues))))
            )
        ids = list(conn.execute(free).scalars())
        xid = 0
        if conn.dialect.name == "postgresql":
            xid = int(conn.execute(text("SELECT pg_current_xact_id()::text::bigint")).scalar_one())
        if not ids:
            raise CheckoutRefused("no free case to take offline in this workstation's queues on the server")
        values: dict[str, Any] = {
            "id": uuid.uuid4(),
            "reviewer_id": reviewer_id,
            "started_at": now,
            "ended_at": None,
            "host": host_name(),
            "source_id": source_id,
        }
        conn.execute(insert(_sessions).values(**values))
        states = []
        for case_id in ids:
            state = read_state(conn, case_id)
            assert state is not None  # locked above
            states.append(write_state(conn, state, claimed_by=values["id"], claim_expires_at=expires))
        append_event_core(
            conn,
            actor=handle,
            kind="checkout",
            subject=f"{len(ids)} cases",
            payload={"session_id": str(values["id"]), "workstation": str(source_id), "hours": hours},
            rows={
                "review_session": [snapshot("review_session", values)],
                "case": [s.snapshot() for s in states],
            },
            locked=True,
            source_id=source,
        )
    return CheckoutReport(values["id"], tuple(ids), expires, xid=xid)


def checkout(
    local: Database,
    server: Database,
    *,
    handle: str,
    cases: int,
    hours: float,
    source_id: uuid.UUID,
    queues: Sequence[str] = (),
    now: datetime | None = None,
) -> CheckoutReport:
    """Lease ``cases`` cases on the server to this workstation for ``hours``, then pull them here.

    The pull's window ends below the oldest transaction still running on the server, so while another
    client holds one open it may stop short of the leases: it is repeated for up to ``PULL_WAIT_S``
    seconds; after that the leases are on the server and the next sync brings them."""
    leased = lease_on_server(
        server, handle=handle, cases=cases, hours=hours, source_id=source_id, queues=queues, now=now
    )
    total = pull(local, server, source_id=source_id, queues=queues)
    end = time.monotonic() + PULL_WAIT_S
    while pulled_up_to(local) <= leased.xid and time.monotonic() < end:
        time.sleep(0.1)  # a poll interval: the wait is for the server's xmin to pass the leases
        total = add_reports(total, pull(local, server, source_id=source_id, queues=queues))
    return replace(leased, pulled=total)
