"""The SQLite decision write (``reviewer.decision_sqlite``) writes exactly what the general path writes.

One database is set up (reviewer, two review sessions, cases, the pack's row, a lease held by the other
session, a decided case), copied, and the same decisions are made on both copies: through
``record_decision`` (the SQLite path) on one, through the general path (``_record_in`` in the same
``write_core`` transaction) on the other, with the same fixed times and the same ids (``uuid.uuid4``
patched to count). Every column of every decision, case, pack version and audit event row must be equal,
refusals must be the same, and both chains must verify.
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from reviewer.audit import verify
from reviewer.audit.checkpoints import schedule_of
from reviewer.decisions import CaseAlreadyDecided, CaseHeld, DecisionError, _record_in, record_decision
from reviewer.identity import start_session
from reviewer.leases import claim_case
from reviewer.models import Reviewer
from reviewer.pack_versions import Pending, check_pack, remember
from reviewer.paths import checkpoints_file, sqlite_url
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from reviewer.storage.migrate import open_database

T0 = datetime(2026, 12, 3, 9, 30, 0, tzinfo=UTC)  # microsecond 0: isoformat without a fraction
TABLES = ("decision", "case", "policy_pack_version", "audit_event")


def _general(db: Database, **kw: Any) -> Any:
    """``record_decision`` through the general path (what PostgreSQL runs), on SQLite."""
    pending: Pending = {}
    with db.write_core() as conn:
        result = _record_in(None, conn, pending, **kw)
    remember(pending)
    return result


def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in TABLES}
    finally:
        con.close()


@pytest.fixture
def counting_ids(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Patches ``uuid.uuid4``; calling the returned function starts the count again."""
    count = iter(())

    def restart() -> None:
        nonlocal count
        count = iter(range(10_000))

    def fake() -> uuid.UUID:
        return uuid.UUID(int=(0xABCDEF << 64) + next(count))

    restart()
    monkeypatch.setattr(uuid, "uuid4", fake)
    return restart


