"""The read every decision's write starts with: a case's state, its decisions and the chain's last link.

One SELECT (row-locked on PostgreSQL) inside the write transaction, after the chain's lock. The general
path reads it through :func:`case_history` (the values SQLAlchemy returns); the SQLite decision write
(``reviewer.decision_sqlite``) reads the same statement as stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, select

from reviewer.audit.chain import LAST_LINK_COLUMNS
from reviewer.audit.snapshots import CASE_STATE_COLUMNS
from reviewer.models import Case, Decision, SyncConflict, table_of
from reviewer.storage.prepared import PreparedSelect

_cases = table_of(Case)
_decisions = table_of(Decision)

#: Decisions the team server kept but did not apply (someone else had decided the case): on record,
#: never part of a case's state (``reviewer.sync.apply``).
KEPT_NOT_APPLIED = select(table_of(SyncConflict).c.decision_id)

#: The case's state (one row even without decisions; row-locked on PostgreSQL) joined to its decisions,
#: oldest first; each row also carries this source's last chain link, which the new event will follow.
CASE_HISTORY = PreparedSelect(
    select(
        *(_cases.c[name] for name in CASE_STATE_COLUMNS),
        _decisions.c.id.label("decision_id"),
        _decisions.c.action,
        _decisions.c.reverses_id,
        _decisions.c.session_id,
        _decisions.c.to_tier,
        _decisions.c.bulk_id,
        *LAST_LINK_COLUMNS,
    )
    .select_from(
        _cases.outerjoin(
            _decisions, and_(_decisions.c.case_id == _cases.c.id, _decisions.c.id.not_in(KEPT_NOT_APPLIED))
        )
    )
    .where(_cases.c.id == bindparam("b_case"))
    .order_by(_decisions.c.created_at)
    .with_for_update(of=_cases)
)


def case_history(
    conn: Connection, case_id: uuid.UUID, source: uuid.UUID
) -> Sequence[Row[*tuple[Any, ...]]] | None:
    """Rows of the case's state, each decision (oldest first) and the chain's last link; None if no case."""
    rows = CASE_HISTORY.all(conn, {"b_case": case_id, "b_source": source})
    return rows or None
