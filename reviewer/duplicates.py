"""Duplicate suppression: media already decided elsewhere, and open cases showing the same media.

Two kinds of match between image items of different cases:

* ``exact`` — same SHA-256 (an indexed equality lookup);
* ``near``  — PDQ hashes within ``NEAR_THRESHOLD`` bits (re-encodes, resizes, small edits).

SQLite has no popcount, so near matching loads ``(item, case, phash)`` of the candidate cases in
chunks and compares in numpy: the hex hashes become an ``(n, 32)`` uint8 array, XOR with the query,
popcount, sum. Ids are read raw (no UUID object per row) through Core, not the ORM. Measured cost for
100,000 decided image items on the 2-core dev box (busy, load ~2.5): ~0.5 s per call, nearly all of it
SQLite returning the rows and building the decided-case set; the numpy part is ~20 ms (hex parse
12 ms + XOR/popcount 7 ms). Fine for an on-demand "seen before?" panel; a queue-wide sweep should
keep the array in memory rather than re-read it per case.

A case counts as *decided* when it has a standing (not undone) decision whose action is one of
``DECIDING_ACTIONS``; its latest such decision is the one reported and the one ``apply_to_group``
copies. Qt-free (``reviewer`` is the pure-Python core).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import CursorResult, Select, String, select, type_coerce
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from reviewer.actions import UNDO
from reviewer.audit.chain import lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.clock import utcnow
from reviewer.decisions import DecisionError, DecisionResult, record_decision_in
from reviewer.leases import read_state
from reviewer.models import Case, Decision, Item, Reviewer
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database

DECIDING_ACTIONS: tuple[str, ...] = ("keep", "remove", "restrict", "warn", "strike", "suspend")
#: Rows fetched from the database per round when scanning hashes.
CHUNK = 20_000
_IN_CHUNK = 500  # bound for SQL ``IN (...)`` lists

MatchKind = Literal["exact", "near"]


@dataclass(frozen=True)
class DuplicateMatch:
    """Another case whose media matches this case's; decision fields are None for undecided cases."""

    case_id: uuid.UUID
    external_id: str
    item_id: uuid.UUID  # the matching item in the *other* case
    kind: MatchKind
    distance: int  # Hamming bits; 0 for exact
    decision_action: str | None
    decision_policy: str | None
    decided_at: datetime | None
    own_item_id: uuid.UUID | None = None  # the item of the case asked about that matched


@dataclass(frozen=True)
class _Hit:
    case_id: uuid.UUID
    item_id: uuid.UUID
    own_item_id: uuid.UUID
    kind: MatchKind
    distance: int


def _undone_ids() -> Select:
    return select(Decision.reverses_id).where(Decision.reverses_id.is_not(None))


def _raw(column: ColumnElement[Any] | InstrumentedAttribute[Any]) -> ColumnElement[str]:
    """The column as the driver returns it: no per-row UUID objects."""
    return type_coerce(column, String)


def _as_uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _decided_scope(session: Session) -> set:
    """Raw ids of cases with at least one standing decision of a deciding action."""
    query = select(_raw(Decision.case_id)).where(
        Decision.action.in_(DECIDING_ACTIONS), Decision.id.not_in(_undone_ids())
    )
    return set(session.connection().execute(query).scalars().all())


def _open_scope(session: Session) -> set:
    return set(
        session.connection().execute(select(_raw(Case.id)).where(Case.status == "open")).scalars().all()
    )


