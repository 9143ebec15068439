"""Policy gaps in the core: flagged by anyone with a note, closed by a lead with a note, listed with
filters, exported (CSV / JSON Lines, 0600, audited); every write audited so ``verify`` stays clean."""

from __future__ import annotations

import csv
import json
import stat
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.audit.verify import verify
from reviewer.clock import utcnow
from reviewer.identity import ensure_reviewer, set_role
from reviewer.models import AuditEvent, PolicyGap, Reviewer
from reviewer.policy import PolicyPack
from reviewer.policy_gaps import GapError, close_gap, export_gaps, flag_gap, list_gaps
from reviewer.storage.database import Database
from reviewer.storage.errors import DataLocationError


def _lead(db: Database) -> Reviewer:
    ensure_reviewer(db, "lena")
    return set_role(db, "lena", "lead", actor="test")


def _kinds(db: Database) -> list[str]:
    with db.read() as s:
        return list(s.execute(select(AuditEvent.kind).order_by(AuditEvent.seq)).scalars())


def test_anyone_flags_a_gap_with_a_note_and_the_section_considered(
    db: Database, pack: PolicyPack, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    (case_id,) = make_cases(1)
    me = ensure_reviewer(db, "tester")
    gap_id = flag_gap(
        db,
        case_id=case_id,
        reviewer=me,
        pack=pack,
        note=" VIO-2 says nothing of drawings ",
        policy_code="VIO-2",
    )
    (gap,) = list_gaps(db)
    assert (gap.id, gap.case_id, gap.policy_code, gap.pack_version) == (
        gap_id,
        case_id,
        "VIO-2",
        pack.version,
    )
    assert gap.note == "VIO-2 says nothing of drawings" and gap.flagged_by == "tester" and gap.open
    assert "policy_gap.flag" in _kinds(db)
    assert verify(db).ok


@pytest.mark.parametrize(
    ("note", "code", "message"),
    [("  ", None, "needs a note"), ("unclear", "XYZ-99", "not in pack")],
)
def test_a_gap_without_a_note_or_with_an_unknown_section_is_refused(
    db: Database,
    pack: PolicyPack,
    make_cases: Callable[..., list[uuid.UUID]],
    note: str,
    code: str | None,
    message: str,
) -> None:
    (case_id,) = make_cases(1)
    with pytest.raises(GapError, match=message):
        flag_gap(
            db,
            case_id=case_id,
            reviewer=ensure_reviewer(db, "tester"),
            pack=pack,
            note=note,
            policy_code=code,
        )
    with db.read() as s:
        assert s.execute(select(PolicyGap)).first() is None


def test_only_a_lead_closes_a_gap_with_a_note_and_only_once(
    db: Database, pack: PolicyPack, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    (case_id,) = make_cases(1)
    me = ensure_reviewer(db, "tester")
    gap_id = flag_gap(db, case_id=case_id, reviewer=me, pack=pack, note="no rule for deepfakes")
    with pytest.raises(GapError, match="not a lead"):
        close_gap(db, gap_id, lead=me, note="done")
    lead = _lead(db)
    with pytest.raises(GapError, match="needs a note"):
        close_gap(db, gap_id, lead=lead, note=" ")
    close_gap(db, gap_id, lead=lead, note="added to the 2027.01 draft")
    with pytest.raises(GapError, match="closed already"):
        close_gap(db, gap_id, lead=lead, note="again")
    assert list_gaps(db) == []
    (gap,) = list_gaps(db, open_only=False)
    assert (gap.status, gap.closed_by, gap.closing_note) == ("closed", "lena", "added to the 2027.01 draft")
    assert _kinds(db).count("policy_gap.close") == 1
    assert verify(db).ok


def test_list_filters_by_time_and_section(
    db: Database, pack: PolicyPack, make_cases: Callable[..., list[uuid.UUID]]
) -> None:
    a, b = make_cases(2)
    me = ensure_reviewer(db, "tester")
    old = utcnow() - timedelta(days=10)
    flag_gap(db, case_id=a, reviewer=me, pack=pack, note="old one", policy_code="VIO-1", now=old)
    flag_gap(db, case_id=b, reviewer=me, pack=pack, note="new one", policy_code="VIO-2")
    assert [g.note for g in list_gaps(db)] == ["new one", "old one"]  # newest first
    assert [g.note for g in list_gaps(db, since=utcnow() - timedelta(days=1))] == ["new one"]
    assert [g.note for g in list_gaps(db, policy_code="VIO-1")] == ["old one"]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_export_is_private_whole_neutralised_and_audited(
    db: Database, pack: PolicyPack, make_cases: Callable[..., list[uuid.UUID]], tmp_path: Path, suffix: str
) -> None:
    (case_id,) = make_cases(1)
    flag_gap(db, case_id=case_id, reviewer=ensure_reviewer(db, "tester"), pack=pack, note='=HYPERLINK("x")')
    out = tmp_path / f"gaps{suffix}"
    assert export_gaps(db, out, actor="tester") == 1
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    if suffix == ".csv":
        (row,) = csv.DictReader(out.open(encoding="utf-8"))
        assert row["note"] == '\'=HYPERLINK("x")' and row["status"] == "open"
    else:
        (row,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert row["note"] == '=HYPERLINK("x")' and row["case_id"] == str(case_id)
    assert "policy_gap.export" in _kinds(db)
    assert verify(db).ok


def test_export_to_a_missing_folder_or_unknown_format_writes_nothing(db: Database, tmp_path: Path) -> None:
    with pytest.raises(DataLocationError, match="does not exist"):
        export_gaps(db, tmp_path / "nope" / "gaps.csv", actor="tester")
    with pytest.raises(DataLocationError, match=".csv or a .jsonl"):
        export_gaps(db, tmp_path / "gaps.xlsx", actor="tester")
    assert "policy_gap.export" not in _kinds(db)
