from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from reviewer.exporting import export_decisions
from reviewer.importing.importer import ImportFailed, import_file
from reviewer.media.store import MediaStore
from reviewer.models import Account, Case, Item
from reviewer.storage.database import Database


def _jpeg(path: Path, colour: str = "red") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48), colour).save(path, "JPEG")


def _case(n: int, **over) -> dict:
    case = {
        "id": f"C-{n}",
        "channel": "partner",
        "category": "violence",
        "priority": 2,
        "sla_minutes": 60,
        "account": {"platform": "photoapp", "handle": "@same"},
        "items": [{"kind": "image", "path": "media/a.jpg"}, {"kind": "text", "text": f"post {n}"}],
        "scores": {"violence": 0.7},
    }
    case.update(over)
    return case


def _write(folder: Path, rows: list) -> Path:
    path = folder / "cases.jsonl"
    with open(path, "wb") as fh:
        for row in rows:
            fh.write(row if isinstance(row, bytes) else (json.dumps(row) + "\n").encode())
    return path


def _count(db: Database, model) -> int:
    with db.read() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_good_file_imports_cases_items_accounts_and_media(db: Database, tmp_path: Path) -> None:
    _jpeg(tmp_path / "media/a.jpg")
    report = import_file(db, _write(tmp_path, [_case(1), _case(2), b"\n", _case(3, priority=1)]))
    assert (report.cases, report.items, report.media_files, report.accounts) == (3, 6, 1, 1)
    assert _count(db, Case) == 3 and _count(db, Item) == 6 and _count(db, Account) == 1
    with db.read() as s:
        sha = s.execute(select(Item.media_sha256).where(Item.kind == "image")).scalars().first()
    assert sha is not None and MediaStore(db.media_dir).has(sha)


def test_every_bad_line_is_reported_by_number_and_nothing_is_written(db: Database, tmp_path: Path) -> None:
    _jpeg(tmp_path / "media/a.jpg")
    rows = [
        _case(1),
        b"{not json\n",
        _case(3, priority="high"),
        _case(4, category="cooking"),
        _case(5, surprise=True),
        b"\xff\xfe bad utf-8\n",
        _case(7, items=[{"kind": "image", "path": "../../etc/passwd"}]),
        _case(8, items=[{"kind": "image", "path": "/etc/passwd"}]),
        _case(9, items=[{"kind": "image"}]),
        _case(1),
        _case(11, sla_deadline="2026-12-01T10:00:00"),
    ]
    with pytest.raises(ImportFailed) as info:
        import_file(db, _write(tmp_path, rows))
    errors = info.value.errors
    assert [e.split(":")[0] for e in errors] == [f"line {n}" for n in (2, 3, 4, 5, 6, 7, 8, 9, 10, 11)]
    joined = "\n".join(errors)
    assert "escapes the media folder" in joined and "must be relative" in joined
    assert "duplicate case id 'C-1' (first on line 1)" in joined and "UTF-8" in joined
    assert _count(db, Case) == 0 and _count(db, Item) == 0
    assert not any(db.media_dir.rglob("*")) if db.media_dir.exists() else True


def test_a_symlink_out_of_the_media_folder_is_refused(db: Database, tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "secret.jpg"
    _jpeg(secret)
    (tmp_path / "pack" / "media").mkdir(parents=True)
    (tmp_path / "pack" / "media" / "link.jpg").symlink_to(secret)
    with pytest.raises(ImportFailed, match="refused") as info:
        import_file(
            db, _write(tmp_path / "pack", [_case(1, items=[{"kind": "image", "path": "media/link.jpg"}])])
        )
    assert "escapes" in info.value.errors[0]


def test_case_ids_already_in_the_database_refuse_the_whole_file(db: Database, tmp_path: Path) -> None:
    _jpeg(tmp_path / "media/a.jpg")
    import_file(db, _write(tmp_path, [_case(1)]))
    with pytest.raises(ImportFailed) as info:
        import_file(db, _write(tmp_path, [_case(2), _case(1)]))
    assert info.value.errors == ["line 2: case id 'C-1' is already in the database"]
    assert _count(db, Case) == 1


def test_decisions_export_as_csv_and_jsonl(db: Database, tmp_path: Path, reviewer_row, pack) -> None:
    from reviewer.decisions import record_decision

    _jpeg(tmp_path / "media/a.jpg")
    import_file(db, _write(tmp_path, [_case(1), _case(2)]))
    with db.read() as s:
        ids = list(s.execute(select(Case.id).order_by(Case.external_id)).scalars())
    record_decision(db, case_id=ids[0], reviewer=reviewer_row, action="keep", note='said "fine", ok')
    record_decision(db, case_id=ids[1], reviewer=reviewer_row, action="escalate", rationale="needs tier 2")
    out = io.StringIO()
    assert export_decisions(db, out, "csv") == 2
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("decision_id,created_at,case_external_id")
    assert '"said ""fine"", ok"' in lines[1]
    out = io.StringIO()
    export_decisions(db, out, "jsonl")
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["case_external_id"], r["action"]) for r in rows] == [("C-1", "keep"), ("C-2", "escalate")]
