"""What a careless export from another tool looks like: a BOM, a JSON array, a pretty-printed document,
NUL characters, an empty file, media that are not what their kind says. Each is accepted or refused with
its line number, and a refusal writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from reviewer.casefile import load_case
from reviewer.importing.importer import ImportFailed, import_file
from reviewer.models import Case
from reviewer.storage.database import Database

CASE = {"id": "C-1", "channel": "partner", "category": "violence", "items": [{"kind": "text", "text": "t"}]}


def _case(n: int, **over: object) -> dict:
    return {**CASE, "id": f"C-{n}", **over}


def _file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_bytes(data)
    return path


def _lines(*cases: dict) -> bytes:
    return b"".join(json.dumps(c).encode() + b"\n" for c in cases)


def _cases(db: Database) -> int:
    with db.read() as s:
        return s.execute(select(func.count()).select_from(Case)).scalar_one()


def _refused(db: Database, path: Path) -> ImportFailed:
    with pytest.raises(ImportFailed) as info:
        import_file(db, path)
    assert _cases(db) == 0
    return info.value


def test_a_utf8_byte_order_mark_is_accepted(db: Database, tmp_path: Path) -> None:
    report = import_file(db, _file(tmp_path, b"\xef\xbb\xbf" + _lines(_case(1), _case(2))))
    assert report.cases == 2


def test_a_bom_does_not_hide_the_next_line_s_problem(db: Database, tmp_path: Path) -> None:
    failed = _refused(db, _file(tmp_path, b"\xef\xbb\xbf" + _lines(_case(1)) + b"{bad\n"))
    assert [e.split(":")[0] for e in failed.errors] == ["line 2"]


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (json.dumps([_case(1), _case(2)]).encode() + b"\n", 1, "the file is a JSON array"),
        (json.dumps([_case(1), _case(2)], indent=2).encode(), 1, "the file is a JSON array"),
        (
            b"\n\n" + json.dumps(_case(1), indent=2).encode(),
            3,
            "this looks like a pretty-printed JSON document",
        ),
        (
            b"\xef\xbb\xbf" + json.dumps(_case(1), indent=4).encode(),
            1,
            "this looks like a pretty-printed JSON document",
        ),
    ],
    ids=["array on one line", "array pretty-printed", "object pretty-printed", "with a BOM"],
)
def test_one_json_document_is_named_as_such(
    db: Database, tmp_path: Path, data: bytes, line: int, words: str
) -> None:
    failed = _refused(db, _file(tmp_path, data))
    first = failed.errors[0]
    assert first.startswith(f"line {line}: {words}") and "JSON Lines is expected" in first, first
    assert "one whole case object per line" in first


@pytest.mark.parametrize(
    ("over", "where"),
    [
        ({"report_text": "a\x00b"}, "report_text"),
        ({"reporter": "\x00"}, "reporter"),
        ({"account": {"platform": "p", "handle": "@x\x00"}}, "account.handle"),
        (
            {"items": [{"kind": "text", "text": "ok"}, {"kind": "link", "url": "http://x/\x00"}]},
            "items.1.url",
        ),
        ({"scores": {"vio\x00lence": 0.5}}, "scores: a field name"),
        ({"id": "C-\x00"}, "id"),
    ],
)
def test_a_nul_character_anywhere_is_refused_with_its_line(
    db: Database, tmp_path: Path, over: dict, where: str
) -> None:
    failed = _refused(db, _file(tmp_path, _lines(_case(1), _case(2, **over), _case(3))))
    assert failed.errors == [f"line 2: {where}: contains a NUL character (\\u0000), which is not allowed"]


def test_the_text_backslash_u0000_is_not_a_nul(db: Database, tmp_path: Path) -> None:
    report = import_file(db, _file(tmp_path, _lines(_case(1, report_text="C:\\u0000\\x"))))
    assert report.cases == 1
    with db.read() as s:
        case_id = s.execute(select(Case.id)).scalar_one()
    shown = load_case(db, case_id)
    assert shown is not None and shown.report_text == "C:\\u0000\\x"


@pytest.mark.parametrize("data", [b"", b"\n\n   \n", b"\xef\xbb\xbf\n", b"\r\n\t\r\n"])
def test_a_file_without_cases_is_refused(db: Database, tmp_path: Path, data: bytes) -> None:
    path = _file(tmp_path, data)
    failed = _refused(db, path)
    assert str(failed) == f"no cases in {path}" and failed.errors == []


def _media(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "media"
    folder.mkdir()
    Image.new("RGB", (9, 9), "red").save(folder / "real.png", "PNG")
    (folder / "text.jpg").write_text("I am not a picture")
    (folder / "text.mp4").write_text("nor a video")
    (folder / "page.jpg").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    (folder / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom")
    (folder / "empty.jpg").write_bytes(b"")
    return {p.name: p for p in folder.iterdir()}


@pytest.mark.parametrize(
    ("kind", "name", "reason"),
    [
        ("image", "text.jpg", "not an image (looks like plain text)"),
        ("image", "page.jpg", "not an image (looks like a PDF document)"),
        ("image", "empty.jpg", "not an image (looks like an empty file)"),
        ("image", "clip.mp4", "not an image (looks like a video)"),
        ("video", "text.mp4", "not a video (looks like plain text)"),
        ("video", "real.png", "not a video (looks like a PNG image)"),
    ],
)
def test_media_that_are_not_what_their_kind_says_are_refused_by_line(
    db: Database, tmp_path: Path, kind: str, name: str, reason: str
) -> None:
    _media(tmp_path)
    bad = _case(2, items=[{"kind": "text", "text": "t"}, {"kind": kind, "path": f"media/{name}"}])
    failed = _refused(db, _file(tmp_path, _lines(_case(1), bad)))
    assert failed.errors == [f"line 2: items.1.path: {reason}"]


def test_real_media_of_the_right_kind_import(db: Database, tmp_path: Path) -> None:
    _media(tmp_path)
    items = [{"kind": "image", "path": "media/real.png"}, {"kind": "video", "path": "media/clip.mp4"}]
    report = import_file(db, _file(tmp_path, _lines(_case(1, items=items))))
    assert (report.cases, report.items, report.media_files) == (1, 2, 2)
