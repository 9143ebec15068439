"""``reviewer report`` from the core entry (no Qt): HTML written and verified; PDF, a bad target or an
unknown investigation end in one line on stderr and exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.storage.database import Database
from tests.support.report_data import TITLE, Seeded


def _run(db: Database, *args: str) -> int:
    return main(["--db", str(db.file), "report", *args])


def test_html_report_and_verify(
    db: Database, seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.html"
    assert _run(db, str(seeded.inv_id)[:8], "-o", str(out)) == 0
    assert out.is_file() and "report written" in capsys.readouterr().out
    assert _run(db, "verify", str(out)) == 0
    assert capsys.readouterr().out.startswith("OK")
    out.write_text(out.read_text(encoding="utf-8").replace("Suspend both", "Keep both"), encoding="utf-8")
    assert _run(db, "verify", str(out)) == 1
    assert capsys.readouterr().err.startswith("reviewer: the content hashes to ")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["{inv}", "-o", "{tmp}/r.pdf"], "PDF reports are made by the desktop app"),
        (["{inv}", "-o", "{tmp}/r.txt"], "as .pdf or .html"),
        (["{inv}"], "-o FILE"),
        (["{inv}", "-o", "{tmp}/nope/r.html"], "no folder"),
        (["no-such-investigation", "-o", "{tmp}/r.html"], "no investigation matches"),
        (["verify", "{tmp}/missing.html"], "no such file"),
        (["verify", "{tmp}/r.pdf"], "only an HTML report"),
    ],
)
def test_mistakes_are_one_line(
    db: Database,
    seeded: Seeded,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    says: str,
) -> None:
    filled = [a.format(inv=TITLE, tmp=tmp_path) for a in args]
    assert _run(db, *filled) == 1
    err = capsys.readouterr().err.strip()
    assert says in err and err.startswith("reviewer: ") and "\n" not in err and "Traceback" not in err
    assert not list(tmp_path.glob("r.*"))
