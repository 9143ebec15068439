"""The review queue: keyset-paged reads of cases in queue order, for views of any size.

Queue order is ``(priority, sla_deadline, risk_rank, id)`` ascending: most urgent first, then the earliest
deadline, then the riskiest account (rank 0), with the id as a tie-breaker so the order is total. Pages are
found with a row-value comparison against the last key seen, never OFFSET, so a page deep in a million
cases costs the same as the first one.

The index ``ix_case_queue`` is ``(status, priority, sla_deadline, risk_rank, id)``: with one ``status = ?``
it serves both the range and the ORDER BY. ``status IN (a, b)`` would not (the planner has to sort the union
of both ranges in a temp b-tree), so a filter with several statuses runs one indexed query per status and
merges the already ordered results in Python: at most ``len(statuses) * limit`` rows read per page.

Report texts are stored sealed, so the text filter matches them through the blind index
(``case_term``, see ``reviewer.vault.sealing``): every word of the search must be a whole word of the
report text. A database that was never sealed (no vault) still holds plain report texts: substring match.

Channel, category, tier and text filters are checked on rows as the index is walked in order (no index
on ``tier``: without statistics SQLite could take it over ``ix_case_queue`` and sort every page). That is cheap when
matches are common; a filter matching very few cases can walk much of the index before it fills a page.
"""

from __future__ import annotations

import heapq
import itertools
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, event, false, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from reviewer.categories import CATEGORIES
from reviewer.models import Account, Case, CaseTerm, Channel, Item
from reviewer.models.entities import CASE_STATUSES
from reviewer.vault.errors import KeyUnavailable
from reviewer.vault.sealing import term, words
from reviewer.vault.state import vault_in

QueueKey = tuple[int, datetime, int, uuid.UUID]  # (priority, sla_deadline, risk_rank, id)

PAGE_SIZE = 200


def tier_statuses(tier: int) -> tuple[str, ...]:
    """The statuses a case at ``tier`` can have, the one it waits in first: an escalation makes a case
    "escalated" and moves it up, so tier 1 has open cases and the tiers above escalated ones."""
    return ("open", "skipped", "decided") if tier <= 1 else ("escalated", "skipped", "decided")


@dataclass(frozen=True)
class QueueFilter:
    """Which cases the queue shows. ``text`` matches (case-insensitively) an external id prefix, a
    substring of the account handle, or whole words of the report text (all of its words)."""

    statuses: tuple[str, ...] = ("open",)
    channel: str | None = None  # channel code
    category: str | None = None
    text: str | None = None
    tier: int | None = None  # one escalation tier's queue; None: every tier
    case_ids: tuple[uuid.UUID, ...] | None = None  # a lane's cases only (ui/review/lane.py); None: any

    def for_tier(self, tier: int | None) -> QueueFilter:
        """This filter showing one tier's queue (None: every tier). A case at tier 1 is never "escalated"
        and one above it never "open": when no status shown can occur at the tier, the tier's queue shows
        the cases waiting there (open at tier 1, escalated above) instead of an empty list."""
        statuses = self.statuses
        if tier is not None and not set(statuses) & set(tier_statuses(tier)):
            statuses = tier_statuses(tier)[:1]
        return replace(self, tier=tier, statuses=statuses)


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One case as the queue shows it: plain values, no ORM object, no session."""

    id: uuid.UUID
    external_id: str
    priority: int
    sla_deadline: datetime
    risk_rank: int
    status: str
    channel: str
    category: str
    account_handle: str | None
    risk_flags: tuple[str, ...]
    tier: int
    item_kinds: tuple[str, ...] | None = None

    @property
    def key(self) -> QueueKey:
        return (self.priority, self.sla_deadline, self.risk_rank, self.id)


_KEY_COLUMNS = (Case.priority, Case.sla_deadline, Case.risk_rank, Case.id)
_ROW_COLUMNS = (
    Case.id,
    Case.external_id,
    Case.priority,
    Case.sla_deadline,
    Case.risk_rank,
    Case.status,
    Channel.code,
    Case.category,
    Account.handle,
    Account.risk_flags,
    Case.tier,
)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class _Backend:
    """What the statements of one read depend on: the dialect and the report-text search terms
    (None: nothing sealed, match the plain text; empty: the search has no words or no key is here)."""

    sqlite: bool
    terms: tuple[int, ...] | None


def _backend(session: Session, flt: QueueFilter) -> _Backend:
    sqlite = session.get_bind().dialect.name == "sqlite"
    if not (flt.text and flt.text.strip()):
        return _Backend(sqlite, None)
    try:
        vault = vault_in(session)
    except KeyUnavailable:
        return _Backend(sqlite, ())
    if vault is None:
        return _Backend(sqlite, None)
    return _Backend(sqlite, tuple(sorted(term(vault.index_key, w) for w in words(flt.text))))


def _report_text_match(terms: tuple[int, ...]) -> Any:
    """Every term indexed for the row's case: one primary-key probe of ``case_term`` per term and row
    walked (a correlated EXISTS; an ``IN (subquery)`` would first collect every case holding a common
    word, 0.3 s for a word of all 1M cases)."""
    if not terms:
        return false()
    return and_(
        *(
            select(CaseTerm.case_id).where(CaseTerm.term == t, CaseTerm.case_id == Case.id).exists()
            for t in terms
        )
    )


def _where(
    stmt: Select[*tuple[Any, ...]], flt: QueueFilter, status: str, backend: _Backend
) -> Select[*tuple[Any, ...]]:
    """Add the filter's conditions; the text condition needs ``account`` joined."""
    sqlite = backend.sqlite
    stmt = stmt.where(Case.status == status)
    if flt.channel is not None:
        # An uncorrelated scalar subquery is evaluated once, then compared per row.
        wanted = aliased(Channel)
        channel_id = select(wanted.id).where(wanted.code == flt.channel).scalar_subquery()
        stmt = stmt.where(Case.channel_id == channel_id)
    if flt.category is not None:
        stmt = stmt.where(Case.category == flt.category)
    if flt.tier is not None:
        stmt = stmt.where(Case.tier == flt.tier)
    if flt.case_ids is not None:  # a lane (QA, appeals): its own short list of cases
        stmt = stmt.where(Case.id.in_(flt.case_ids)) if flt.case_ids else stmt.where(false())
    if flt.text and flt.text.strip():
        needle = _escape_like(flt.text.strip())

        # SQLite's LIKE already ignores ASCII case; ILIKE there would add lower() on every row.
        def match(column: Any, pattern: str) -> Any:
            return column.like(pattern, escape="\\") if sqlite else column.ilike(pattern, escape="\\")

        stmt = stmt.where(
            or_(
                match(Case.external_id, f"{needle}%"),
                match(Account.handle, f"%{needle}%"),
                match(Case.report_text, f"%{needle}%")
                if backend.terms is None
                else _report_text_match(backend.terms),
            )
        )
    return stmt


