"""The fields of a statement of reasons a reviewer enters by hand (``sor_amendment``), one row per decision.

An amendment replaces the row's fields whole (a field left blank is dropped: derived again). It is
checked before it is written: only :data:`~reviewer.dsa.derive.AMENDABLE` fields, and no value that
breaks a published rule (a territorial scope outside the list, a date in another format, a text over its
limit). One transaction: the decision must exist; the row and its audit event (kind ``sor.amend``, a
snapshot of the row) are written together.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from reviewer.audit.chain import append_event_core, lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.audit.snapshots import snapshot
from reviewer.clock import utcnow
from reviewer.dsa.derive import AMENDABLE, amendment_fields, statement_for
from reviewer.dsa.rules import LIST_FIELDS, present, validate
from reviewer.models import Decision, SorAmendment, table_of
from reviewer.storage.database import Database

AMEND_KIND = "sor.amend"
_rows = table_of(SorAmendment)
_decisions = table_of(Decision)


class AmendError(ValueError):
    """An amendment refused; the message is one line."""


def normalise(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Only set fields, texts stripped, lists as lists; AmendError for a field that may not be amended."""
    unknown = sorted(set(fields) - set(AMENDABLE))
    if unknown:
        raise AmendError(f"not a field a reviewer enters: {', '.join(unknown)}")
    out: dict[str, Any] = {}
    for name in AMENDABLE:
        value: Any = fields.get(name)
        if name in LIST_FIELDS and isinstance(value, str):
            value = [v for v in value.replace(",", " ").split() if v]
        elif isinstance(value, str):
            value = value.strip()
        if present(value):
            out[name] = list(value) if name in LIST_FIELDS and isinstance(value, list | tuple) else value
    return out


def current(db: Database, decision_id: uuid.UUID) -> dict[str, Any]:
    """The amended fields of a decision ({} when none)."""
    with db.read() as session:
        text = session.execute(select(_rows.c.fields).where(_rows.c.id == decision_id)).scalar()
    return amendment_fields(text)


def amend(
    db: Database,
    decision_id: uuid.UUID,
    fields: Mapping[str, Any],
    *,
    actor: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Store the amended fields of ``decision_id`` (replacing the previous ones); returns them."""
    values = normalise(fields)
    broken = [p for p in validate(values) if not p.missing and p.field in values]
    if broken:
        raise AmendError("; ".join(str(p) for p in broken))
    if statement_for(db, decision_id) is None:
        raise AmendError(
            "that decision restricts nothing, or is not standing: it has no statement of reasons"
        )
    with db.write() as session:
        conn = session.connection()
        lock_chain(conn)
        case_id = conn.execute(select(_decisions.c.case_id).where(_decisions.c.id == decision_id)).scalar()
        if case_id is None:
            raise AmendError("that decision is not in this database")
        row = {
            "id": decision_id,
            "case_id": case_id,
            "fields": json.dumps(values, sort_keys=True, ensure_ascii=False),
            "updated_by": actor,
            "updated_at": now or utcnow(),
        }
        exists = conn.execute(select(_rows.c.id).where(_rows.c.id == decision_id)).first() is not None
        if exists:
            conn.execute(update(_rows).where(_rows.c.id == decision_id).values(row))
        else:
            conn.execute(insert(_rows), row)
        append_event_core(
            conn,
            actor=actor,
            kind=AMEND_KIND,
            subject=str(decision_id),
            rows={"sor_amendment": [snapshot("sor_amendment", row)]},
            locked=True,
        )
    note_appended(db)
    return values
