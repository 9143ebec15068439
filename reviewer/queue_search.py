"""Text search of the queue, candidate-first: list every case a search could match from indexes, when
there are few, instead of walking the queue in order and testing each row.

What a search matches (``QueueFilter.text``, case-insensitive, see ``reviewer.queue``):

* an external id that starts with the text as typed, upper-cased, lower-cased or capitalised (a range
  of the unique index on ``external_id`` each; an id in another mix of cases needs its case typed);
* an account handle that contains the text (a substring): on SQLite the FTS5 trigram index
  ``account_handle_fts`` lists the accounts (texts of 3 characters or more), on PostgreSQL ``ILIKE``
  served by the pg_trgm index;
* report texts: sealed at rest, so every word of the search must be a whole word of the report
  (the keyed word index ``case_term``); a database that was never sealed (or the team server, where
  texts are plain) matches a substring of the report text instead.

The planner: the candidate lists are read with a cap (``CANDIDATE_LIMIT``). When every list is complete
and their union is small, the page is read from those cases by primary key and sorted (a few thousand
rows at most); otherwise the page walks ``ix_case_queue`` in order, which fills a page quickly exactly
when matches are common. Both ways the rows are tested with the same full filter, so they return the same
pages; the candidates only need to be a superset.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import String, and_, or_, select, text, type_coerce
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from reviewer.models import Account, Case, CaseTerm, CommonTerm

CANDIDATE_LIMIT = 4000
HANDLE_INDEX = "account_handle_fts"
PENDING = f"{HANDLE_INDEX}_pending"  # accounts written since the last fold into the index
_INDEXED: set[str] = set()  # database URLs seen with the index (a schema is never downgraded while open)
_TRIGRAM = 3  # the trigram index cannot serve a shorter text
_TOP = 0x10FFFF


SEARCH_INDEXES = (HANDLE_INDEX, "ix_account_handle_trgm", "ix_case_report_text_trgm")


def is_search_index(name: str | None) -> bool:
    """Whether ``name`` is one of the search indexes of schema 0016 or an FTS5 shadow table of one
    (derived data with no model)."""
    return name is not None and any(name == n or name.startswith(n + "_") for n in SEARCH_INDEXES)


def escape_like(needle: str) -> str:
    return needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _after(value: str) -> str | None:
    """The smallest string above every string that starts with ``value`` (code point order, which is
    SQLite's binary and UTF-8 byte order), or None when there is none."""
    for cut in range(len(value) - 1, -1, -1):
        point = ord(value[cut]) + 1
        if 0xD800 <= point <= 0xDFFF:
            point = 0xE000
        if point <= _TOP:
            return value[:cut] + chr(point)
    return None


def id_prefix_ranges(needle: str) -> list[tuple[str, str | None]]:
    """``[low, high)`` ranges of external ids starting with ``needle`` as typed, upper-cased, lower-cased or
    capitalised (the unique index on ``external_id`` is binary: a few exact prefixes, not every mix)."""
    variants = (needle, needle.upper(), needle.lower(), needle[:1].upper() + needle[1:].lower())
    return [(v, _after(v)) for v in dict.fromkeys(variants)]


def id_prefix_match(needle: str) -> Any:
    """The external id condition of a search, on one row."""
    return or_(
        *(
            and_(Case.external_id >= low, Case.external_id < high)
            if high is not None
            else Case.external_id >= low
            for low, high in id_prefix_ranges(needle)
        )
    )


def has_handle_index(conn: Connection | Session) -> bool:
    """Whether this SQLite database has the handle trigram index (schema 0016; a bare ``create_all``
    schema has not). Remembered per database file once seen."""
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    key = str(bind.engine.url)
    if key not in _INDEXED:
        if not _has_table(conn, PENDING):
            return False
        _INDEXED.add(key)
    return True


def _fts_phrase(needle: str) -> str:
    return '"' + needle.replace('"', '""') + '"'


def fold_pending(conn: Connection) -> int:
    """Put the accounts noted as pending into the handle index in one bulk insert (SQLite with schema
    0016; anything else: nothing to do). Returns how many. Call it inside the writing transaction."""
    if conn.dialect.name != "sqlite" or not _has_table(conn, PENDING):
        return 0
    moved = conn.exec_driver_sql(
        f"INSERT INTO {HANDLE_INDEX} (handle, account_id)"
        f" SELECT a.handle, a.id FROM {PENDING} p JOIN account a ON a.id = p.account_id"
    ).rowcount
    conn.exec_driver_sql(f"DELETE FROM {PENDING}")
    return max(moved, 0)


def _has_table(conn: Connection | Session, name: str) -> bool:
    found = conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": name}
    ).first()
    return found is not None