def _select_rows(flt: QueueFilter, status: str, backend: _Backend) -> Select[*tuple[Any, ...]]:
    """The queue rows of one status that pass the filter, unordered and unbounded."""
    # Outer joins keep ``case`` the outer loop, so SQLite walks ix_case_queue in order (channel_id is NOT
    # NULL, so the channel join never adds NULLs).
    stmt = (
        select(*_ROW_COLUMNS)
        .select_from(Case)
        .outerjoin(Channel, Channel.id == Case.channel_id)
        .outerjoin(Account, Account.id == Case.account_id)
    )
    return _where(stmt, flt, status, backend)


def _page_statement(
    flt: QueueFilter, status: str, bound: QueueKey | None, *, forward: bool, limit: int, backend: _Backend
) -> Select[*tuple[Any, ...]]:
    stmt = _select_rows(flt, status, backend)
    keyset = tuple_(*_KEY_COLUMNS)
    if bound is not None:
        stmt = stmt.where(keyset > tuple(bound) if forward else keyset < tuple(bound))
    order = _KEY_COLUMNS if forward else tuple(c.desc() for c in _KEY_COLUMNS)
    return stmt.order_by(*order).limit(limit)


def _to_row(r: Sequence[Any], kinds: dict[uuid.UUID, list[str]] | None) -> QueueRow:
    # Status, channel, category and flags repeat across rows: interned, a big queue shares one copy each.
    return QueueRow(
        id=r[0],
        external_id=r[1],
        priority=r[2],
        sla_deadline=r[3],
        risk_rank=r[4],
        status=sys.intern(r[5]),
        channel=sys.intern(r[6] or ""),
        category=sys.intern(r[7]),
        account_handle=r[8],
        risk_flags=tuple(sys.intern(f) for f in r[9] or ()),
        tier=r[10],
        item_kinds=None if kinds is None else tuple(kinds.get(r[0], ())),
    )


