"""``reviewer metrics``: the workbook reopened with openpyxl and checked cell by cell; CSV per table."""

from __future__ import annotations

import csv
import stat
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from reviewer.cli import main
from reviewer.storage.database import Database
from tests.support.metrics_fixture import DAY, build_history

RANGE = ["--from", DAY.isoformat(), "--to", (DAY + timedelta(days=1)).isoformat()]


def test_the_workbook_has_typed_cells_frozen_headers_and_charts(
    db: Database, db_path: Path, tmp_path: Path, pack, capsys: pytest.CaptureFixture[str]  # type: ignore[no-untyped-def]
) -> None:
    build_history(db, pack)
    out = tmp_path / "m.xlsx"
    assert main(["--db", str(db_path), "metrics", *RANGE, "-o", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".*.tmp"))
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "about" and "throughput_day" in wb.sheetnames and len(wb.sheetnames) == 14
    about = wb["about"]
    assert about["B2"].value == datetime(2026, 11, 10) and about["B2"].number_format == "yyyy-mm-dd"
    day = wb["throughput_day"]
    assert [c.value for c in day[1]] == ["day", "decisions"]
    assert day.freeze_panes == "A2"
    assert day["A2"].value == datetime(2026, 11, 10) and day["A2"].is_date
    assert day["B2"].value == 5 and day["B2"].data_type == "n"
    assert day["A3"].value == datetime(2026, 11, 11) and day["B3"].value == 2
    assert len(day._charts) == 1
    handle = wb["handle_time"]
    assert [c.value for c in handle[2]] == ["all", 7, 13.0, 62.0]
    assert handle["C2"].number_format == '0.0" s"' and handle["C2"].data_type == "n"
    sla = wb["sla_channel"]
    media = next(r for r in sla.iter_rows(min_row=2) if r[0].value == "media")
    assert media[4].value == 0.5 and media[4].number_format == "0.0%"
    qa = [name for name in wb.sheetnames if name.startswith("qa_agreement")]  # no QA reviews here: no chart
    assert len(qa) == 2 and all(wb[name].max_row == 1 for name in qa)
    assert all(len(wb[name]._charts) == 1 for name in wb.sheetnames[1:] if name not in qa)


def test_csv_per_table_into_a_folder_and_beside_a_file(
    db: Database, db_path: Path, tmp_path: Path, pack, capsys: pytest.CaptureFixture[str]  # type: ignore[no-untyped-def]
) -> None:
    build_history(db, pack)
    folder = tmp_path / "out"
    folder.mkdir()
    assert main(["--db", str(db_path), "metrics", *RANGE, "-o", str(folder)]) == 0
    rows = list(csv.reader((folder / "throughput_day.csv").open()))
    assert rows == [["day", "decisions"], ["2026-11-10", "5"], ["2026-11-11", "2"]]
    assert main(["--db", str(db_path), "metrics", *RANGE, "--channel", "media", "-o", str(tmp_path / "m.csv")]) == 0
    assert (tmp_path / "m-flow.csv").read_text().splitlines()[1] == "2026-11-10,2,1"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "2026-13-01"], "is not a date"),
        (["--from", "2026-11-10", "--to", "2026-11-01"], "ends"),
        (["-o", "OUT/x.pdf"], "name a .xlsx"),
        (["-o", "OUT/missing/x.xlsx"], "does not exist"),
    ],
)
def test_mistakes_are_one_line(
    db: Database, db_path: Path, tmp_path: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [a.replace("OUT", str(tmp_path)) for a in argv]
    if "-o" not in argv:
        argv += ["-o", str(tmp_path / "m.xlsx")]
    code = main(["--db", str(db_path), "metrics", *argv])
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0 and message in err[0] and err[0].startswith("reviewer:")
