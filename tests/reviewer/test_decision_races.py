"""Two processes x 200 cases, on SQLite and PostgreSQL: no case ever ends with two standing decisions.

Three ways to race: decide only after a claim; decide without waiting for the claim; and A's lease ran out,
B claimed the cases, both decide. Counted from the stored decisions, not from what the workers say.
"""

from __future__ import annotations

import sys
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.actions import UNDO
from reviewer.audit import verify
from reviewer.clock import utcnow
from reviewer.identity import ensure_reviewer, start_session
from reviewer.importing.importer import import_file
from reviewer.leases import claim_case
from reviewer.models import Case, Decision
from reviewer.paths import sqlite_url
from reviewer.storage.database import Database
from reviewer.storage.migrate import open_database
from tests.reviewer.storage.test_postgres import _jsonl
from tests.support.children import answer, line_children, tell_all

CASES = 200
SCENARIOS = ("claim_then_decide", "decide_without_claim", "expired")
ROOT = Path(__file__).resolve().parents[2]


def _double_decided(db: Database, ids: list[uuid.UUID]) -> int:
    """Cases with more than one standing decision that closed them."""
    with db.read() as s:
        rows = s.execute(
            select(Decision.id, Decision.case_id, Decision.action, Decision.reverses_id).where(
                Decision.case_id.in_(ids)
            )
        ).all()
    undone = {r.reverses_id for r in rows if r.action == UNDO}
    standing = Counter(r.case_id for r in rows if r.action not in (UNDO, "note") and r.id not in undone)
    return sum(1 for n in standing.values() if n > 1)


def _race(url: str, db: Database, ids: list[uuid.UUID], scenario: str) -> list[tuple[int, int]]:
    alice, bob = ensure_reviewer(db, "alice"), ensure_reviewer(db, "bob")
    sessions = [start_session(db, alice), start_session(db, bob)]
    if scenario == "expired":
        long_ago = utcnow() - timedelta(hours=1)
        for cid in ids:  # A held them once; its lease ran out; B took them
            assert claim_case(db, cid, sessions[0], lease=timedelta(minutes=1), now=long_ago)
            assert claim_case(db, cid, sessions[1])
    commands = [
        [sys.executable, "-m", "tests.support.race_worker", url, scenario, handle, str(session)]
        for handle, session in zip(("alice", "bob"), sessions, strict=True)
    ]
    results = []
    with line_children(commands, cwd=ROOT) as children:
        tell_all(children, " ".join(str(c) for c in ids))
        for child in children:
            assert answer(child) == ["READY"]
        tell_all(children, "GO")
        for child in children:
            tag, decided, refused = answer(child)
            assert tag == "DONE"
            results.append((int(decided), int(refused)))
            assert child.wait(120) == 0
    return results


def _check(db: Database, ids: list[uuid.UUID], scenario: str, results: list[tuple[int, int]]) -> None:
    assert _double_decided(db, ids) == 0
    with db.read() as s:
        statuses = Counter(s.execute(select(Case.status).where(Case.id.in_(ids))).scalars())
    assert statuses == {"decided": len(ids)}, statuses
    assert sum(d for d, _ in results) == len(ids), results  # each case decided exactly once
    if scenario == "expired":
        assert results[0][0] == 0, results  # A lost every lease
    report = verify(db)
    assert report.ok, report


@pytest.mark.slow
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_two_processes_on_sqlite_never_double_decide(
    db: Database, db_path: Path, make_cases, scenario: str
) -> None:
    ids = make_cases(CASES)
    results = _race(sqlite_url(db_path), db, ids, scenario)
    _check(db, ids, scenario, results)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_two_processes_on_postgres_never_double_decide(pg_url: str, tmp_path: Path, scenario: str) -> None:
    db = open_database(pg_url)
    try:
        import_file(db, _jsonl(tmp_path, "race", CASES))
        with db.read() as s:
            ids = list(s.execute(select(Case.id)).scalars())
        assert len(ids) == CASES
        results = _race(pg_url, db, ids, scenario)
        _check(db, ids, scenario, results)
    finally:
        db.dispose()
