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
What a search matches, and how it is planned, is in ``reviewer.queue_search``.

Channel, category, tier and text filters are checked on rows as the index is walked in order (no index
on ``tier``: without statistics SQLite could take it over ``ix_case_queue`` and sort every page). That is cheap when
matches are common; a filter matching very few cases can walk much of the index before it fills a page.
So a text search first lists its candidates from indexes (``queue_search.candidates``): when they are few,
the page reads just those cases by primary key and sorts them; when they are many, it walks the queue.
"""

from __future__ import annotations

import heapq
import itertools
import json
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    bindparam,
    event,
    false,
    func,
    literal_column,
    or_,
    select,
    tuple_,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ClauseElement

from reviewer import queue_search
from reviewer.categories import CATEGORIES
from reviewer.clock import utcnow
from reviewer.models import Account, Case, CaseTerm, Channel, Item
from reviewer.models.entities import CASE_STATUSES
from reviewer.responses.states import ResponseState, response_details, stored_response_columns
from reviewer.storage.prepared import PreparedSelect
from reviewer.vault.errors import KeyUnavailable
from reviewer.vault.sealing import term, term_bytes, words
from reviewer.vault.state import vault_in

QueueKey = tuple[int, datetime, int, uuid.UUID]  # (priority, sla_deadline, risk_rank, id)

PAGE_SIZE = 200


def tier_statuses(tier: int) -> tuple[str, ...]:
    """The statuses a case at ``tier`` can have, the one it waits in first: an escalation makes a case
    "escalated" and moves it up, so tier 1 has open cases and the tiers above escalated ones."""
    return ("open", "skipped", "decided") if tier <= 1 else ("escalated", "skipped", "decided")


@dataclass(frozen=True)
class QueueFilter:
    """Which cases the queue shows. ``text`` matches an external id prefix (as typed, upper-, lower-cased
    or capitalised), a substring of the account handle (any case), or whole words of the report text (all
    of its words, any case); see ``reviewer.queue_search``."""

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


@dataclass(frozen=True)
class _Backend:
    """What the statements of one read depend on: the dialect, the report-text search terms (None:
    nothing sealed, match the plain text; empty: the search has no words or no key is here) and the
    search's candidate cases (None: walk the queue; see ``reviewer.queue_search``)."""

    sqlite: bool
    terms: tuple[int, ...] | None
    candidates: tuple[uuid.UUID, ...] | None = None


def _backend(session: Session, flt: QueueFilter, *, plan: bool = False) -> _Backend:
    """The backend of a read; with ``plan``, a text search also lists its candidates when they are few."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    if not (flt.text and flt.text.strip()):
        return _Backend(sqlite, None)
    terms: tuple[int, ...] | None
    try:
        vault = vault_in(session)
    except KeyUnavailable:
        terms = ()
    else:
        terms = None if vault is None else tuple(sorted(term(vault.index_key, w) for w in words(flt.text)))
    if not plan:
        return _Backend(sqlite, terms)
    found = queue_search.candidates(session, flt.text.strip(), terms, sqlite=sqlite)
    return _Backend(sqlite, terms, None if found is None else tuple(found))


def _report_text_match(terms: tuple[int, ...]) -> Any:
    """Every term in the row's case: found in the row's own ``terms`` (its 8 bytes at an offset that is a
    multiple of 8), or, for a case written before schema 0018 (``terms`` NULL), one primary-key probe of
    ``case_term`` per term (a correlated EXISTS; an ``IN (subquery)`` would first collect every case
    holding a common word, 0.3 s for a word of all 1M cases)."""
    if not terms:
        return false()
    return and_(
        *(
            or_(
                (func.instr(Case.terms, term_bytes(t)) - 1) % 8 == 0,  # instr: 0 when absent, so -1
                and_(
                    Case.terms.is_(None),
                    select(CaseTerm.case_id).where(CaseTerm.term == t, CaseTerm.case_id == Case.id).exists(),
                ),
            )
            for t in terms
        )
    )


def _where(
    stmt: Select[*tuple[Any, ...]], flt: QueueFilter, status: str, backend: _Backend
) -> Select[*tuple[Any, ...]]:
    """Add the filter's conditions; the text condition needs ``account`` joined."""
    sqlite = backend.sqlite
    if backend.candidates is None:
        stmt = stmt.where(Case.status == status)
    else:  # the candidates by primary key; ``status || ''`` keeps SQLite off ix_case_queue here
        stmt = stmt.where(Case.id.in_(backend.candidates), Case.status.concat("") == status)
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
        typed = flt.text.strip()
        needle = queue_search.escape_like(typed)

        # SQLite's LIKE already ignores ASCII case; ILIKE there would add lower() on every row.
        def match(column: Any, pattern: str) -> Any:
            return column.like(pattern, escape="\\") if sqlite else column.ilike(pattern, escape="\\")

        stmt = stmt.where(
            or_(
                queue_search.id_prefix_match(typed),
                match(Account.handle, f"%{needle}%"),
                match(Case.report_text, f"%{needle}%")
                if backend.terms is None
                else _report_text_match(backend.terms),
            )
        )
    return stmt


