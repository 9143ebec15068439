"""The audit log against a hostile tester: every named tampering kind must be caught by ``verify``.

Each attack works as someone with the database file (and our code) would: raw SQL on the file with
foreign keys off, re-computed hashes, edited checkpoints, a deleted ``-wal`` after a crash. The history
it attacks is anchored the way the app leaves it at quit (a checkpoint in the database and the sidecar).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select, text

from reviewer.audit import current_source, event_hash, sidecar_path, verify, write_checkpoint
from reviewer.conflicts import PolicyPackChanged
from reviewer.decisions import record_decision, undo_last
from reviewer.identity import ensure_reviewer, start_session
from reviewer.models import AuditEvent, Reviewer
from reviewer.pack_versions import check_pack
from reviewer.paths import sqlite_url
from reviewer.policy import PolicyPack, default_pack_path, load_pack
from reviewer.storage.database import Database
from reviewer.storage.migrate import open_database


@dataclass
class History:
    db: Database
    path: Path
    me: Reviewer
    session_id: uuid.UUID
    cases: list[uuid.UUID]
    decisions: list[uuid.UUID]
    pack: PolicyPack


@pytest.fixture
def history(db: Database, db_path: Path, make_cases, pack: PolicyPack) -> History:
    """Five decisions (two cite the pack), one undone; then the checkpoint the app writes at quit."""
    me = ensure_reviewer(db, "tester")
    sid = start_session(db, me)
    cases = make_cases(6)
    code = pack.for_category("violence")[0].code
    made = [
        record_decision(db, case_id=cases[0], reviewer=me, action="keep", session_id=sid, handle_ms=1200),
        record_decision(
            db, case_id=cases[1], reviewer=me, action="remove", policy_code=code, pack=pack, session_id=sid
        ),
        record_decision(db, case_id=cases[2], reviewer=me, action="escalate", rationale="needs tier 2", session_id=sid, revealed=True),
        record_decision(
            db, case_id=cases[3], reviewer=me, action="remove", policy_code=code, pack=pack, session_id=sid
        ),
        record_decision(db, case_id=cases[4], reviewer=me, action="keep", session_id=sid),
    ]
    undo = undo_last(db, reviewer=me, session_id=sid)
    assert undo is not None
    write_checkpoint(db, force=True)
    report = verify(db)
    assert report.ok and report.checkpoints >= 1 and not report.warnings, report
    return History(db, db_path, me, sid, cases, [d.decision_id for d in made] + [undo.decision_id], pack)


def _sql(h: History, *statements: str, params: dict | None = None) -> None:
    """Raw SQL on the file, as an attacker with sqlite3 would (foreign keys off)."""
    con = sqlite3.connect(h.path)
    try:
        for stmt in statements:
            con.execute(stmt, params or {})
        con.commit()
    finally:
        con.close()


def _hex(u: uuid.UUID) -> str:
    return u.hex


def _src() -> str:
    return current_source().hex


def _rehash(h: History) -> None:
    """Re-compute every hash and link of this workstation's chain, and the database's checkpoint heads."""
    with h.db.write_engine.begin() as conn:
        prev = "0" * 64
        rows = conn.execute(
            select(AuditEvent.__table__)
            .where(AuditEvent.source_id == current_source())
            .order_by(AuditEvent.seq)
        ).all()
        for ev in rows:
            new = event_hash(
                ev.source_id, ev.seq, ev.created_at, ev.actor, ev.kind, ev.subject, ev.payload, prev
            )
            conn.execute(
                text("UPDATE audit_event SET prev_hash = :p, hash = :h WHERE id = :i"),
                {"p": prev, "h": new, "i": ev.id.hex},
            )
            prev = new
        heads = json.dumps({str(current_source()): [rows[-1].seq, prev]})
        conn.execute(text("UPDATE audit_checkpoint SET heads = :h"), {"h": heads})


def edit_event_actor(h: History) -> None:
    _sql(h, f"UPDATE audit_event SET actor = 'mallory' WHERE seq = 3 AND source_id = '{_src()}'")


def delete_middle_event(h: History) -> None:
    _sql(h, f"DELETE FROM audit_event WHERE seq = 4 AND source_id = '{_src()}'")


def swap_event_payloads(h: History) -> None:
    _sql(
        h,
        f"UPDATE audit_event SET payload = (SELECT payload FROM audit_event WHERE seq = 6 AND source_id = '{_src()}')"
        f" WHERE seq = 5 AND source_id = '{_src()}'",
    )


def move_event_to_another_chain(h: History) -> None:
    _sql(
        h, f"UPDATE audit_event SET source_id = '{uuid.uuid4().hex}' WHERE seq = 2 AND source_id = '{_src()}'"
    )


def edit_event_time(h: History) -> None:
    _sql(
        h,
        f"UPDATE audit_event SET created_at = '2020-01-01 00:00:00.000000' WHERE seq = 5 AND source_id = '{_src()}'",
    )


def edit_decision_action(h: History) -> None:
    _sql(
        h, f"UPDATE decision SET action = 'remove', policy_code = 'VIO-1' WHERE id = '{_hex(h.decisions[0])}'"
    )


def edit_decision_note(h: History) -> None:
    _sql(h, f"UPDATE decision SET note = 'looked fine to me' WHERE id = '{_hex(h.decisions[1])}'")


def edit_handle_ms(h: History) -> None:
    _sql(h, f"UPDATE decision SET handle_ms = 90000 WHERE id = '{_hex(h.decisions[0])}'")


def edit_session_id(h: History) -> None:
    _sql(h, f"UPDATE decision SET session_id = NULL WHERE id = '{_hex(h.decisions[2])}'")


def edit_revealed(h: History) -> None:
    _sql(h, f"UPDATE decision SET revealed = 0 WHERE id = '{_hex(h.decisions[2])}'")


def swap_decision_actions(h: History) -> None:
    a, b = _hex(h.decisions[0]), _hex(h.decisions[2])
    _sql(
        h,
        f"UPDATE decision SET action = CASE id WHEN '{a}' THEN 'escalate' ELSE 'keep' END WHERE id IN ('{a}', '{b}')",
    )


def delete_a_decision(h: History) -> None:
    _sql(h, f"DELETE FROM decision WHERE id = '{_hex(h.decisions[-1])}'")  # the undo: the case looks decided


def insert_a_forged_decision(h: History) -> None:
    _sql(
        h,
        "INSERT INTO decision (id, case_id, reviewer_id, action, note, tier, handle_ms, revealed, created_at)"
        f" VALUES ('{uuid.uuid4().hex}', '{_hex(h.cases[5])}', '{_hex(h.me.id)}', 'keep', '', 1, 0, 0,"
        " '2026-12-01 10:00:00.000000')",
    )


def truncate_tail_with_decisions(h: History) -> None:
    """The last two events and the decisions they recorded go; the cases are put back as they were."""
    src = _src()
    _sql(
        h,
        f"DELETE FROM decision WHERE id IN ('{_hex(h.decisions[-1])}', '{_hex(h.decisions[-2])}')",
        f"DELETE FROM audit_event WHERE source_id = '{src}' AND seq > (SELECT max(seq) - 2 FROM audit_event"
        f" WHERE source_id = '{src}')",
        f"UPDATE \"case\" SET status = 'open', state_seq = 0, claimed_by = NULL, claim_expires_at = NULL"
        f" WHERE id IN ('{_hex(h.cases[3])}', '{_hex(h.cases[4])}')",
        "DELETE FROM audit_checkpoint",
    )


def wipe_everything(h: History) -> None:
    _sql(
        h,
        "DELETE FROM decision",
        "DELETE FROM audit_event",
        "DELETE FROM audit_checkpoint",
        "UPDATE \"case\" SET status = 'open', tier = 1, state_seq = 0, claimed_by = NULL, claim_expires_at = NULL",
    )


def rehash_a_forged_chain(h: History) -> None:
    """Edit a decision and its event, then re-compute every hash and the checkpoint's heads."""
    did = h.decisions[0]
    with h.db.write_engine.begin() as conn:
        conn.execute(text("UPDATE decision SET action = 'remove' WHERE id = :i"), {"i": did.hex})
        ev = conn.execute(
            text("SELECT id, payload FROM audit_event WHERE subject = :s"), {"s": str(did)}
        ).one()
        conn.execute(
            text("UPDATE audit_event SET payload = :p WHERE id = :i"),
            {"p": ev.payload.replace('"action":"keep"', '"action":"remove"'), "i": ev.id},
        )
    _rehash(h)


