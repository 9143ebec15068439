"""Two app instances on one SQLite file: every case is claimed by exactly one review session.

The claim holder is the review *session*, so two instances signed in as the same reviewer are still
two holders. Covered both with two Database objects in two threads and with two real processes.
"""

from __future__ import annotations

import random
import sys
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from reviewer.clock import utcnow
from reviewer.decisions import claim_case, record_decision, release_claim
from reviewer.identity import ensure_reviewer, start_session
from reviewer.models import Case
from reviewer.paths import sqlite_url
from reviewer.storage.database import Database
from reviewer.storage.migrate import open_database
from tests.support.children import answer, line_children, tell_all

CASES = 50

CHILD = """
import random, sys, uuid
from reviewer.decisions import claim_case
from reviewer.identity import ensure_reviewer, start_session
from reviewer.storage.migrate import open_database

db = open_database(sys.argv[1])
me = ensure_reviewer(db, "same-person")  # both instances are the same reviewer
holder = start_session(db, me)
ids = [uuid.UUID(x) for x in sys.stdin.readline().split()]
random.Random(int(sys.argv[2])).shuffle(ids)
print("READY", holder, flush=True)
assert sys.stdin.readline().strip() == "GO"
won = [str(cid) for cid in ids if claim_case(db, cid, holder)]
print("WON", " ".join(won), flush=True)
db.dispose()
"""


def _holders(db: Database, ids: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID | None]:
    with db.read() as s:
        return dict(s.execute(select(Case.id, Case.claimed_by).where(Case.id.in_(ids))).all())


def _assert_exactly_one_each(
    db: Database, ids: list[uuid.UUID], won: dict[uuid.UUID, set[uuid.UUID]]
) -> None:
    sets = list(won.values())
    assert all(not (a & b) for i, a in enumerate(sets) for b in sets[i + 1 :]), "a case was claimed twice"
    assert set().union(*sets) == set(ids), "a case was claimed by nobody"
    stored = _holders(db, ids)
    for holder, cases in won.items():
        assert all(stored[c] == holder for c in cases)


def test_two_sessions_in_two_threads_never_claim_the_same_case(
    db: Database, db_path: Path, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    ids = make_cases(CASES)
    me = ensure_reviewer(db, "same-person")
    instances = [open_database(sqlite_url(db_path)) for _ in range(2)]
    holders = [start_session(inst, me) for inst in instances]
    won: dict[uuid.UUID, set[uuid.UUID]] = {h: set() for h in holders}
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(inst: Database, holder: uuid.UUID, seed: int) -> None:
        try:
            order = ids[:]
            random.Random(seed).shuffle(order)
            start.wait()
            for cid in order:
                if claim_case(inst, cid, holder):
                    won[holder].add(cid)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=(inst, h, n))
        for n, (inst, h) in enumerate(zip(instances, holders, strict=True))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for inst in instances:
        inst.dispose()
    assert not errors, errors
    _assert_exactly_one_each(db, ids, won)


def test_two_processes_of_the_same_reviewer_never_claim_the_same_case(
    db: Database, db_path: Path, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    ids = make_cases(CASES)
    url = sqlite_url(db_path)
    won: dict[uuid.UUID, set[uuid.UUID]] = {}
    holders = []
    with line_children([[sys.executable, "-c", CHILD, url, str(seed)] for seed in (11, 22)]) as children:
        tell_all(children, " ".join(str(c) for c in ids))
        for child in children:
            ready, holder = answer(child)
            assert ready == "READY"
            holders.append(uuid.UUID(holder))
        tell_all(children, "GO")  # both start claiming at (nearly) the same moment
        for child, holder in zip(children, holders, strict=True):
            tag, *claimed = answer(child)
            assert tag == "WON"
            won[holder] = {uuid.UUID(c) for c in claimed}
            assert child.wait(60) == 0
    assert holders[0] != holders[1]
    _assert_exactly_one_each(db, ids, won)


def test_an_expired_lease_can_be_taken_over_and_the_old_holder_loses_it(
    db: Database, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    (cid,) = make_cases(1)
    first, second = uuid.uuid4(), uuid.uuid4()
    t0 = utcnow()
    lease = timedelta(minutes=15)
    assert claim_case(db, cid, first, lease=lease, now=t0)
    assert not claim_case(db, cid, second, lease=lease, now=t0 + timedelta(minutes=14))
    assert claim_case(db, cid, second, lease=lease, now=t0 + timedelta(minutes=16))  # expired: taken over
    assert _holders(db, [cid])[cid] == second
    assert not claim_case(db, cid, first, lease=lease, now=t0 + timedelta(minutes=17))  # cannot renew
    release_claim(db, cid, first)  # releasing a claim one no longer holds changes nothing
    assert _holders(db, [cid])[cid] == second
    release_claim(db, cid, second)
    assert _holders(db, [cid])[cid] is None
    assert claim_case(db, cid, first, now=t0 + timedelta(minutes=18))


def test_a_decision_by_the_holder_releases_the_claim(
    db: Database, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    noted, kept = make_cases(2)
    me = ensure_reviewer(db, "same-person")
    holder, other = start_session(db, me), start_session(db, me)
    assert claim_case(db, noted, holder) and claim_case(db, kept, holder)
    assert not claim_case(db, kept, other)  # same reviewer, other session: held

    record_decision(db, case_id=noted, reviewer=me, action="note", note="looking", session_id=holder)
    assert _holders(db, [noted])[noted] == holder  # a note leaves the case open and still held

    record_decision(db, case_id=kept, reviewer=me, action="keep", session_id=holder)
    with db.read() as s:
        case = s.get(Case, kept)
        assert case is not None
        assert case.status == "decided" and case.claimed_by is None and case.claim_expires_at is None
