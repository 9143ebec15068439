"""Pass 2 of the import: rows for the validated cases, written inside the caller's write transaction.

Rows are plain tuples in the forms SQLAlchemy itself stores on SQLite (a ``Uuid`` as 32 lowercase hex
digits, a ``UTCDateTime`` as naive UTC text with microseconds, ``JSON`` as ``json.dumps`` text;
``tests/reviewer/importing/test_import_fast_path.py`` checks them against the ORM's own bind processors). On SQLite
they go through the driver with ``executemany`` (``SqliteSink``); on any other backend they are turned
back into Python values and inserted with SQLAlchemy Core, type processing and all (``CoreSink``).

Case and item ids are fresh uuid4s in ascending order (``reviewer.importing.ids``, drawn by the validation
workers, each range of the file its own slice of the id space): each primary-key (and ``item.case_id``)
b-tree then fills in one sweep instead of at random places, which keeps the page cache small and the
inserts fast. Only their order follows the file.

For a big import into a small table, the table's plain (non-unique) indexes are dropped inside the
transaction and rebuilt from their own SQL just before the commit: building an index from sorted data
costs much less than a million random inserts. A rollback brings them back untouched.

Both sinks write sensitive text sealed (``reviewer.vault``): report and item texts go in as AES-GCM
values bound to their row, and each distinct word of a report text as a blind index term
(``case_term``), in the same transaction as the case; the case row keeps its own terms too (``terms``,
schema 0018). An import's rows come already sealed, with their terms, from its validation workers
(``write(..., terms=...)``, case rows as ``CASE_WRITTEN``; it leaves out the rows of terms too common to
index, ``reviewer.importing.common_terms``); other callers hand plain rows as ``CASE_COLUMNS``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from reviewer.importing.ids import ascending_uuid4_hex
from reviewer.models import Account, Case, CaseTerm, Channel, CommonTerm, Item, table_of
from reviewer.queue_search import fold_pending
from reviewer.vault.state import Vault

#: Page cache of the import's connection while it writes (KiB; the connection's own value comes back).
CACHE_KIB_BULK = 64 << 10  # plain indexes rebuilt at the end: inserts mostly append
CACHE_KIB_LIVE = 192 << 10  # indexes kept live: inserts land all over big b-trees
#: The set-aside indexes are rebuilt with a small page cache (KiB) and SQLite's sorter in helper threads:
#: each index's keys are sorted in runs of about the cache's size, by up to ``REBUILD_THREADS`` threads
#: beside the one reading the table, then merged. 1M cases, six indexes, 2 cores: 6.4 s with the writes'
#: 64 MB cache and no helper, 4.8 s with 4 MB and none, 3.4-3.7 s with 2 MB and 2-4 helpers.
REBUILD_CACHE_KIB = 2 << 10
REBUILD_THREADS = 4
#: Rebuild a table's plain indexes when at least this many rows are added and no fewer than it holds.
DEFER_INDEXES_MIN_ROWS = 50_000
IN_CHUNK = 500

#: Case columns bound per row; the others are the same for every imported case (``CASE_FIXED``).
CASE_COLUMNS = (
    "id",
    "external_id",
    "channel_id",
    "account_id",
    "category",
    "priority",
    "sla_deadline",
    "risk_rank",
    "reporter",
    "report_text",
    "scores",
    "created_at",
    "requester",  # JSON text or None; sealed like report_text (schema 0012)
    "response_due_at",
)
#: The columns a sink writes: ``CASE_COLUMNS`` and the report text's own index terms (``sealing.term_set``;
#: None without a vault), which ``seal_rows`` adds.
CASE_WRITTEN = (*CASE_COLUMNS, "terms")
CASE_FIXED: dict[str, Any] = {
    "status": "open",
    "tier": 1,
    "claimed_by": None,
    "claim_expires_at": None,
    "state_seq": 0,
}
ITEM_COLUMNS = ("id", "case_id", "position", "kind", "media_sha256", "media_ext", "text", "url", "phash")
TERM_COLUMNS = ("term", "case_id")
_REPORT_TEXT = CASE_COLUMNS.index("report_text")
_REQUESTER = CASE_COLUMNS.index("requester")
_ITEM_TEXT = ITEM_COLUMNS.index("text")
ACCOUNT_COLUMNS = ("id", "platform", "handle", "risk_flags", "risk_score", "created_at")
CHANNEL_COLUMNS = ("id", "code", "name")


def _insert_sql(table: str, columns: Sequence[str], fixed: dict[str, str] | None = None) -> str:
    """``INSERT`` binding ``columns``, with ``fixed`` columns given as SQL literals."""
    fixed = fixed or {}
    names = ", ".join([*columns, *fixed])
    values = ", ".join(["?"] * len(columns) + list(fixed.values()))
    return f'INSERT INTO "{table}" ({names}) VALUES ({values})'


_INSERT_CASE = _insert_sql(  # 'open', 1, NULL, NULL
    "case", CASE_WRITTEN, {k: "NULL" if v is None else repr(v) for k, v in CASE_FIXED.items()}
)
_INSERT_ITEM = _insert_sql("item", ITEM_COLUMNS)
_INSERT_ACCOUNT = _insert_sql("account", ACCOUNT_COLUMNS)
_INSERT_CHANNEL = _insert_sql("channel", CHANNEL_COLUMNS)
_INSERT_TERM = _insert_sql("case_term", TERM_COLUMNS)
_INSERT_COMMON = "INSERT OR IGNORE INTO common_term (term) VALUES (?)"


def seal_rows(
    vault: Vault | None, cases: list[tuple[Any, ...]], items: list[tuple[Any, ...]]
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[int, str]]]:
    """Case rows (``CASE_COLUMNS`` in, ``CASE_WRITTEN`` out) and item rows with their texts sealed to their
    row ids, and the report texts' index terms (every one: a few rows of a common term are harmless).
    No vault (a team server): the rows as they are, no terms (search there matches plain text)."""
    if vault is None:
        return [(*r, None) for r in cases], items, []
    at, it, rq = _REPORT_TEXT, _ITEM_TEXT, _REQUESTER
    ids = [r[0] for r in cases]
    reports = [r[at] for r in cases]
    sealed_reports = vault.seal_texts(reports, "case", "report_text", ids)
    term_rows, term_sets = vault.term_rows_and_sets(reports, ids)  # rows in b-tree order: fewer page splits
    sealed_cases = [
        (*r[:at], s, *r[at + 1 :], t) for r, s, t in zip(cases, sealed_reports, term_sets, strict=True)
    ]
    asked = [k for k, r in enumerate(cases) if r[rq] is not None]  # requesters: few cases have one
    if asked:
        texts = [cases[k][rq] for k in asked]
        sealed = vault.seal_texts(texts, "case", "requester", [ids[k] for k in asked])
        for k, s in zip(asked, sealed, strict=True):
            r = sealed_cases[k]
            sealed_cases[k] = (*r[:rq], s, *r[rq + 1 :])
    with_text = [k for k, r in enumerate(items) if r[it] is not None]
    sealed_items = list(items)
    if with_text:
        texts = [items[k][it] for k in with_text]
        sealed = vault.seal_texts(texts, "item", "text", [items[k][0] for k in with_text])
        for k, s in zip(with_text, sealed, strict=True):
            r = items[k]
            sealed_items[k] = (*r[:it], s, *r[it + 1 :])
    return sealed_cases, sealed_items, term_rows


def sorted_uuid4_hex(n: int) -> Iterator[str]:
    """``n`` fresh uuid4s (32 hex digits), ascending."""
    yield from ascending_uuid4_hex(n)


class SqliteSink:
    """Rows through the SQLite driver connection of the write transaction."""

    def __init__(self, conn: Connection, vault: Vault | None) -> None:
        self.conn = conn
        self.vault = vault
        self._deferred: list[str] = []
        self._cache: int | None = None

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(self.conn.exec_driver_sql(sql, tuple(params)))

    def has_cases(self) -> bool:
        return bool(self._rows('SELECT EXISTS (SELECT 1 FROM "case")')[0][0])

    def existing_ids(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), IN_CHUNK):
            chunk = ids[start : start + IN_CHUNK]
            sql = f'SELECT external_id FROM "case" WHERE external_id IN ({", ".join("?" * len(chunk))})'
            found.update(r[0] for r in self._rows(sql, chunk))
        return found

    def channels(self) -> dict[str, str]:
        return {code: cid for code, cid in self._rows("SELECT code, id FROM channel")}

    def accounts(self) -> dict[tuple[str, str], str]:
        return {(p, h): aid for p, h, aid in self._rows("SELECT platform, handle, id FROM account")}

    def common_terms(self) -> set[int]:
        return {t for (t,) in self._rows("SELECT term FROM common_term")}

    def add_common(self, terms: Sequence[int]) -> None:
        if terms:
            self.conn.exec_driver_sql(_INSERT_COMMON, [(t,) for t in terms])

    def prepare(self, cases: int, items: int) -> None:
        """A bigger page cache; plain indexes of tables about to grow a lot set aside until ``finish``."""
        if not self._rows("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"):
            # (with ANALYZE statistics, dropping an index would drop its statistics too: never then)
            for table, adding in (("case", cases), ("item", items)):
                if adding < DEFER_INDEXES_MIN_ROWS:
                    continue
                held = self._rows(f'SELECT max(rowid) FROM "{table}"')[0][0] or 0
                if adding < held:
                    continue
                indexes = self._rows(
                    "SELECT name, sql FROM sqlite_master"
                    " WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
                    (table,),
                )
                for name, sql in indexes:
                    # Never a UNIQUE one; nor a partial one: imported rows are outside it (a case is
                    # not claimed, a text item has no media), so keeping it costs nothing, and
                    # rebuilding it would read the whole table for no row.
                    if sql.lstrip().upper().startswith("CREATE INDEX") and " WHERE " not in sql.upper():
                        self.conn.exec_driver_sql(f'DROP INDEX "{name}"')
                        self._deferred.append(sql)
        self._cache = int(self._rows("PRAGMA cache_size")[0][0])
        kib = CACHE_KIB_BULK if self._deferred else CACHE_KIB_LIVE
        if self._cache >= 0 or -self._cache < kib:  # (a positive value counts pages: leave it alone)
            self.conn.exec_driver_sql(f"PRAGMA cache_size = -{kib}")

    def write(
        self,
        channels: list[tuple[Any, ...]],
        accounts: list[tuple[Any, ...]],
        cases: list[tuple[Any, ...]],
        items: list[tuple[Any, ...]],
        *,
        terms: Sequence[tuple[int, str]] | None = None,
    ) -> None:
        """Rows as ``CHANNEL_COLUMNS``, ``ACCOUNT_COLUMNS``, ``CASE_COLUMNS``, ``ITEM_COLUMNS``: texts plain
        and sealed here, or (``terms`` given: the ``(term, case id)`` rows, and case rows as
        ``CASE_WRITTEN``) sealed already."""
        if terms is None:
            cases, items, terms = seal_rows(self.vault, cases, items)
        for sql, rows in (
            (_INSERT_CHANNEL, channels),
            (_INSERT_ACCOUNT, accounts),
            (_INSERT_CASE, cases),
            (_INSERT_ITEM, items),
            (_INSERT_TERM, terms),
        ):
            if rows:
                self.conn.exec_driver_sql(sql, rows)
        if accounts:
            fold_pending(self.conn)  # the new handles into the search index, in bulk

    def finish(self, ok: bool) -> None:
        """Rebuild the set-aside indexes (on success; a rollback restores them), restore the page cache."""
        try:
            if ok and self._deferred:
                threads = int(self._rows("PRAGMA threads")[0][0])
                self.conn.exec_driver_sql(f"PRAGMA cache_size = -{REBUILD_CACHE_KIB}")
                self.conn.exec_driver_sql(f"PRAGMA threads = {REBUILD_THREADS}")
                try:
                    for sql in self._deferred:
                        self.conn.exec_driver_sql(sql)
                finally:
                    self.conn.exec_driver_sql(f"PRAGMA threads = {threads}")
        finally:
            self._deferred = []
            if self._cache is not None:
                cache, self._cache = self._cache, None
                try:
                    self.conn.exec_driver_sql(f"PRAGMA cache_size = {cache}")
                except Exception:  # the connection is failing anyway; the error in flight says why
                    if ok:
                        raise


def _uuid(value: str | None) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(hex=value)


def _aware(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


class CoreSink:
    """The same rows for any other backend, as Python values through SQLAlchemy Core (correctness first)."""

    def __init__(self, session: Session, vault: Vault | None) -> None:
        self.session = session
        self.vault = vault

    def has_cases(self) -> bool:
        return self.session.execute(select(Case.id).limit(1)).first() is not None

    def existing_ids(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), IN_CHUNK):
            query = select(Case.external_id).where(Case.external_id.in_(ids[start : start + IN_CHUNK]))
            found.update(self.session.execute(query).scalars())
        return found

    def channels(self) -> dict[str, str]:
        return {code: cid.hex for code, cid in self.session.execute(select(Channel.code, Channel.id))}

    def accounts(self) -> dict[tuple[str, str], str]:
        rows = self.session.execute(select(Account.platform, Account.handle, Account.id))
        return {(p, h): aid.hex for p, h, aid in rows}

    def common_terms(self) -> set[int]:
        return set(self.session.execute(select(CommonTerm.term)).scalars())

    def add_common(self, terms: Sequence[int]) -> None:
        if not terms:  # (most batches)
            return
        known = self.common_terms()  # another import may have committed one meanwhile
        fresh = [{"term": t} for t in dict.fromkeys(terms) if t not in known]
        if fresh:
            self.session.execute(insert(table_of(CommonTerm)), fresh)

    def prepare(self, cases: int, items: int) -> None:
        pass

    def write(
        self,
        channels: list[tuple[Any, ...]],
        accounts: list[tuple[Any, ...]],
        cases: list[tuple[Any, ...]],
        items: list[tuple[Any, ...]],
        *,
        terms: Sequence[tuple[int, str]] | None = None,
    ) -> None:
        """As ``SqliteSink.write``."""
        run = self.session.execute
        if terms is None:
            cases, items, terms = seal_rows(self.vault, cases, items)
        if channels:
            rows = [dict(zip(CHANNEL_COLUMNS, (_uuid(r[0]), *r[1:]), strict=True)) for r in channels]
            run(insert(table_of(Channel)), rows)
        if accounts:
            rows = [
                dict(
                    zip(
                        ACCOUNT_COLUMNS,
                        (_uuid(r[0]), r[1], r[2], json.loads(r[3]), r[4], _aware(r[5])),
                        strict=True,
                    )
                )
                for r in accounts
            ]
            run(insert(table_of(Account)), rows)
            fold_pending(self.session.connection())
        if cases:
            rows = [
                CASE_FIXED
                | dict(
                    zip(
                        CASE_WRITTEN,
                        (
                            _uuid(r[0]),
                            r[1],
                            _uuid(r[2]),
                            _uuid(r[3]),
                            r[4],
                            r[5],
                            _aware(r[6]),
                            r[7],
                            r[8],
                            r[9],
                            json.loads(r[10]),
                            _aware(r[11]),
                            r[12],
                            _aware(r[13]),
                            r[14],
                        ),
                        strict=True,
                    )
                )
                for r in cases
            ]
            run(insert(table_of(Case)), rows)
        if items:
            rows = [dict(zip(ITEM_COLUMNS, (_uuid(r[0]), _uuid(r[1]), *r[2:]), strict=True)) for r in items]
            run(insert(table_of(Item)), rows)
        term_rows = [{"term": t, "case_id": _uuid(c)} for t, c in terms]
        if term_rows:
            run(insert(table_of(CaseTerm)), term_rows)

    def finish(self, ok: bool) -> None:
        pass


Sink = SqliteSink | CoreSink


def sink_for(session: Session, vault: Vault | None, *, fast: bool = True) -> Sink:
    """The driver-level sink on SQLite (unless ``fast`` is False), the Core one everywhere else; both seal
    texts with ``vault`` (None: a team server, texts stored plain)."""
    conn = session.connection()
    if fast and conn.dialect.name == "sqlite":
        return SqliteSink(conn, vault)
    return CoreSink(session, vault)
