"""Every way the environment or a careless user can refuse a CLI command: one line on stderr, exit 1.

Table-driven: each row runs the real CLI (``reviewer.cli.main``, in process, so a traceback would fail the
test by escaping it) against a real refusal. Full disks and read-only folders are small tmpfs mounts (the
kernel says ENOSPC / EROFS, and a read-only mount refuses root too, where ``chmod`` would not); ``/dev/full``
is a full file target. Nothing is injected. Rows that need a mount skip where mounting is not allowed.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image

from reviewer.cli import main
from tests.reviewer.storage.mounts import fill, tmpfs


@dataclass
class World:
    """Places for the rows: a working database, a read-only folder and full folders (mounts)."""

    tmp: Path
    template: Path
    mounts: list[Path] = field(default_factory=list)

    def database(self, name: str) -> Path:
        folder = self.tmp / name
        folder.mkdir()
        path = folder / "x.sqlite3"
        shutil.copyfile(self.template, path)
        return path

    def cases(self, *, image: bool = False) -> Path:
        """A valid import file (with a real image of about 200 KB if asked)."""
        folder = self.tmp / "src"
        folder.mkdir(exist_ok=True)
        item: dict[str, str] = {"kind": "text", "text": "hi"}
        if image:
            Image.effect_noise((260, 260), 90).convert("RGB").save(folder / "big.png", "PNG")
            item = {"kind": "image", "path": "big.png"}
        case = {"id": "A", "channel": "media", "category": "spam", "items": [item]}
        path = folder / "cases.jsonl"
        path.write_text(json.dumps(case) + "\n")
        return path


@pytest.fixture
def world(tmp_path: Path, _template_db: Path) -> Iterator[World]:
    yield World(tmp_path, _template_db)


@dataclass
class Row:
    name: str
    #: builds the arguments (and mounts what it needs) inside ``world``; ``env`` is set for the run
    setup: Callable[[World, pytest.MonkeyPatch, list], list[str]]
    expect: str


def _mount(stack: list, at: Path, *, size_kb: int = 256, read_only: bool = False, full: bool = False) -> Path:
    ctx = tmpfs(at, size_kb=size_kb, read_only=read_only)
    ctx.__enter__()
    stack.append(ctx)
    if full:
        fill(at)
    return at


def _import_media_onto_full_disk(w: World, _mp: pytest.MonkeyPatch, stack: list) -> list[str]:
    db = w.database("media-full")
    _mount(stack, db.with_suffix(".media"), size_kb=64, full=True)
    return ["--db", str(db), "import", str(w.cases(image=True))]


def _backup_into_read_only(w: World, _mp: pytest.MonkeyPatch, stack: list) -> list[str]:
    db = w.database("backup-ro")
    _mount(stack, db.parent / "backups", read_only=True)
    return ["--db", str(db), "backup"]


def _backup_onto_full_disk(w: World, _mp: pytest.MonkeyPatch, stack: list) -> list[str]:
    db = w.database("backup-full")
    _mount(stack, db.parent / "backups", size_kb=128, full=True)
    return ["--db", str(db), "backup"]


def _export_to_read_only(w: World, _mp: pytest.MonkeyPatch, stack: list) -> list[str]:
    db = w.database("export-ro")
    ro = _mount(stack, w.tmp / "ro", read_only=True)
    return ["--db", str(db), "export", "-o", str(ro / "out.csv")]


def _data_dir_read_only(w: World, mp: pytest.MonkeyPatch, stack: list) -> list[str]:
    ro = _mount(stack, w.tmp / "ro-data", read_only=True)
    mp.setenv("REVIEWER_DATA_DIR", str(ro))
    return ["import", str(w.cases())]


def _data_dir_inside_read_only(w: World, mp: pytest.MonkeyPatch, stack: list) -> list[str]:
    ro = _mount(stack, w.tmp / "ro-data2", read_only=True)
    mp.setenv("REVIEWER_DATA_DIR", str(ro / "reviewer"))
    return ["export"]


def _data_dir_is_a_file(w: World, mp: pytest.MonkeyPatch, _stack: list) -> list[str]:
    (w.tmp / "a-file").write_text("x")
    mp.setenv("REVIEWER_DATA_DIR", str(w.tmp / "a-file"))
    return ["audit", "verify"]


ROWS = [
    Row("import media onto a full disk", _import_media_onto_full_disk, "no space left"),
    Row("backup into a read-only folder", _backup_into_read_only, "read-only file system"),
    Row("backup onto a full disk", _backup_onto_full_disk, "no space left"),
    Row(
        "export -o a directory",
        lambda w, _mp, _s: ["--db", str(w.database("e1")), "export", "-o", str(w.tmp)],
        "is a folder",
    ),
    Row(
        "export -o in a missing folder",
        lambda w, _mp, _s: ["--db", str(w.database("e2")), "export", "-o", str(w.tmp / "no" / "o.csv")],
        "does not exist",
    ),
    Row("export -o a read-only path", _export_to_read_only, "read-only file system"),
    Row(
        "export -o a full device",
        lambda w, _mp, _s: ["--db", str(w.database("e3")), "export", "-o", "/dev/full"],
        "no space left",
    ),
    Row("--db notaurl://x", lambda _w, _mp, _s: ["--db", "notaurl://x", "export"], "not a database"),
    Row("REVIEWER_DATA_DIR is a file", _data_dir_is_a_file, "is a file, not a folder"),
    Row("REVIEWER_DATA_DIR is read-only", _data_dir_read_only, "read-only file system"),
    Row(
        "REVIEWER_DATA_DIR inside a read-only place",
        _data_dir_inside_read_only,
        "read-only file system",
    ),
    Row(
        "import a directory",
        lambda w, _mp, _s: ["--db", str(w.database("i1")), "import", str(w.tmp)],
        "is a folder, not a file",
    ),
    Row(
        "--db in a missing folder",
        lambda w, _mp, _s: ["--db", str(w.tmp / "nowhere" / "x.sqlite3"), "--init", "import", str(w.cases())],
        "does not exist",
    ),
    Row(
        "--db naming a missing file",
        lambda w, _mp, _s: ["--db", str(w.tmp / "new.sqlite3"), "audit", "verify"],
        "pass --init",
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_each_refusal_is_one_line_and_a_failure(
    row: Row, world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stack: list = []
    try:
        argv = row.setup(world, monkeypatch, stack)
        capsys.readouterr()
        code = main(argv)  # a traceback would escape here and fail the test
        out = capsys.readouterr()
    finally:
        for ctx in reversed(stack):
            ctx.__exit__(None, None, None)
    assert code == 1, (code, out)
    lines = out.err.splitlines()
    assert len(lines) == 1, out.err
    assert lines[0].startswith("reviewer: ") and row.expect in lines[0], lines[0]
    assert "Traceback" not in out.err and "Errno" not in out.err
    assert "damaged" not in out.err  # a full or read-only place is never called damage


def test_refusals_quoting_imported_values_show_hidden_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bidi override in a bad value cannot reorder the terminal line that reports it."""
    evil = "gpj.exe\u202e"
    cases = [
        {"id": evil, "channel": "media", "category": "spam", "items": [{"kind": "text", "text": "t"}]},
        {
            "id": evil,
            "channel": "media",
            "category": "spam",
            "items": [{"kind": "image", "path": f"{evil}.jpg"}],
        },
    ]
    src = tmp_path / f"cases{evil}.jsonl"
    src.write_text("".join(json.dumps(c) + "\n" for c in cases))
    db = str(tmp_path / "x.sqlite3")
    assert main(["--db", db, "--init", "import", str(src)]) == 1
    err = capsys.readouterr().err
    assert "\u202e" not in err and "line 2: duplicate case id" in err
    src.write_text("\n")
    assert main(["--db", db, "import", str(src)]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert "\u202e" not in line and line.endswith("cases" + "gpj.exe⟨U+202E⟩.jsonl"), line