def rename_reviewer(h: History) -> None:
    _sql(h, f"UPDATE reviewer SET handle = 'someone-else' WHERE id = '{_hex(h.me.id)}'")


def promote_to_lead(h: History) -> None:
    _sql(h, f"UPDATE reviewer SET role = 'lead' WHERE id = '{_hex(h.me.id)}'")


def reopen_a_decided_case(h: History) -> None:
    _sql(h, f"UPDATE \"case\" SET status = 'open', state_seq = 0 WHERE id = '{_hex(h.cases[0])}'")


def steal_a_claim(h: History) -> None:
    _sql(
        h,
        f"UPDATE \"case\" SET claimed_by = '{uuid.uuid4().hex}', claim_expires_at = '2099-01-01 00:00:00.000000'"
        f" WHERE id = '{_hex(h.cases[5])}'",
    )


def edit_pack_hash(h: History) -> None:
    _sql(h, f"UPDATE policy_pack_version SET sha256 = '{'0' * 64}'")


def edit_decision_pack_hash(h: History) -> None:
    _sql(h, f"UPDATE decision SET policy_sha256 = '{'1' * 64}' WHERE id = '{_hex(h.decisions[1])}'")


def edit_session_row(h: History) -> None:
    _sql(h, f"UPDATE review_session SET host = 'elsewhere' WHERE id = '{_hex(h.session_id)}'")


