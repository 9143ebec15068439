"""A work pack between two data folders, through the real CLI in subprocesses: export at A, open at B,
three decisions at B, return, import at A; verify OK on both sides; the refusals say one line."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from reviewer.models import Case, Decision, Item
from reviewer.paths import default_db_url
from reviewer.storage.database import Database
from reviewer.storage.migrate import open_database

PHRASE = "a long enough passphrase"
Run = Callable[..., subprocess.CompletedProcess[str]]


def _runner(tmp_path: Path, side: str) -> Run:
    env = {
        **os.environ,
        "REVIEWER_DATA_DIR": str(tmp_path / side),
        "XDG_DATA_HOME": str(tmp_path / f"xdg-{side}"),
        "REVIEWER_PACK_SCRYPT_N": "1024",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "reviewer.cli", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
        )

    return run


def _cases_file(root: Path) -> Path:
    png = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(png, "PNG")
    (root / "good.png").write_bytes(png.getvalue())
    noise = Image.frombytes("RGB", (64, 48), os.urandom(64 * 48 * 3))
    cut = io.BytesIO()
    noise.save(cut, "PNG")
    (root / "bad.png").write_bytes(cut.getvalue()[: len(cut.getvalue()) // 2])  # hostile: cut short
    lines = [
        {
            "id": f"EXT-{n}",
            "channel": "media",
            "category": "spam",
            "report_text": f"report ‮ {n}",
            "items": [
                {"kind": "text", "text": f"item text {n}"},
                {"kind": "image", "path": "good.png" if n % 2 else "bad.png"},
            ],
        }
        for n in range(4)
    ]
    path = root / "cases.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return path


def _one_line(result: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    assert result.returncode == code, result.stderr
    first = result.stderr.splitlines()[0]
    assert text in first and "Traceback" not in result.stderr, result.stderr


def _decide_three_at(side: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewer.decisions import record_decision
    from reviewer.identity import ensure_reviewer, start_session
    from reviewer.policy import load_default_pack

    monkeypatch.setenv("REVIEWER_DATA_DIR", str(side))
    monkeypatch.setenv("XDG_DATA_HOME", str(side.parent / f"xdg-{side.name}"))
    db = open_database(default_db_url())
    try:
        pack = load_default_pack()
        reviewer = ensure_reviewer(db, "tester")
        session_id = start_session(db, reviewer)
        with db.read() as session:
            held = list(
                session.scalars(select(Case.id).where(Case.claimed_by == session_id).order_by(Case.id))
            )
        assert len(held) == 3
        for case_id in held:
            record_decision(
                db, case_id=case_id, reviewer=reviewer, action="keep", policy_code="NV-0", pack=pack,
                session_id=session_id,
            )  # fmt: skip
    finally:
        db.dispose()


def _count(side: Path, query: object) -> int:
    db: Database = open_database(f"sqlite:///{side / 'reviewer.sqlite3'}")
    try:
        with db.read() as session:
            return int(session.execute(query).scalar_one())  # type: ignore[call-overload]
    finally:
        db.dispose()


@pytest.mark.slow
def test_pack_round_trip_between_two_data_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = _runner(tmp_path, "a"), _runner(tmp_path, "b")
    phrase = tmp_path / "phrase.txt"
    phrase.write_text(PHRASE + "\n")
    assert a("import", str(_cases_file(tmp_path))).returncode == 0

    pack = tmp_path / "work.rwpack"
    out = a(
        "pack", "export", "--first", "3", "-o", str(pack), "--for", "tester", "--passphrase-file", str(phrase)
    )
    assert out.returncode == 0 and "3 cases, 2 media files" in out.stdout, out.stderr
    again = a(
        "pack",
        "export",
        "--cases",
        "EXT-0,EXT-1",
        "-o",
        str(tmp_path / "x.rwpack"),
        "--passphrase-file",
        str(phrase),
    )
    _one_line(again, 1, "held by another session")

    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the right passphrase\n")
    _one_line(
        b("pack", "open", str(pack), "--passphrase-file", str(wrong)),
        1,
        "wrong passphrase or not a work pack",
    )
    assert not (tmp_path / "b" / "reviewer.sqlite3").exists()

    opened = b("pack", "open", str(pack), "--passphrase-file", str(phrase))
    assert opened.returncode == 0 and "3 cases, 2 media files" in opened.stdout, opened.stderr
    _one_line(b("pack", "open", str(pack), "--passphrase-file", str(phrase)), 1, "already opened")
    assert b("audit", "verify").stdout.startswith("OK")
    assert (
        _count(tmp_path / "b", select(func.count()).select_from(Item).where(Item.media_sha256.is_not(None)))
        == 3
    )

    _decide_three_at(tmp_path / "b", monkeypatch)
    assert b("audit", "verify").stdout.startswith("OK")
    ret = tmp_path / "return.rwpack"
    back = b("pack", "return", "-o", str(ret), "--passphrase-file", str(phrase))
    assert back.returncode == 0, back.stderr

    _one_line(a("pack", "open", str(ret), "--passphrase-file", str(wrong)), 1, "wrong passphrase")
    imported = a("pack", "open", str(ret), "--passphrase-file", str(phrase))
    assert imported.returncode == 0 and "3 decisions" in imported.stdout, imported.stderr
    assert _count(tmp_path / "a", select(func.count()).select_from(Decision)) == 3
    assert _count(tmp_path / "a", select(func.count()).select_from(Case).where(Case.status == "decided")) == 3
    verify = a("audit", "verify")
    assert verify.stdout.startswith("OK"), verify.stdout
    twice = a("pack", "open", str(ret), "--passphrase-file", str(phrase))
    _one_line(twice, 0, "this return was already imported (3 decisions)")
    assert _count(tmp_path / "a", select(func.count()).select_from(Decision)) == 3

    foreign = _runner(tmp_path, "c")
    assert foreign("import", str(_cases_file(tmp_path))).returncode == 0
    _one_line(foreign("pack", "open", str(ret), "--passphrase-file", str(phrase)), 1, "did not export")
    assert uuid.UUID  # ids are UUIDs throughout
