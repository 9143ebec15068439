"""Keeps the metrics rollups (schema 0009) current: folds only the rows added since the last refresh.

Decisions, cases and reveals are append-only, so ``refresh_rollups(db)`` finds the rows not yet folded,
copies their ids into a temporary batch and adds their counts to the rollup tables, all in one write
transaction; the decision write path is untouched. Which rows are new:

* SQLite: the ``rowid`` is insertion order; the last folded rowid (and that row's id, so a VACUUM that
  renumbers rowids is noticed and leads to a rebuild) is kept in ``sync_state``. A row pulled by sync
  with an older ``created_at`` still gets a higher rowid, so it is folded.
* PostgreSQL: no insertion order is trustworthy across concurrent transactions, so the folded ids are
  kept in ``metrics_folded`` and the batch is every id not in it. The transaction is REPEATABLE READ
  and takes ``LOCK TABLE metrics_folded`` first (before its snapshot), so two refreshes never fold the
  same row and a row committed meanwhile waits for the next refresh.

"Standing" (not undone) and the first final decision of a case change after the fact: an undo folded
later adds to its target's ``undone`` counts, and a final decision older than the case's known first one
(pulled late) moves the case's SLA and outflow contribution from the old first decision to the new one.
What is assumed: a case's channel, category, priority, deadline and creation time, and a reveal, do not
change once folded (a sync pull that rewrites them needs ``rebuild_rollups``).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from reviewer.metrics.rollup_sql import BATCH_TABLES, FOLD_STEPS, ROLLUP_TABLES, parts
from reviewer.storage.database import Database
from reviewer.sync.state import get_value, set_value

SOURCES = {"fold_d": "decision", "fold_c": '"case"', "fold_r": "reveal_event"}
KEY = "metrics.folded.{}"
#: SQLite folds at most this many rows of each table per write transaction, so the first refresh of a large
#: database never holds the write lock for long (a reviewer's decision waits for one chunk at most).
CHUNK = 50_000


def refresh_rollups(db: Database) -> int:
    """Fold every decision, case and reveal not folded yet; returns how many rows were folded.

    On SQLite in chunks of :data:`CHUNK` rows per table, each its own write transaction."""
    total = 0
    while True:
        with db.write() as s:
            if db.is_sqlite:
                conn = s.connection()
            else:
                conn = s.connection(execution_options={"isolation_level": "REPEATABLE READ"})
                conn.exec_driver_sql("LOCK TABLE metrics_folded IN EXCLUSIVE MODE")
            folded = _fold(conn, db.is_sqlite)
        total += folded
        if not folded or not db.is_sqlite:
            return total


def rebuild_rollups(db: Database) -> int:
    """Empty every rollup and fold everything again (after a restore, or to check the incremental one)."""
    with db.write() as s:
        conn = s.connection()
        for name in ROLLUP_TABLES:
            conn.exec_driver_sql(f"DELETE FROM {name}")
        if db.is_sqlite:
            for source in SOURCES.values():
                set_value(conn, KEY.format(source.strip('"')), "0:")
    return refresh_rollups(db)


def _fold(conn: Connection, sqlite: bool, chunk: int | None = None) -> int:
    chunk = chunk or CHUNK
    high_decision = 0
    for batch in BATCH_TABLES:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {batch}")
    marks: dict[str, tuple[int, str]] = {}
    if sqlite and _renumbered(conn):
        for name in ROLLUP_TABLES:
            conn.exec_driver_sql(f"DELETE FROM {name}")
        for source in SOURCES.values():
            set_value(conn, KEY.format(source.strip('"')), "0:")
    folded = 0
    for batch, source in SOURCES.items():
        if sqlite:
            low = _mark(conn, source)[0]
            top = (
                conn.execute(
                    text(
                        f"SELECT rowid, id FROM {source} WHERE rowid > :lo ORDER BY rowid LIMIT 1 OFFSET :k"
                    ),
                    {"lo": low, "k": chunk - 1},
                ).first()
                or conn.execute(text(f"SELECT rowid, id FROM {source} ORDER BY rowid DESC LIMIT 1")).first()
            )
            high = max(int(top[0]), low) if top else low
            if source == "decision":
                high_decision = high
            conn.execute(
                text(
                    f"CREATE TEMP TABLE {batch} AS SELECT id FROM {source} WHERE rowid > :lo AND rowid <= :hi"
                ),
                {"lo": low, "hi": high},
            )
            if top and high > low:
                marks[source] = (high, str(top[1]))
        else:
            tbl = source.strip('"')
            conn.exec_driver_sql(
                f"CREATE TEMP TABLE {batch} ON COMMIT DROP AS SELECT s.id FROM {source} s WHERE NOT EXISTS "
                f"(SELECT 1 FROM metrics_folded f WHERE f.tbl = '{tbl}' AND f.id = s.id)"
            )
            conn.exec_driver_sql(f"INSERT INTO metrics_folded (tbl, id) SELECT '{tbl}', id FROM {batch}")
        conn.exec_driver_sql(f"CREATE UNIQUE INDEX ix_{batch} ON {batch} (id)")
        folded += int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {batch}").scalar_one())
    p = parts("sqlite" if sqlite else "postgresql", high_decision)
    if folded:
        for step in FOLD_STEPS:
            conn.exec_driver_sql(step.format(**p))
    for source, (high, row_id) in marks.items():
        set_value(conn, KEY.format(source.strip('"')), f"{high}:{row_id}")
    if sqlite:
        for batch in BATCH_TABLES:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {batch}")
    return folded


def _mark(conn: Connection, source: str) -> tuple[int, str]:
    value = get_value(conn, KEY.format(source.strip('"'))) or "0:"
    rowid, _sep, row_id = value.partition(":")
    return int(rowid), row_id


def _renumbered(conn: Connection) -> bool:
    """True when a watermark's row is no longer at its rowid (a VACUUM renumbered the table)."""
    for source in SOURCES.values():
        rowid, row_id = _mark(conn, source)
        if rowid:
            at = conn.execute(text(f"SELECT id FROM {source} WHERE rowid = :r"), {"r": rowid}).scalar()
            if at is None or str(at) != row_id:
                return True
    return False


def categories_with_cases(db: Database) -> list[str]:
    """Every category that has cases: on SQLite those of the folded cases (``metrics_flow``) plus those of
    the cases added since, without walking every case; on PostgreSQL, or when the watermark no longer
    matches its row, from the cases themselves."""
    every = 'SELECT DISTINCT category FROM "case" ORDER BY category'
    with db.read() as s:
        conn = s.connection()
        if db.is_sqlite:
            rowid, row_id = _mark(conn, '"case"')
            at = conn.execute(text('SELECT id FROM "case" WHERE rowid = :r'), {"r": rowid}).scalar()
            if rowid and at is not None and str(at) == row_id:
                q = 'SELECT category FROM metrics_flow UNION SELECT category FROM "case" WHERE rowid > :r ORDER BY 1'
                return [str(c) for (c,) in conn.execute(text(q), {"r": rowid})]
        return [str(c) for (c,) in conn.execute(text(every))]