def delete_checkpoint_rows(h: History) -> None:
    _sql(h, "DELETE FROM audit_checkpoint")


def delete_sidecar_file(h: History) -> None:
    sidecar_path(h.db).unlink()


def forge_checkpoint_heads(h: History) -> None:
    """Make the database's checkpoint vouch for a shorter chain (then cut the chain to match)."""
    src = _src()
    _sql(
        h,
        f"DELETE FROM audit_event WHERE source_id = '{src}' AND seq > (SELECT max(seq) - 1 FROM audit_event"
        f" WHERE source_id = '{src}')",
    )
    _rehash(h)
    sidecar_path(h.db).unlink()


def crash_and_delete_wal(h: History) -> None:
    """Another process writes 30 decisions, dies without closing, and its ``-wal`` file is deleted."""
    h.db.dispose()
    child = (
        "import os, sys, uuid\n"
        "from reviewer.decisions import record_decision\n"
        "from reviewer.identity import ensure_reviewer\n"
        "from reviewer.storage.migrate import open_database\n"
        "db = open_database(sys.argv[1])\n"
        "me = ensure_reviewer(db, 'tester')\n"
        "for n, cid in enumerate(sys.argv[2:]):\n"
        "    record_decision(db, case_id=uuid.UUID(cid), reviewer=me, action='note', note=f'n{n}')\n"
        "os._exit(0)  # a crash: no close, no WAL checkpoint\n"
    )
    ids = [str(h.cases[5])] * 30
    subprocess.run([sys.executable, "-c", child, sqlite_url(h.path), *ids], check=True, timeout=120)
    wal = Path(str(h.path) + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    wal.unlink()
    Path(str(h.path) + "-shm").unlink(missing_ok=True)


#: Each attack and what the report must say about it (one of its lines contains the fragment).
ATTACKS: list[tuple[Callable[[History], None], str]] = [
    (edit_event_actor, "event #3 (decision) was altered"),
    (delete_middle_event, "event #4 is missing"),
    (swap_event_payloads, "was altered after it was written"),
    (move_event_to_another_chain, "event #2 is missing"),
    (edit_event_time, "was altered after it was written"),
    (edit_decision_action, "differs from its audit record (action, policy_code)"),
    (edit_decision_note, "differs from its audit record (note)"),
    (edit_handle_ms, "differs from its audit record (handle_ms)"),
    (edit_session_id, "differs from its audit record (session_id)"),
    (edit_revealed, "differs from its audit record (revealed)"),
    (swap_decision_actions, "differs from its audit record (action)"),
    (delete_a_decision, "was deleted (its audit event remains)"),
    (insert_a_forged_decision, "has no audit event"),
    (truncate_tail_with_decisions, "are missing; the checkpoint of"),
    (wipe_everything, "events #1..#"),
    (rehash_a_forged_chain, "bad signature"),
    (rename_reviewer, "differs from its audit record (handle)"),
    (promote_to_lead, "differs from its audit record (role)"),
    (reopen_a_decided_case, "differs from its audit record (state_seq, status)"),
    (steal_a_claim, "has no audit event"),
    (edit_pack_hash, "differs from its audit record (sha256)"),
    (edit_decision_pack_hash, "differs from its audit record (policy_sha256)"),
    (edit_session_row, "differs from its audit record (host)"),
    (delete_checkpoint_rows, "but not in the database"),
    (delete_sidecar_file, "is missing, but the database has"),
    (forge_checkpoint_heads, "bad signature"),
    (crash_and_delete_wal, "lost -wal tail"),
]


@pytest.mark.parametrize(("attack", "says"), ATTACKS, ids=[a.__name__ for a, _ in ATTACKS])
def test_every_tampering_kind_is_detected(
    history: History, attack: Callable[[History], None], says: str
) -> None:
    attack(history)
    again = open_database(sqlite_url(history.path))
    try:
        report = verify(again)
    finally:
        again.dispose()
    assert not report.ok, f"{attack.__name__} went unnoticed: {report}"
    assert says in str(report), report
    assert all(line.startswith(("BROKEN: ", "WARNING: ")) for line in report.lines())


def test_a_reworded_pack_with_the_same_version_is_refused_at_start(history: History, tmp_path: Path) -> None:
    reworded = tmp_path / "pack.toml"
    reworded.write_text(
        default_pack_path().read_text(encoding="utf-8").replace("must be escalated", "may stay up", 1),
        encoding="utf-8",
    )
    edited = load_pack(reworded)
    assert edited.version == history.pack.version and edited.sha256 != history.pack.sha256
    with pytest.raises(PolicyPackChanged, match="new version"):
        check_pack(history.db, edited)
    with pytest.raises(PolicyPackChanged):  # and it can never be cited either
        record_decision(
            history.db,
            case_id=history.cases[5],
            reviewer=history.me,
            action="remove",
            policy_code=edited.for_category("violence")[0].code,
            pack=edited,
        )
    assert verify(history.db).ok  # nothing was written


def test_specific_messages_name_what_was_lost_and_since_when(history: History) -> None:
    truncate_tail_with_decisions(history)
    report = verify(history.db)
    text_ = str(report)
    assert "are missing; the checkpoint of" in text_ and "vouched for" in text_, text_
    assert "lost -wal tail" in text_


def test_an_untouched_log_verifies_with_counts(history: History) -> None:
    report = verify(history.db)
    # reviewer, session start, pack version, five decisions, one undo
    assert report.ok and report.events == 9 and report.decisions == 6 and report.chains == 1, report
    assert str(report).startswith("OK: 9 audit events in 1 chain(s) and 6 decisions")


def test_a_backup_carries_its_checkpoints_and_a_restore_verifies(history: History) -> None:
    from reviewer.storage.backup import restore_latest, take_backup

    take_backup(history.path)
    record_decision(history.db, case_id=history.cases[5], reviewer=history.me, action="keep")
    write_checkpoint(history.db)
    history.db.dispose()
    used, aside = restore_latest(history.path)
    assert aside is not None and Path(str(aside) + ".checkpoints").exists()  # the later anchor is kept
    restored = open_database(sqlite_url(history.path))
    try:
        report = verify(restored)
        assert report.ok and report.decisions == 6, report  # the backup's own history, anchored
    finally:
        restored.dispose()
    later = open_database(sqlite_url(aside))
    try:
        assert verify(later).ok  # the file set aside still verifies against its own checkpoints
    finally:
        later.dispose()
