"""Export: formula cells made inert in CSV (exact in JSON Lines), files 0600, whole or not at all."""

from __future__ import annotations

import csv
import json
import stat
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import update

from reviewer.cli import main
from reviewer.decisions import record_decision
from reviewer.exporting import FORMULA_PREFIXES, export_to_file, neutralise_cell
from reviewer.identity import ensure_reviewer
from reviewer.models import Case
from reviewer.storage.database import Database
from reviewer.storage.errors import DataLocationError
from tests.reviewer.storage.mounts import tmpfs

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx", "plain", "a=b", ""]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_formula_cell_gets_a_leading_quote_and_nothing_else_changes(value: str) -> None:
    cell = neutralise_cell(value)
    if value.startswith(FORMULA_PREFIXES):
        assert cell == "'" + value
    else:
        assert cell == value
    assert neutralise_cell(-5) == -5 and neutralise_cell(True) is True  # only text is touched


def _decided(db: Database, make_cases: Callable[..., list[uuid.UUID]]) -> list[str]:
    """One decision per hostile note, on cases whose external ids are hostile too."""
    me = ensure_reviewer(db, "tester")
    ids = make_cases(len(HOSTILE))
    with db.write() as session:
        for cid, value in zip(ids, HOSTILE, strict=True):
            session.execute(update(Case).where(Case.id == cid).values(external_id=value or "empty"))
    for cid, value in zip(ids, HOSTILE, strict=True):
        record_decision(db, case_id=cid, reviewer=me, action="keep", note=value)
    return HOSTILE


def test_csv_export_neutralises_every_formula_cell_and_jsonl_keeps_them_exact(
    db: Database,
    db_path: Path,
    make_cases: Callable[..., list[uuid.UUID]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _decided(db, make_cases)
    out_csv, out_jsonl = tmp_path / "d.csv", tmp_path / "d.jsonl"
    assert main(["--db", str(db_path), "export", "-o", str(out_csv)]) == 0
    assert main(["--db", str(db_path), "export", "--format", "jsonl", "-o", str(out_jsonl)]) == 0
    err = capsys.readouterr().err
    assert f"exported {len(HOSTILE)} decisions as CSV to {out_csv}" in err
    with open(out_csv, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(HOSTILE)
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(FORMULA_PREFIXES), row
    assert sorted(r["note"] for r in rows) == sorted(neutralise_cell(v) for v in HOSTILE)
    notes = sorted(json.loads(line)["note"] for line in out_jsonl.read_text().splitlines())
    assert notes == sorted(HOSTILE)
    for path in (out_csv, out_jsonl):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, oct(path.stat().st_mode)


def test_an_existing_file_is_replaced_whole_and_made_private(db: Database, tmp_path: Path) -> None:
    target = tmp_path / "old.csv"
    target.write_text("old contents that are much longer than a header line\n" * 50)
    target.chmod(0o644)
    assert export_to_file(db, target) == 0
    assert target.read_text().startswith("decision_id,") and "old contents" not in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_an_export_that_runs_out_of_space_leaves_no_file_behind(
    db: Database, make_cases: Callable[..., list[uuid.UUID]], tmp_path: Path
) -> None:
    _decided(db, make_cases)
    with tmpfs(tmp_path / "full", size_kb=64) as full:
        (full / "ballast").write_bytes(b"\0" * (60 << 10))  # a few KB left; the export needs 24 KB
        big = "x" * 8000
        me = ensure_reviewer(db, "tester")
        for cid in make_cases(3):
            record_decision(db, case_id=cid, reviewer=me, action="keep", note=big)
        with pytest.raises(DataLocationError, match="no space left") as info:
            export_to_file(db, full / "out.csv")
        assert "nothing was exported" in str(info.value)
        assert sorted(p.name for p in full.iterdir()) == ["ballast"]
