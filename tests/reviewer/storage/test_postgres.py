"""The core on PostgreSQL: migrations, import, decisions + undo, the audit chain, claims.

Runs against the server at 127.0.0.1:5432 (database ``test``, trust auth), or ``REVIEWER_PG_URL``.
Each test works in a schema of its own (``rw_test_<random>``, the only one on the search path through
the connection's ``options``), dropped at the end, so tests and runs never see each other's rows.
"""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from reviewer.audit import verify
from reviewer.decisions import DecisionError, claim_case, record_decision, release_claim, undo_last
from reviewer.duplicates import apply_to_group
from reviewer.identity import ensure_reviewer, start_session
from reviewer.importing.importer import import_file
from reviewer.models import Case, Decision, PolicyPackVersion
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from reviewer.storage.migrate import open_database

pytestmark = pytest.mark.postgres


def _jsonl(folder: Path, tag: str, n: int) -> Path:
    path = folder / f"cases-{tag}.jsonl"
    lines = [
        json.dumps(
            {
                "id": f"pg-{tag}-{i}",
                "channel": "partner",
                "category": "violence",
                "priority": 1 + i % 4,
                "sla_minutes": 60 + i,
                "account": {"platform": "photoapp", "handle": f"@pg{tag}{i % 2}", "risk_score": 0.5},
                "report_text": f"report {i} ✓",
                "items": [{"kind": "text", "text": f"text of case {i}"}],
            },
            ensure_ascii=False,
        )
        for i in range(n)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _case_ids(db: Database, tag: str) -> list[uuid.UUID]:
    with db.read() as s:
        return list(
            s.execute(
                select(Case.id).where(Case.external_id.like(f"pg-{tag}-%")).order_by(Case.external_id)
            ).scalars()
        )


def _status(db: Database, case_id: uuid.UUID) -> tuple[str, int, uuid.UUID | None]:
    with db.read() as s:
        row = s.execute(select(Case.status, Case.tier, Case.claimed_by).where(Case.id == case_id)).one()
    return row[0], row[1], row[2]


def test_migrations_reach_head_in_a_fresh_schema(pg_db: Database, pg_url: str) -> None:
    from reviewer.storage.migrate import current_revision, head_revision

    assert pg_db.engine.dialect.name == "postgresql"
    assert current_revision(pg_db) == head_revision()
    schema = make_url(pg_url).query["options"].split("=", 1)[1]  # type: ignore[union-attr]
    with pg_db.engine.connect() as conn:
        assert conn.execute(text("SELECT current_schema()")).scalar() == schema
    again = open_database(pg_url)  # already at head: nothing to do
    again.dispose()


def test_import_decide_undo_and_verify(pg_db: Database, tmp_path: Path, pack: PolicyPack) -> None:
    report = import_file(pg_db, _jsonl(tmp_path, "a", 5))
    assert report.cases == 5 and report.items == 5
    a, b, c, d, e = _case_ids(pg_db, "a")
    reviewer = ensure_reviewer(pg_db, "pg-tester")
    session_id = start_session(pg_db, reviewer)
    code = pack.for_category("violence")[0].code

    kept = record_decision(pg_db, case_id=a, reviewer=reviewer, action="keep", session_id=session_id)
    removed = record_decision(
        pg_db,
        case_id=b,
        reviewer=reviewer,
        action="remove",
        policy_code=code,
        pack=pack,
        session_id=session_id,
    )
    again = record_decision(
        pg_db,
        case_id=e,
        reviewer=reviewer,
        action="remove",
        policy_code=code,
        pack=pack,
        session_id=session_id,
    )
    escalated = record_decision(
        pg_db, case_id=c, reviewer=reviewer, action="escalate", rationale="needs tier 2", session_id=session_id, revealed=True
    )
    assert (kept.case_status, removed.case_status, escalated.case_status) == (
        "decided",
        "decided",
        "escalated",
    )
    assert removed.policy_code == code and kept.policy_code is None
    assert _status(pg_db, c)[:2] == ("escalated", 2)
    with pg_db.read() as s:
        cited = s.get(Decision, removed.decision_id)
        assert cited is not None and cited.policy_version == pack.version
        assert cited.policy_pack_version_id is not None
        assert s.get(Decision, again.decision_id).policy_pack_version_id == cited.policy_pack_version_id  # type: ignore[union-attr]
        assert len(s.execute(select(PolicyPackVersion)).all()) == 1

    undone = undo_last(pg_db, reviewer=reviewer, session_id=session_id)
    assert undone is not None and undone.case_id == c and undone.reverses_id == escalated.decision_id
    assert undone.case_status == "open" and _status(pg_db, c)[:2] == ("open", 1)
    record_decision(pg_db, case_id=c, reviewer=reviewer, action="skip", session_id=session_id)
    assert _status(pg_db, c)[0] == "skipped"

    # several decisions in one transaction (record_decision_in through apply_to_group)
    results = apply_to_group(
        pg_db, source_case_id=b, target_case_ids=[d], reviewer=reviewer, pack=pack, session_id=session_id
    )
    assert [r.case_status for r in results] == ["decided"] and _status(pg_db, d)[0] == "decided"

    with pytest.raises(DecisionError, match="does not exist"):
        record_decision(pg_db, case_id=uuid.uuid4(), reviewer=reviewer, action="keep")

    report_ok = verify(pg_db)
    # events: import, reviewer, session_start, pack version, 4 decisions, undo, skip, group decision
    assert report_ok.ok and report_ok.events == 11 and report_ok.decisions == 7, report_ok

    with pg_db.write_engine.begin() as conn:
        conn.execute(text("UPDATE decision SET note = 'edited' WHERE id = :id"), {"id": kept.decision_id})
    broken = verify(pg_db)
    assert not broken.ok and "differs from its audit record" in str(broken.problem)


def test_a_case_is_claimed_by_one_holder_only(pg_url: str, tmp_path: Path) -> None:
    first, second = open_database(pg_url), open_database(pg_url)  # two app instances
    try:
        import_file(first, _jsonl(tmp_path, "claim", 2))
        one, two = _case_ids(first, "claim")
        holder_a, holder_b = uuid.uuid4(), uuid.uuid4()
        assert claim_case(first, one, holder_a)
        assert not claim_case(second, one, holder_b)
        assert claim_case(first, one, holder_a)  # renewing one's own lease
        release_claim(second, one, holder_b)  # not the holder: nothing happens
        assert _status(first, one)[2] == holder_a
        release_claim(first, one, holder_a)
        assert claim_case(second, one, holder_b)

        # both at once: exactly one wins
        barrier = threading.Barrier(2)
        won: dict[uuid.UUID, bool] = {}

        def race(db: Database, holder: uuid.UUID) -> None:
            barrier.wait()
            won[holder] = claim_case(db, two, holder)

        threads = [
            threading.Thread(target=race, args=(first, holder_a)),
            threading.Thread(target=race, args=(second, holder_b)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(won.values()) == [False, True], won
        winner = next(h for h, ok in won.items() if ok)
        assert _status(first, two)[2] == winner
    finally:
        first.dispose()
        second.dispose()


def test_two_writers_at_once_keep_one_unbroken_chain(pg_url: str, tmp_path: Path, pack: PolicyPack) -> None:
    first, second = open_database(pg_url), open_database(pg_url)
    try:
        import_file(first, _jsonl(tmp_path, "race", 20))
        cases = _case_ids(first, "race")
        reviewer = ensure_reviewer(first, "pg-racer")
        code = pack.for_category("violence")[0].code
        errors: list[BaseException] = []
        barrier = threading.Barrier(2)

        def writer(db: Database, mine: list[uuid.UUID]) -> None:
            try:
                barrier.wait()
                for cid in mine:
                    record_decision(
                        db, case_id=cid, reviewer=reviewer, action="remove", policy_code=code, pack=pack
                    )
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [
            threading.Thread(target=writer, args=(first, cases[0::2])),
            threading.Thread(target=writer, args=(second, cases[1::2])),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors, errors
        assert all(_status(first, cid)[0] == "decided" for cid in cases)
        report = verify(first)
        assert report.ok, report
    finally:
        first.dispose()
        second.dispose()


def test_a_wiped_log_on_the_server_is_caught_by_its_checkpoint(pg_db: Database, tmp_path: Path) -> None:
    from reviewer.audit import sidecar_path, write_checkpoint

    import_file(pg_db, _jsonl(tmp_path, "wipe", 3))
    reviewer = ensure_reviewer(pg_db, "pg-tester")
    for cid in _case_ids(pg_db, "wipe"):
        record_decision(pg_db, case_id=cid, reviewer=reviewer, action="keep")
    assert write_checkpoint(pg_db) is not None
    assert sidecar_path(pg_db).exists()  # for a server: in the data dir, one file per database URL
    assert verify(pg_db).ok
    with pg_db.write_engine.begin() as conn:
        conn.execute(text("DELETE FROM decision"))
        conn.execute(text("DELETE FROM audit_event"))
        conn.execute(text("DELETE FROM audit_checkpoint"))
    report = verify(pg_db)
    assert not report.ok and "are missing; the checkpoint of" in str(report), report


def test_leases_on_the_server_restart_release_and_override(
    pg_db: Database, tmp_path: Path, pack: PolicyPack
) -> None:
    from reviewer.conflicts import CaseHeld
    from reviewer.identity import end_session, set_role
    from reviewer.leases import renew_lease
    from reviewer.overrides import override_decision

    import_file(pg_db, _jsonl(tmp_path, "lease", 4))
    a, b, c, d = _case_ids(pg_db, "lease")
    alice, bob = ensure_reviewer(pg_db, "alice"), ensure_reviewer(pg_db, "bob")
    crashed = start_session(pg_db, alice)
    assert claim_case(pg_db, a, crashed) and claim_case(pg_db, b, crashed)
    restarted = start_session(pg_db, alice)  # own unexpired leases come back at once
    assert _status(pg_db, a)[2] == restarted and claim_case(pg_db, b, restarted)
    assert renew_lease(pg_db, a, restarted)
    bobs = start_session(pg_db, bob)
    with pytest.raises(CaseHeld):
        record_decision(pg_db, case_id=a, reviewer=bob, action="keep", session_id=bobs)
    kept = record_decision(pg_db, case_id=c, reviewer=alice, action="keep", session_id=restarted)
    end_session(pg_db, alice, restarted)  # quit: every lease released
    assert _status(pg_db, a)[2] is None and _status(pg_db, b)[2] is None
    lead = set_role(pg_db, "bob", "lead", actor="admin")
    code = pack.for_category("violence")[0].code
    override_decision(
        pg_db,
        case_id=c,
        lead=lead,
        replaces=kept.decision_id,
        action="remove",
        policy_code=code,
        pack=pack,
        reason="missed the caption",
    )
    assert _status(pg_db, c)[0] == "decided" and _status(pg_db, d)[0] == "open"
    report = verify(pg_db)
    assert report.ok, report


def test_an_old_server_database_with_data_upgrades_and_verifies(pg_url: str) -> None:
    """Schema 0001 with the first release's rows and audit chain, upgraded on PostgreSQL."""
    import io

    from reviewer.exporting import export_decisions
    from tests.reviewer.storage.test_migrations import _old_database

    cases = _old_database(pg_url)
    db = open_database(pg_url)
    try:
        report = verify(db)
        assert report.ok and report.decisions == 7 and report.chains == 2, report
        assert _status(db, cases[0])[:2] == ("escalated", 2)
        out = io.StringIO()
        assert export_decisions(db, out, "jsonl") == 7
        reviewer = ensure_reviewer(db, "new-timer")
        record_decision(db, case_id=cases[10], reviewer=reviewer, action="keep")
        assert verify(db).ok
    finally:
        db.dispose()


def test_a_nul_character_is_refused_by_line_on_the_server_too(pg_db: Database, tmp_path: Path) -> None:
    """PostgreSQL cannot store NUL in text; the import names the line instead of failing the whole file."""
    from reviewer.importing.importer import ImportFailed

    path = _jsonl(tmp_path, "nul", 3)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("text of case 1", "text of\\u0000case 1")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as info:
        import_file(pg_db, path)
    assert info.value.errors == [
        "line 2: items.0.text: contains a NUL character (\\u0000), which is not allowed"
    ]
    assert _case_ids(pg_db, "nul") == []