def _own_media(session: Session, case_id: uuid.UUID) -> list[tuple[uuid.UUID, str | None, str | None]]:
    rows = session.execute(
        select(Item.id, Item.media_sha256, Item.phash).where(
            Item.case_id == case_id, Item.media_sha256.is_not(None)
        )
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def chunks(values: list, size: int = _IN_CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _find(
    session: Session,
    case_id: uuid.UUID,
    scope: Callable[[Session], set] | None,
    threshold: int | None = None,
    near: bool = True,
) -> dict[uuid.UUID, _Hit]:
    """Best hit per other case whose raw id is in ``scope(session)`` (any case when ``scope`` is None):
    exact first, then nearest.

    Ids are read raw (as stored) and turned into UUIDs only for hits: building 200,000 UUID objects
    would cost more than the whole scan.
    """
    # numpy and the hashing module load on first use: the review window starts without them.
    import numpy as np

    from reviewer.media.phash import NEAR_THRESHOLD, hamming_many, hashes_to_bytes

    threshold = NEAR_THRESHOLD if threshold is None else threshold
    own = _own_media(session, case_id)
    if not own:
        return {}
    cases = None if scope is None else scope(session)
    best: dict[uuid.UUID, _Hit] = {}

    def offer(hit: _Hit) -> None:
        old = best.get(hit.case_id)
        if old is None or (hit.distance, hit.kind != "exact") < (old.distance, old.kind != "exact"):
            best[hit.case_id] = hit

    by_sha: dict[str, uuid.UUID] = {}
    for item_id, sha, _ in own:
        if sha is not None:
            by_sha.setdefault(sha, item_id)
    for shas in chunks(list(by_sha)):
        rows = session.execute(
            select(_raw(Item.id), _raw(Item.case_id), Item.media_sha256).where(
                Item.media_sha256.in_(shas), Item.case_id != case_id
            )
        ).all()
        for other_item, other_case, sha in rows:
            if cases is None or other_case in cases:
                assert sha is not None  # IN (...) matched it
                offer(_Hit(_as_uuid(other_case), _as_uuid(other_item), by_sha[sha], "exact", 0))

    queries = [(item_id, ph) for item_id, _, ph in own if ph and _is_hex(ph)]
    if not near or not queries or cases is not None and not cases:
        return best
    query_bytes = hashes_to_bytes([ph for _, ph in queries])
    # Core, not ORM, execution: the ORM's per-row bookkeeping is most of the cost at 100k rows.
    # The cast only drops the phash column's None: the WHERE leaves no NULL hash.
    result = cast(
        "CursorResult[str, str, str]",
        session.connection().execute(
            select(_raw(Item.id), _raw(Item.case_id), Item.phash)
            .where(Item.phash.is_not(None), Item.case_id != case_id)
            .execution_options(yield_per=CHUNK)
        ),
    )
    for part in result.partitions(CHUNK):
        valid = [r for r in part if (cases is None or r[1] in cases) and len(r[2]) == 64]
        if not valid:
            continue
        try:
            cand = hashes_to_bytes([r[2] for r in valid])
        except ValueError:  # a malformed stored hash: drop the bad rows
            valid = [r for r in valid if _is_hex(r[2])]
            cand = hashes_to_bytes([r[2] for r in valid])
        for q_index, (own_item, _) in enumerate(queries):
            dist = hamming_many(query_bytes[q_index], cand)
            for idx in np.flatnonzero(dist <= threshold):
                other_item, other_case, _ = valid[int(idx)]
                offer(_Hit(_as_uuid(other_case), _as_uuid(other_item), own_item, "near", int(dist[idx])))
    return best


def media_matches(
    session: Session, case_id: uuid.UUID, *, near: bool = True
) -> dict[uuid.UUID, tuple[MatchKind, int]]:
    """Every other case (any status) whose media matches this case's: ``{case id: (kind, distance)}``.

    Exact matches are an indexed lookup; ``near`` adds the PDQ scan over every stored hash (the costly
    part: ~0.2 s per 14,000 hashes on the busy dev box)."""
    hits = _find(session, case_id, None, near=near)
    return {cid: (hit.kind, hit.distance) for cid, hit in hits.items()}


def _is_hex(value: str) -> bool:
    try:
        bytes.fromhex(value)
    except ValueError:
        return False
    return len(value) == 64


def _latest_standing(session: Session, case_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Decision]:
    """For each case, its most recent standing decision with a deciding action."""
    out: dict[uuid.UUID, Decision] = {}
    for ids in chunks(list(case_ids)):
        rows = list(
            session.execute(
                select(Decision).where(Decision.case_id.in_(ids)).order_by(Decision.created_at)
            ).scalars()
        )
        undone = {d.reverses_id for d in rows if d.action == UNDO}
        for d in rows:
            if d.action in DECIDING_ACTIONS and d.id not in undone:
                out[d.case_id] = d  # ordered by time: the last one wins
    return out


def find_decided_duplicates(db: Database, case_id: uuid.UUID) -> list[DuplicateMatch]:
    """Media of ``case_id`` equal to or near media of *other* cases that already stand decided.

    Best match per other case, closest first (exact before near), then most recently decided.
    """
    with db.read() as session:
        hits = _find(session, case_id, _decided_scope)
        if not hits:
            return []
        decisions = _latest_standing(session, hits)
        external = _external_ids(session, hits)
        matches = [
            DuplicateMatch(
                case_id=h.case_id,
                external_id=external[h.case_id],
                item_id=h.item_id,
                kind=h.kind,
                distance=h.distance,
                decision_action=decisions[h.case_id].action,
                decision_policy=decisions[h.case_id].policy_code,
                decided_at=decisions[h.case_id].created_at,
                own_item_id=h.own_item_id,
            )
            for h in hits.values()
            if h.case_id in decisions
        ]
    matches.sort(
        key=lambda m: (m.distance, m.kind != "exact", -m.decided_at.timestamp() if m.decided_at else 0)
    )
    return matches


def open_duplicates_of(db: Database, case_id: uuid.UUID) -> list[uuid.UUID]:
    """Open cases whose media is an exact or near duplicate of this case's media (its "group")."""
    with db.read() as session:
        hits = _find(session, case_id, _open_scope)
    return [h.case_id for h in sorted(hits.values(), key=lambda h: (h.distance, str(h.case_id)))]


def apply_to_group(
    db: Database,
    *,
    source_case_id: uuid.UUID,
    target_case_ids: Iterable[uuid.UUID],
    reviewer: Reviewer,
    pack: PolicyPack | None,
    session_id: uuid.UUID | None,
    now: datetime | None = None,
) -> list[DecisionResult]:
    """Give every target the source case's standing action and policy, all in one transaction.

    Each decision notes ``applied from duplicate <external id>``, carries the source's rationale (or that
    note), ``revealed=False`` and the bulk's id (one undo reverses the whole bulk). Refuses
    (DecisionError, nothing written) if the source has no standing decision, a target is the source,
    missing, or no longer open (someone decided it meanwhile: CaseAlreadyDecided), another session holds
    a target (CaseHeld), or the policy code is not in ``pack``. Each target is lease-checked like a
    single decision, all inside this one transaction.
    """
    targets = list(dict.fromkeys(target_case_ids))
    now = now or utcnow()
    with db.write() as session:
        conn = session.connection()
        lock_chain(conn)  # the chain first, then the targets' rows in one order: no lock cycles
        for target_id in sorted(targets):
            read_state(conn, target_id)
        source = session.get(Case, source_case_id)
        if source is None:
            raise DecisionError(f"case {source_case_id} does not exist")
        standing = _latest_standing(session, [source_case_id]).get(source_case_id)
        if standing is None:
            raise DecisionError(f"case {source.external_id} has no standing decision to apply")
        note = f"applied from duplicate {source.external_id}"
        rationale = standing.rationale or note
        bulk_id = uuid.uuid4()  # one bulk: one undo reverses every decision of it
        results: list[DecisionResult] = []
        for target_id in targets:
            if target_id == source_case_id:
                raise DecisionError("a case cannot be applied to itself")
            target = session.get(Case, target_id)
            if target is None:
                raise DecisionError(f"case {target_id} does not exist")
            if target.status != "open":
                raise DecisionError(f"case {target.external_id} is no longer open ({target.status})")
            results.append(
                record_decision_in(
                    session,
                    case_id=target_id,
                    reviewer=reviewer,
                    action=standing.action,
                    policy_code=standing.policy_code,
                    pack=pack,
                    note=note,
                    session_id=session_id,
                    revealed=False,
                    now=now,
                    rationale=rationale,
                    bulk_id=bulk_id,
                )
            )
    note_appended(db, len(results))
    return results


def _external_ids(session: Session, case_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    out: dict[uuid.UUID, str] = {}
    for ids in chunks(list(case_ids)):
        for cid, ext in session.execute(select(Case.id, Case.external_id).where(Case.id.in_(ids))):
            out[cid] = ext
    return out