# SQLite: the id, deadline and flags as stored (text), turned into values by ``_to_row`` (a third of the
# cost of SQLAlchemy's per-value result processors), and the page's item kinds in the same statement: one
# correlated probe of ix_item_case per row, in position order, instead of a second query.
_SQLITE_ROW_COLUMNS = (
    type_coerce(Case.id, String),
    *_ROW_COLUMNS[1:3],
    type_coerce(Case.sla_deadline, String),
    *_ROW_COLUMNS[4:9],
    type_coerce(Account.risk_flags, String),
    _ROW_COLUMNS[10],
)
#: Where ``stored_response_columns`` start in a SQLite row (after the item kinds when those are read).
_SQLITE_RESPONSE_AT = len(_SQLITE_ROW_COLUMNS)
_SQLITE_KINDS: Any = literal_column(
    "(SELECT group_concat(kind, ',') FROM"
    ' (SELECT kind FROM item WHERE item.case_id = "case".id ORDER BY item.position))'
).label("item_kinds")


def _select_rows(
    flt: QueueFilter, status: Any, backend: _Backend, *, kinds: bool = False, responses: bool = False
) -> Select[*tuple[Any, ...]]:
    """The queue rows of one status that pass the filter, unordered and unbounded; with ``kinds`` (SQLite
    only) each row then has its item kinds, comma-separated, and with ``responses`` (SQLite only) ends with
    the case's response deadline as stored and whether it was answered."""
    # Outer joins keep ``case`` the outer loop, so SQLite walks ix_case_queue in order (channel_id is NOT
    # NULL, so the channel join never adds NULLs).
    columns: tuple[Any, ...] = _ROW_COLUMNS
    if backend.sqlite:
        columns = (*_SQLITE_ROW_COLUMNS, _SQLITE_KINDS) if kinds else _SQLITE_ROW_COLUMNS
        if responses:
            columns = (*columns, *stored_response_columns())
    stmt = (
        select(*columns)
        .select_from(Case)
        .outerjoin(Channel, Channel.id == Case.channel_id)
        .outerjoin(Account, Account.id == Case.account_id)
    )
    return _where(stmt, flt, status, backend)


def _page_statement(
    flt: QueueFilter,
    status: Any,
    bound: QueueKey | ClauseElement | None,
    *,
    forward: bool,
    limit: Any,
    backend: _Backend,
    kinds: bool = False,
    responses: bool = False,
) -> Select[*tuple[Any, ...]]:
    stmt = _select_rows(flt, status, backend, kinds=kinds, responses=responses)
    keyset = tuple_(*_KEY_COLUMNS)
    if bound is not None:  # a key's values, or a tuple of parameters (``_prepared_page``)
        other = bound if isinstance(bound, ClauseElement) else tuple(bound)
        stmt = stmt.where(keyset > other if forward else keyset < other)
    order = _KEY_COLUMNS if forward else tuple(c.desc() for c in _KEY_COLUMNS)
    return stmt.order_by(*order).limit(limit)


_FLAGS: dict[str, tuple[str, ...]] = {}  # flags as stored -> interned tuple (a few distinct sets)