def _ids(values: Any) -> list[uuid.UUID]:
    return [v if isinstance(v, uuid.UUID) else uuid.UUID(str(v)) for v in values]


def _few(
    conn: Connection, stmt: Any, limit: int, params: dict[str, Any] | None = None
) -> list[uuid.UUID] | None:
    """The ids ``stmt`` selects if there are at most ``limit`` of them, else None. The ids come as stored
    (no per-value processing) and become UUIDs only when few: a common text stops after ``limit + 1``."""
    if isinstance(stmt, str):
        found = conn.execute(text(f"{stmt} LIMIT :n"), {**(params or {}), "n": limit + 1}).scalars().all()
    else:
        found = conn.execute(stmt.limit(limit + 1)).scalars().all()
    return None if len(found) > limit else _ids(found)


def _handle_accounts(conn: Connection, needle: str, sqlite: bool, limit: int) -> list[uuid.UUID] | None:
    if not sqlite:
        pattern = f"%{escape_like(needle)}%"
        return _few(
            conn,
            select(type_coerce(Account.id, String)).where(Account.handle.ilike(pattern, escape="\\")),
            limit,
        )
    if len(needle) < _TRIGRAM or not has_handle_index(conn):
        return None
    indexed = _few(
        conn,
        f"SELECT account_id FROM {HANDLE_INDEX} WHERE {HANDLE_INDEX} MATCH :q",
        limit,
        {"q": _fts_phrase(needle)},
    )
    # Accounts not folded in yet: a scan of the few noted since the last write.
    pending = _few(
        conn,
        f"SELECT a.id FROM {PENDING} p JOIN account a ON a.id = p.account_id WHERE a.handle LIKE :q ESCAPE '\\'",
        limit,
        {"q": f"%{escape_like(needle)}%"},
    )
    if indexed is None or pending is None:
        return None
    return list(dict.fromkeys(indexed + pending))


def _report_cases(
    conn: Connection, needle: str, terms: tuple[int, ...] | None, sqlite: bool, limit: int
) -> list[uuid.UUID] | None:
    if terms is not None:  # sealed texts: the cases of the rarest word (the full filter checks the rest)
        best: list[uuid.UUID] | None = [] if not terms else None
        # A common word is in more cases than ``limit``, and ``case_term`` may lack some of them: never
        # listed from there (the queue walk checks it in each row's own terms).
        common = set(conn.execute(select(CommonTerm.term).where(CommonTerm.term.in_(terms))).scalars())
        for t in terms:
            if t in common:
                continue
            ids = _few(conn, select(type_coerce(CaseTerm.case_id, String)).where(CaseTerm.term == t), limit)
            if ids is not None and (best is None or len(ids) < len(best)):
                best = ids
        return best
    if sqlite or len(needle) < _TRIGRAM:
        return None  # plain texts on SQLite: no index of substrings
    pattern = f"%{escape_like(needle)}%"
    return _few(
        conn, select(type_coerce(Case.id, String)).where(Case.report_text.ilike(pattern, escape="\\")), limit
    )


def candidates(
    session: Session, needle: str, terms: tuple[int, ...] | None, *, sqlite: bool, limit: int | None = None
) -> list[uuid.UUID] | None:
    """Every case the search ``needle`` could match, or None when that is more than ``limit`` cases (or
    cannot be listed from an index): then walk the queue."""
    limit = CANDIDATE_LIMIT if limit is None else limit
    conn = session.connection()  # Core reads: a few small statements, no ORM loading
    by_id = _few(conn, select(type_coerce(Case.id, String)).where(id_prefix_match(needle)), limit)
    if by_id is None:
        return None
    accounts = _handle_accounts(conn, needle, sqlite, limit)
    if accounts is None:
        return None
    by_account: list[uuid.UUID] = []
    if accounts:
        found = _few(conn, select(type_coerce(Case.id, String)).where(Case.account_id.in_(accounts)), limit)
        if found is None:
            return None
        by_account = found
    reports = _report_cases(conn, needle, terms, sqlite, limit)
    if reports is None:
        return None
    union = set(by_id) | set(by_account) | set(reports)
    return sorted(union) if len(union) <= limit else None
