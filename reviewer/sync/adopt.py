"""The running app takes over the leases an offline checkout just made for this reviewer here.

A checkout (``reviewer.sync.checkout``) leases cases to a review session of its own on this workstation;
the app's next session takes them over at its start (``reviewer.identity.start_session``). An app that
is already running takes them over at once with :func:`adopt_leases`, the same rule
(``reviewer.leases.adopt_own_leases``) in a transaction of its own, recorded in this workstation's chain.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from reviewer.audit.chain import append_event_core, lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.clock import utcnow
from reviewer.leases import adopt_own_leases
from reviewer.models import Reviewer
from reviewer.storage.database import Database

ADOPT_KIND = "lease_adopt"


def adopt_leases(
    db: Database, reviewer: Reviewer, session_id: uuid.UUID, *, now: datetime | None = None
) -> int:
    """Move this reviewer's unexpired leases of earlier sessions on this workstation to ``session_id``;
    returns how many cases it took (nothing is written when there are none)."""
    now = now or utcnow()
    with db.write() as session:
        conn = session.connection()
        source = lock_chain(conn)
        adopted = adopt_own_leases(
            conn, reviewer_id=reviewer.id, source_id=source, session_id=session_id, now=now
        )
        if adopted:
            append_event_core(
                conn,
                actor=reviewer.handle,
                kind=ADOPT_KIND,
                subject=str(adopted[0].id) if len(adopted) == 1 else f"{len(adopted)} cases",
                payload={"session_id": str(session_id)},
                rows={"case": [s.snapshot() for s in adopted]},
                locked=True,
            )
    if adopted:
        note_appended(db)
    return len(adopted)