def _case_id(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def _deadline(value: Any) -> datetime:
    """As ``UTCDateTime`` reads it: aware, in UTC."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _flags(value: Any) -> tuple[str, ...]:
    if not isinstance(value, str):
        return tuple(sys.intern(f) for f in value or ())
    found = _FLAGS.get(value)
    if found is None:
        found = tuple(sys.intern(f) for f in json.loads(value) or ())
        if len(_FLAGS) < 4096:
            _FLAGS[value] = found
    return found


def _to_row(r: Sequence[Any], kinds: dict[uuid.UUID, list[str]] | None, *, in_row: bool = False) -> QueueRow:
    """One row read by ``_select_rows``; the item kinds from ``kinds`` or, with ``in_row``, from the row's
    last column."""
    # Status, channel, category and flags repeat across rows: interned, a big queue shares one copy each.
    case_id = _case_id(r[0])
    item_kinds: tuple[str, ...] | None = None
    if in_row:
        item_kinds = tuple(sys.intern(k) for k in r[11].split(",")) if r[11] else ()
    elif kinds is not None:
        item_kinds = tuple(kinds.get(case_id, ()))
    return QueueRow(
        id=case_id,
        external_id=r[1],
        priority=r[2],
        sla_deadline=_deadline(r[3]),
        risk_rank=r[4],
        status=sys.intern(r[5]),
        channel=sys.intern(r[6] or ""),
        category=sys.intern(r[7]),
        account_handle=r[8],
        risk_flags=_flags(r[9]),
        tier=r[10],
        item_kinds=item_kinds,
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


def _row_key(r: QueueRow) -> QueueKey:
    return r.key


# SQLite pages of a filter without text or lane: one statement per shape, built and compiled once, its
# values bound by name and run on the driver connection (``PreparedSelect``). Building the statement,
# SQLAlchemy's cache-key lookup and execution context were ~1 ms of a ~3 ms page.
_PREPARED: dict[tuple[bool, ...], PreparedSelect] = {}
_KEY_NAMES = ("after_priority", "after_deadline", "after_risk_rank", "after_id")


def _preparable(flt: QueueFilter, backend: _Backend) -> bool:
    return backend.sqlite and backend.candidates is None and not flt.text and flt.case_ids is None


def _prepared_page(
    flt: QueueFilter, *, bound: bool, forward: bool, kinds: bool, responses: bool
) -> PreparedSelect:
    """The page statement of ``flt``'s shape (which filters are set, bound or not, direction, columns),
    with named parameters: status, channel, category, tier, the bound key's ``_KEY_NAMES``, limit."""
    shape = (
        flt.channel is not None,
        flt.category is not None,
        flt.tier is not None,
        bound,
        forward,
        kinds,
        responses,
    )
    found = _PREPARED.get(shape)
    if found is None:
        # The filter's own conditions (``_where``) with parameters in place of the values.
        param: Any = bindparam
        template = QueueFilter(
            channel=None if flt.channel is None else param("channel", type_=String),
            category=None if flt.category is None else param("category", type_=String),
            tier=None if flt.tier is None else param("tier", type_=Integer),
        )
        after = tuple_(*(bindparam(n, type_=c.type) for n, c in zip(_KEY_NAMES, _KEY_COLUMNS, strict=True)))
        stmt = _page_statement(
            template,
            bindparam("status", type_=String),
            after if bound else None,
            forward=forward,
            limit=bindparam("limit", type_=Integer),
            backend=_Backend(True, None),
            kinds=kinds,
            responses=responses,
        )
        found = _PREPARED[shape] = PreparedSelect(stmt)
    return found


def _read_prepared(
    session: Session,
    flt: QueueFilter,
    status: str,
    bound: QueueKey | None,
    *,
    forward: bool,
    limit: int,
    kinds: bool,
    responses: dict[uuid.UUID, ResponseState] | None,
) -> list[QueueRow]:
    stmt = _prepared_page(
        flt, bound=bound is not None, forward=forward, kinds=kinds, responses=responses is not None
    )
    values: dict[str, Any] = {
        "status": status,
        "channel": flt.channel,
        "category": flt.category,
        "tier": flt.tier,
        "limit": limit,
    }
    if bound is not None:
        values.update(zip(_KEY_NAMES, bound, strict=True))
    raw = stmt.rows_as_stored(session.connection(), values)
    rows = [_to_row(r, None, in_row=kinds) for r in raw]
    if responses is not None:
        _stored_responses(responses, rows, raw, _SQLITE_RESPONSE_AT + (1 if kinds else 0))
    return rows


def _stored_responses(
    into: dict[uuid.UUID, ResponseState], rows: Sequence[QueueRow], raw: Sequence[Any], at: int
) -> None:
    """The response states of ``rows`` from the columns ``stored_response_columns`` added to their raw
    rows at ``at`` (deadline as stored, answered)."""
    now = utcnow()
    for row, r in zip(rows, raw, strict=True):
        if r[at] is not None:
            into[row.id] = ResponseState.of(_deadline(r[at]), bool(r[at + 1]), now)


def _fetch(
    session: Session,
    flt: QueueFilter,
    bound: QueueKey | None,
    *,
    forward: bool,
    limit: int,
    item_kinds: bool,
    responses: dict[uuid.UUID, ResponseState] | None = None,
) -> list[QueueRow]:
    """A page; with ``responses``, the response states of its cases are put there (read with the rows
    when they can be, by ``response_details`` otherwise)."""
    if limit <= 0:
        return []
    backend = _backend(session, flt, plan=True)
    in_row = item_kinds and backend.sqlite  # the kinds come with the rows
    prepared = _preparable(flt, backend)
    # Core execution on the session's connection: the rows are plain tuples, no ORM loading to set up.
    conn = session.connection()
    per_status: list[list[QueueRow]] = []
    for status in dict.fromkeys(flt.statuses):  # unique, in the given order
        if prepared:
            per_status.append(
                _read_prepared(
                    session,
                    flt,
                    status,
                    bound,
                    forward=forward,
                    limit=limit,
                    kinds=in_row,
                    responses=responses,
                )
            )
            continue
        stmt = _page_statement(
            flt, status, bound, forward=forward, limit=limit, backend=backend, kinds=in_row
        )
        per_status.append([_to_row(r, None, in_row=in_row) for r in conn.execute(stmt).all()])
    if len(per_status) == 1:
        rows = per_status[0]
    else:  # each list is already in (reverse) queue order: merge, don't sort
        merged = heapq.merge(*per_status, key=_row_key, reverse=not forward)
        rows = list(itertools.islice(merged, limit))
    if not forward:
        rows.reverse()
    if item_kinds and not in_row:
        kinds = _item_kinds(session, [r.id for r in rows])
        rows = [replace(r, item_kinds=tuple(kinds.get(r.id, ()))) for r in rows]
    if responses is not None and not prepared and rows:
        responses.update(response_details(session, [r.id for r in rows]))
    return rows


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


def fetch_page_responses(
    session: Session, flt: QueueFilter, after: QueueKey | None = None, limit: int = PAGE_SIZE
) -> tuple[list[QueueRow], dict[uuid.UUID, ResponseState]]:
    """What the queue's view reads for a page: ``fetch_page`` without item kinds, and the response state
    of each case on it that expects a response (``reviewer.responses.states``), in one statement on
    SQLite."""
    responses: dict[uuid.UUID, ResponseState] = {}
    rows = _fetch(session, flt, after, forward=True, limit=limit, item_kinds=False, responses=responses)
    return rows, responses


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
    backend = _backend(session, flt, plan=True)
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


def search_plan(session: Session, flt: QueueFilter) -> str:
    """How a read with ``flt`` finds its rows: "candidates" (a text search with few candidate cases,
    read by primary key) or "walk" (ix_case_queue in order). For tests and benchmarks."""
    return "walk" if _backend(session, flt, plan=True).candidates is None else "candidates"


def query_plan(
    session: Session, flt: QueueFilter, bound: QueueKey | None = None, *, forward: bool = True
) -> list[list[str]]:
    """SQLite's EXPLAIN QUERY PLAN details for each per-status page query (for tests and benchmarks)."""
    plans: list[list[str]] = []
    conn = session.connection()
    seen: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        seen.append((statement, parameters))

    backend = _backend(session, flt, plan=True)
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


def fetch_rows(session: Session, case_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, QueueRow]:
    """The queue rows of ``case_ids`` whatever their status (a model that keeps only ids builds the
    rows it shows from these); one primary-key probe per case, 500 ids a query. Missing ids are left out."""
    return fetch_rows_responses(session, case_ids, responses=False)[0]


def fetch_rows_responses(
    session: Session, case_ids: Sequence[uuid.UUID], *, responses: bool = True
) -> tuple[dict[uuid.UUID, QueueRow], dict[uuid.UUID, ResponseState]]:
    """``fetch_rows`` and (with ``responses``) the response state of each found case that expects one,
    read with the rows on SQLite (what the queue model reads for rows it shows but no longer caches)."""
    found: dict[uuid.UUID, QueueRow] = {}
    states: dict[uuid.UUID, ResponseState] = {}
    sqlite = session.get_bind().dialect.name == "sqlite"
    columns: tuple[Any, ...] = _ROW_COLUMNS
    if sqlite:  # values as stored, converted by ``_to_row``
        columns = (*_SQLITE_ROW_COLUMNS, *stored_response_columns()) if responses else _SQLITE_ROW_COLUMNS
    conn = session.connection()
    wanted = list(dict.fromkeys(case_ids))
    for start in range(0, len(wanted), 500):
        stmt = (
            select(*columns)
            .select_from(Case)
            .outerjoin(Channel, Channel.id == Case.channel_id)
            .outerjoin(Account, Account.id == Case.account_id)
            .where(Case.id.in_(wanted[start : start + 500]))
        )
        raw = conn.execute(stmt).all()
        rows = [_to_row(r, None) for r in raw]
        found.update((row.id, row) for row in rows)
        if sqlite and responses:
            _stored_responses(states, rows, raw, _SQLITE_RESPONSE_AT)
    if responses and not sqlite and found:
        states = response_details(session, list(found))
    return found, states