def _item_kinds(session: Session, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """One indexed query (ix_item_case) for the item kinds of a page's cases."""
    kinds: dict[uuid.UUID, list[str]] = {}
    if case_ids:
        stmt = (
            select(Item.case_id, Item.kind)
            .where(Item.case_id.in_(case_ids))
            .order_by(Item.case_id, Item.position)
        )
        for case_id, kind in session.execute(stmt):
            kinds.setdefault(case_id, []).append(kind)
    return kinds


def _key_of(r: Sequence[Any]) -> tuple[Any, ...]:
    return (r[2], r[3], r[4], r[0])


def _fetch(
    session: Session, flt: QueueFilter, bound: QueueKey | None, *, forward: bool, limit: int, item_kinds: bool
) -> list[QueueRow]:
    if limit <= 0:
        return []
    backend = _backend(session, flt)
    per_status: list[list[Any]] = []
    for status in dict.fromkeys(flt.statuses):  # unique, in the given order
        stmt = _page_statement(flt, status, bound, forward=forward, limit=limit, backend=backend)
        per_status.append(list(session.execute(stmt)))
    if len(per_status) == 1:
        raw = per_status[0]
    else:  # each list is already in (reverse) queue order: merge, don't sort
        raw = list(itertools.islice(heapq.merge(*per_status, key=_key_of, reverse=not forward), limit))
    if not forward:
        raw.reverse()
    kinds = _item_kinds(session, [r[0] for r in raw]) if item_kinds else None
    return [_to_row(r, kinds) for r in raw]


def fetch_page(
    session: Session,
    flt: QueueFilter,
    after: QueueKey | None = None,
    limit: int = PAGE_SIZE,
    *,
    item_kinds: bool = True,
) -> list[QueueRow]:
    """Up to ``limit`` rows in queue order, strictly after ``after`` (from the start if None)."""
    return _fetch(session, flt, after, forward=True, limit=limit, item_kinds=item_kinds)


def fetch_before(
    session: Session,
    flt: QueueFilter,
    before: QueueKey,
    limit: int = PAGE_SIZE,
    *,
    item_kinds: bool = True,
) -> list[QueueRow]:
    """The page just before ``before``: up to ``limit`` rows, returned in queue order."""
    return _fetch(session, flt, before, forward=False, limit=limit, item_kinds=item_kinds)


def fetch_case(session: Session, case_id: uuid.UUID, flt: QueueFilter | None = None) -> QueueRow | None:
    """One case as a queue row, or None if it does not exist (or does not pass ``flt``, when given)."""
    base = flt or QueueFilter()
    backend = _backend(session, base)
    for status in dict.fromkeys(base.statuses if flt is not None else CASE_STATUSES):
        found = session.execute(_select_rows(base, status, backend).where(Case.id == case_id)).first()
        if found is not None:
            return _to_row(found, _item_kinds(session, [case_id]))
    return None


def count(session: Session, flt: QueueFilter, *, cap: int | None = None) -> int:
    """Exact number of cases passing ``flt``; with ``cap``, stops counting at ``cap``.

    A status-only count reads just ix_case_queue (a covering index, no table rows): about 50-70 ms per
    million open cases on SQLite. Channel and category filters read every row of the status (seconds at a
    million) and so does text. Exact counts of big queues belong off the UI thread; ``cap`` bounds the
    cost for a "10,000+" label.
    """
    backend = _backend(session, flt)
    total = 0
    for status in dict.fromkeys(flt.statuses):
        stmt = select(Case.id).select_from(Case)
        if flt.text:
            stmt = stmt.outerjoin(Account, Account.id == Case.account_id)
        stmt = _where(stmt, flt, status, backend)
        if cap is not None:
            stmt = stmt.limit(max(0, cap - total))
        total += session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        if cap is not None and total >= cap:
            return cap
    return total


def query_plan(
    session: Session, flt: QueueFilter, bound: QueueKey | None = None, *, forward: bool = True
) -> list[list[str]]:
    """SQLite's EXPLAIN QUERY PLAN details for each per-status page query (for tests and benchmarks)."""
    plans: list[list[str]] = []
    conn = session.connection()
    seen: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        seen.append((statement, parameters))

    backend = _backend(session, flt)
    for status in dict.fromkeys(flt.statuses):
        stmt = _page_statement(flt, status, bound, forward=forward, limit=PAGE_SIZE, backend=backend)
        event.listen(conn, "before_cursor_execute", grab)
        try:  # run it once to get the statement and parameters exactly as the driver sees them
            session.execute(stmt).all()
        finally:
            event.remove(conn, "before_cursor_execute", grab)
        sql, params = seen[-1]
        plans.append([row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)])
    return plans


def channels(session: Session) -> list[str]:
    """All channel codes, sorted."""
    return list(session.scalars(select(Channel.code).order_by(Channel.code)))


def categories(session: Session) -> list[str]:
    """The categories a case can have, in policy order.

    This is the closed vocabulary the importer enforces (``reviewer.categories.CATEGORIES``) rather than a
    ``SELECT DISTINCT`` over the case table, which has no index on category and would read every row.
    """
    del session  # kept in the signature so a future indexed query can replace the vocabulary
    return list(CATEGORIES)
