"""Which decisions enter the QA sample, and the step that puts them there.

The rule, here once: a decision is in the sample when the keyed hash of its id, read as a number in
[0, 1), is below the rate for its (policy, channel). The hash is HMAC-SHA256 under a fixed key
(``SAMPLE_KEY``) of the 16 bytes of the decision id; ids are random (uuid4), so nobody steers a decision
in or out, and anyone can recompute why one is in (``in_sample``). Rates: ``reviewer qa rate --policy X
--channel Y 0.1`` writes a ``qa_rate`` row (audited, synced); the newest row for the most specific pair
wins: (policy, channel), (policy, *), (*, channel), (*, *), else ``DEFAULT_RATE`` (5 %).

Sampling is not part of the decision write (it stays as fast as it is): ``sample_new_decisions`` picks up
the final decisions not yet considered — when the QA queue is read and from ``reviewer qa sample`` — and
is idempotent (an item's id is derived from its decision's id). On SQLite it reads only the decisions
added since its last pass (``qa_sample_mark``: the highest decision rowid considered); a decision is
considered once, so a rate changed later applies to decisions added after the change. Eligible: a standing decision with a
deciding action that is not a lead's override, a QA adjudication or an appeal outcome. An open item whose
decision was undone meanwhile is withdrawn by the same step.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, and_, func, insert, literal_column, select, update

from reviewer.audit.chain import lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.clock import utcnow
from reviewer.followup import DECIDING_ACTIONS
from reviewer.models import Appeal, Case, Channel, Decision, QaRate, QaReview, QaSampleMark, table_of
from reviewer.qa.records import audit_rows
from reviewer.storage.database import Database

DEFAULT_RATE = 0.05
ANY = "*"
SAMPLE_KEY = b"reviewer-workstation/qa-sample/1"
ITEM_NAMESPACE = uuid.UUID("6f1d3c52-9a7e-4d2b-8f0c-1f6f4a0b7c11")
SAMPLE_KIND, WITHDRAW_KIND, RATE_KIND = "qa.sample", "qa.withdraw", "qa.rate"

_d, _c, _ch = table_of(Decision), table_of(Case), table_of(Channel)
_qa, _rates, _appeals = table_of(QaReview), table_of(QaRate), table_of(Appeal)
_mark = table_of(QaSampleMark)
_ROWID: Any = literal_column("decision.rowid")


class QaError(ValueError):
    """A QA step refused (one line for the reviewer)."""


@dataclass(frozen=True)
class Rate:
    policy_code: str
    channel_code: str
    rate: float
    set_by: str
    set_at: datetime


@dataclass(frozen=True)
class SampleResult:
    considered: int
    sampled: int
    withdrawn: int


def sample_point(decision_id: uuid.UUID) -> float:
    """The decision's fixed point in [0, 1): the keyed hash of its id."""
    digest = hmac.new(SAMPLE_KEY, decision_id.bytes, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def in_sample(decision_id: uuid.UUID, rate: float) -> bool:
    return sample_point(decision_id) < rate


def item_id_for(decision_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(ITEM_NAMESPACE, decision_id.hex)


def check_rate(rate: float) -> float:
    if not 0.0 <= rate <= 1.0:
        raise QaError(f"a QA rate is a fraction from 0 to 1 (0.05 is 5 %), not {rate}")
    return rate


def set_rate(
    db: Database,
    rate: float,
    *,
    actor: str,
    policy_code: str | None = None,
    channel_code: str | None = None,
    now: datetime | None = None,
) -> Rate:
    """Set the QA rate for a policy and a channel (None: any); audited, newest wins."""
    check_rate(rate)
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "policy_code": (policy_code or "").strip() or ANY,
        "channel_code": (channel_code or "").strip() or ANY,
        "rate": float(rate),
        "set_by": actor,
        "set_at": now or utcnow(),
    }
    with db.write() as session:
        conn = session.connection()
        lock_chain(conn)
        conn.execute(insert(_rates), values)
        audit_rows(conn, actor=actor, kind=RATE_KIND, table="qa_rate", rows=[values])
    note_appended(db)
    return Rate(values["policy_code"], values["channel_code"], values["rate"], actor, values["set_at"])


def current_rates(db: Database) -> list[Rate]:
    """The rate in force for each pair that has one (the newest row), sorted by policy then channel."""
    with db.read() as session:
        rows = session.execute(select(_rates).order_by(_rates.c.set_at)).all()
    newest: dict[tuple[str, str], Rate] = {}
    for r in rows:
        newest[(r.policy_code, r.channel_code)] = Rate(
            r.policy_code, r.channel_code, r.rate, r.set_by, r.set_at
        )
    return [newest[k] for k in sorted(newest)]


def rate_for(rates: dict[tuple[str, str], float], policy_code: str | None, channel_code: str) -> float:
    """The rate for a decision citing ``policy_code`` on ``channel_code``: the most specific pair wins."""
    policy = policy_code or ANY
    for key in ((policy, channel_code), (policy, ANY), (ANY, channel_code), (ANY, ANY)):
        if key in rates:
            return rates[key]
    return DEFAULT_RATE


def _undone() -> Select[Any]:
    return select(_d.c.reverses_id).where(_d.c.reverses_id.is_not(None))


def _eligible() -> Select[Any]:
    adjudications = select(_qa.c.adjudication_decision_id).where(_qa.c.adjudication_decision_id.is_not(None))
    outcomes = select(_appeals.c.outcome_decision_id).where(_appeals.c.outcome_decision_id.is_not(None))
    return (
        select(
            _d.c.id,
            _d.c.case_id,
            _d.c.reviewer_id,
            _d.c.action,
            _d.c.policy_code,
            _d.c.created_at,
            _ch.c.code,
        )
        .join(_c, _c.c.id == _d.c.case_id)
        .join(_ch, _ch.c.id == _c.c.channel_id)
        .where(
            _d.c.action.in_(DECIDING_ACTIONS),
            ~_d.c.note.like("lead override:%"),
            ~_d.c.note.like("appeal %"),  # an appeal's outcome or a QA adjudication, even before its
            ~_d.c.note.like("qa adjudication:%"),  # record row has arrived by the sync
            _d.c.id.not_in(_undone()),
            _d.c.id.not_in(select(_qa.c.decision_id)),
            _d.c.id.not_in(adjudications),
            _d.c.id.not_in(outcomes),
        )
    )


def sample_new_decisions(
    db: Database, *, actor: str = "qa-sampler", now: datetime | None = None
) -> SampleResult:
    """Put the eligible decisions that fall in their rate into the QA sample; withdraw open items whose
    decision was undone. Idempotent; one transaction, audited (``qa.sample``, ``qa.withdraw``)."""
    now = now or utcnow()
    rates = {(r.policy_code, r.channel_code): r.rate for r in current_rates(db)}
    query, high = _eligible(), None
    with db.read() as session:
        if db.is_sqlite:  # only the decisions added since the last pass (rowids only grow)
            mark = session.execute(select(_mark.c.last_rowid).where(_mark.c.id == 1)).scalar() or 0
            high = session.execute(select(func.max(_ROWID)).select_from(_d)).scalar() or 0
            query = query.where(mark < _ROWID, high >= _ROWID)
        candidates = session.execute(query).all()
        stale = session.execute(
            select(_qa).where(_qa.c.status == "open", _qa.c.decision_id.in_(_undone()))
        ).all()
    rows = []
    for d in candidates:
        rate = rate_for(rates, d.policy_code, d.code)
        if in_sample(d.id, rate):
            rows.append(_new_item(d, rate, now))
    if not rows and not stale and not candidates:
        return SampleResult(0, 0, 0)
    with db.write() as session:
        conn = session.connection()
        lock_chain(conn)
        taken = set(conn.execute(select(_qa.c.id).where(_qa.c.id.in_([r["id"] for r in rows]))).scalars())
        rows = [r for r in rows if r["id"] not in taken]  # another pass or a pull got there first
        for start in range(0, len(rows), 500):
            conn.execute(insert(_qa), rows[start : start + 500])
        if rows:
            audit_rows(
                conn,
                actor=actor,
                kind=SAMPLE_KIND,
                table="qa_review",
                rows=rows,
                subject=f"{len(rows)} decisions",
            )
        withdrawn = _withdraw(conn, [s.id for s in stale], actor, now)
        if high is not None:
            _advance(conn, high)
    note_appended(db)
    return SampleResult(len(candidates), len(rows), withdrawn)


def _advance(conn: Connection, high: int) -> None:
    done = conn.execute(
        update(_mark).where(_mark.c.id == 1, _mark.c.last_rowid < high).values(last_rowid=high)
    )
    if not done.rowcount and conn.execute(select(_mark.c.id).where(_mark.c.id == 1)).first() is None:
        conn.execute(insert(_mark).values(id=1, last_rowid=high))


def _new_item(d: Row[Any], rate: float, now: datetime) -> dict[str, Any]:
    return {
        "id": item_id_for(d.id),
        "decision_id": d.id,
        "case_id": d.case_id,
        "first_reviewer_id": d.reviewer_id,
        "first_action": d.action,
        "first_policy": d.policy_code,
        "channel_code": d.code,
        "rate": rate,
        "sampled_at": now,
        "status": "open",
        "second_reviewer_id": None,
        "verdict_action": None,
        "verdict_policy": None,
        "verdict_at": None,
        "agreed": None,
        "adjudicated_by": None,
        "adjudication_decision_id": None,
        "adjudicated_at": None,
        "adjudication_note": "",
        "updated_at": now,
    }


def _withdraw(conn: Connection, ids: list[uuid.UUID], actor: str, now: datetime) -> int:
    if not ids:
        return 0
    conn.execute(
        update(_qa).where(and_(_qa.c.id.in_(ids), _qa.c.status == "open")).values(status="withdrawn")
    )
    rows = [dict(r._mapping) for r in conn.execute(select(_qa).where(_qa.c.id.in_(ids)))]
    audit_rows(
        conn, actor=actor, kind=WITHDRAW_KIND, table="qa_review", rows=rows, subject=f"{len(rows)} items"
    )
    return len(rows)