@pytest.fixture
def twins(
    db: Database,
    db_path: Path,
    make_cases: Callable[..., list[uuid.UUID]],
    reviewer_row: Reviewer,
    pack: PolicyPack,
) -> Iterator[tuple[Database, Database, dict[str, Any]]]:
    cases = make_cases(8)
    mine = start_session(db, reviewer_row)
    other = start_session(db, reviewer_row)
    check_pack(db, pack)
    assert claim_case(db, cases[6], other)
    record_decision(db, case_id=cases[7], reviewer=reviewer_row, action="keep", session_id=other)
    db.dispose()
    with sqlite3.connect(db_path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    copy = db_path.with_name("general.sqlite3")
    shutil.copyfile(db_path, copy)
    if checkpoints_file(db_path).exists():  # the signed heads verify compares the chain with
        shutil.copyfile(checkpoints_file(db_path), checkpoints_file(copy))
    fast, general = open_database(sqlite_url(db_path)), open_database(sqlite_url(copy))
    for each in (fast, general):
        schedule_of(each).inline = False  # a signed checkpoint after a commit would take ids too
    try:
        yield fast, general, {"cases": cases, "mine": mine, "other": other, "paths": (db_path, copy)}
    finally:
        fast.dispose()
        general.dispose()


def test_the_sqlite_path_writes_what_the_general_path_writes(
    twins: tuple[Database, Database, dict[str, Any]],
    counting_ids: Callable[[], None],
    reviewer_row: Reviewer,
    pack: PolicyPack,
) -> None:
    fast, general, ctx = twins
    cases, mine = ctx["cases"], ctx["mine"]
    remove_code = pack.for_category("violence")[0].code
    plus_two = timezone(timedelta(hours=2))
    base = {
        "reviewer": reviewer_row,
        "policy_code": None,
        "pack": None,
        "note": "",
        "session_id": mine,
        "handle_ms": 0,
        "revealed": False,
        "rationale": "",
        "to_tier": None,
    }
    decisions: list[dict[str, Any]] = [
        {"case_id": cases[0], "action": "keep", "policy_code": "NV-0", "pack": pack, "handle_ms": 900},
        # A note keeps the case open and leased to this session; a later keep decides it.
        {"case_id": cases[1], "action": "note", "note": 'a "quoted"\nnote, ünïcode ✓'},
        {"case_id": cases[1], "action": "keep", "revealed": True},
        {"case_id": cases[2], "action": "escalate", "rationale": "  needs a specialist  ", "to_tier": 3},
        {
            "case_id": cases[3],
            "action": "remove",
            "policy_code": remove_code,
            "pack": pack,
            "session_id": None,
        },
        {"case_id": cases[4], "action": "keep", "pack": pack},  # a pack but no code: no pack columns
        {"case_id": cases[5], "action": "skip", "handle_ms": 12},
    ]
    refused: list[tuple[dict[str, Any], type[Exception]]] = [
        ({"case_id": cases[6], "action": "keep"}, CaseHeld),  # the other session's lease
        ({"case_id": cases[7], "action": "keep"}, CaseAlreadyDecided),
        ({"case_id": cases[0], "action": "keep"}, CaseAlreadyDecided),  # decided above
        ({"case_id": uuid.UUID(int=7), "action": "keep"}, DecisionError),
    ]
    for write in ("fast", "general"):
        counting_ids()
        for i, d in enumerate(decisions):
            # Microseconds, none, and an aware time outside UTC.
            now = T0 + timedelta(seconds=i, microseconds=0 if i % 3 == 0 else 1234 * i)
            kw = {**base, **d, "now": now.astimezone(plus_two) if i % 3 == 2 else now}
            result = record_decision(fast, **kw) if write == "fast" else _general(general, **kw)
            assert result.decision_id == uuid.UUID(int=(0xABCDEF << 64) + 2 * i), "one id each, in order"
        for d, error in refused:
            kw = {**base, **d, "now": T0 + timedelta(minutes=5)}
            with pytest.raises(error):
                if write == "fast":
                    record_decision(fast, **kw)
                else:
                    _general(general, **kw)

    fast_rows, general_rows = (_rows(p) for p in ctx["paths"])
    for table in TABLES:
        assert fast_rows[table] == general_rows[table], table
        assert [type(v) for r in fast_rows[table] for v in r] == [
            type(v) for r in general_rows[table] for v in r
        ]
    assert len(fast_rows["decision"]) == 1 + len(decisions)
    for db in (fast, general):
        report = verify(db)
        assert report.ok, report
        assert report.decisions == 1 + len(decisions)


HOSTILE = [
    "",
    'a "quoted"\nnote\twith \\ backslashes',
    "%(d_id)s %s %% {}",  # format syntax in a value is text, never a slot
    "control \x00\x01\x1f and \x7f",
    "ünïcode ✓ \u2028\u2029 😀 \ud800",  # a lone surrogate too
    "<b>markup</b>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_the_payload_template_writes_what_canonical_writes(text: str) -> None:
    from reviewer.audit.chain import canonical
    from reviewer.decision_sqlite import DECISION_COLUMNS, PAYLOAD, json_value

    decision: dict[str, Any] = {name: None for name in DECISION_COLUMNS}
    decision.update(id=str(uuid.uuid4()), action="remove", note=text, rationale=text, policy_code=text)
    decision.update(tier=2, handle_ms=10**12, revealed=True, created_at=T0.isoformat(), to_tier=None)
    case = {"id": str(uuid.uuid4()), "status": "decided", "tier": 3, "claimed_by": None}
    case.update(claim_expires_at=text or None, state_seq=7)
    slots = {f"d_{k}": json_value(v) for k, v in decision.items()}
    slots.update({f"c_{k}": json_value(v) for k, v in case.items()})
    assert PAYLOAD % slots == canonical({"rows": {"decision": [decision], "case": [case]}})
