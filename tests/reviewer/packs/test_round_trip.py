"""A work pack between two data folders, through the real CLI in subprocesses: export at A, open at B,
three decisions at B, return, import at A; verify OK on both sides; the refusals say one line."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
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
            "requester": {"name": f"Pack Requester {n}", "reference": f"PR-{n}"},  # sealed on both sides
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


def _in_process(tmp_path: Path, side: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[int, str]]:
    """The CLI in this process on one side's data folder (fast: for the refusals); (exit code, stderr)."""

    def run(*args: str) -> tuple[int, str]:
        from reviewer.cli import main

        with monkeypatch.context() as m:
            m.setenv("REVIEWER_DATA_DIR", str(tmp_path / side))
            m.setenv("XDG_DATA_HOME", str(tmp_path / f"xdg-{side}"))
            m.setenv("REVIEWER_PACK_SCRYPT_N", "1024")
            err = io.StringIO()
            m.setattr(sys, "stderr", err)
            m.setattr(sys, "stdout", io.StringIO())
            code = main(list(args))
        return code, err.getvalue()

    return run


def _refused(result: tuple[int, str], code: int, text: str) -> None:
    assert result[0] == code and result[1].count("reviewer:") == 1, result
    assert text in result[1].splitlines()[0] and "Traceback" not in result[1], result


@pytest.mark.slow
def test_pack_round_trip_between_two_data_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = _runner(tmp_path, "a"), _runner(tmp_path, "b")  # the round trip itself: real processes
    in_a, in_b = _in_process(tmp_path, "a", monkeypatch), _in_process(tmp_path, "b", monkeypatch)
    phrase = tmp_path / "phrase.txt"
    phrase.write_text(PHRASE + "\n")
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the right passphrase\n")
    assert in_a("import", str(_cases_file(tmp_path)))[0] == 0

    pack = tmp_path / "work.rwpack"
    out = a(
        "pack", "export", "--first", "3", "-o", str(pack), "--for", "tester", "--passphrase-file", str(phrase)
    )
    assert out.returncode == 0 and "3 cases, 2 media files" in out.stdout, out.stderr
    other = str(tmp_path / "x.rwpack")
    _refused(
        in_a("pack", "export", "--cases", "EXT-0,EXT-1", "-o", other, "--passphrase-file", str(phrase)),
        1,
        "held",
    )
    _refused(
        in_b("pack", "open", str(pack), "--passphrase-file", str(wrong)),
        1,
        "wrong passphrase or not a work pack",
    )
    assert not (tmp_path / "b" / "reviewer.sqlite3").exists()

    opened = b("pack", "open", str(pack), "--passphrase-file", str(phrase))
    assert opened.returncode == 0 and "3 cases, 2 media files" in opened.stdout, opened.stderr
    assert len(list((tmp_path / "b").rglob("*.preview"))) == 2  # stored previews (or refusals) made at open
    _refused(in_b("pack", "open", str(pack), "--passphrase-file", str(phrase)), 1, "already opened")
    media = select(func.count()).select_from(Item).where(Item.media_sha256.is_not(None))
    assert _count(tmp_path / "b", media) == 3  # the cut-short PNG too: media are bytes until shown
    requesters = select(func.count()).select_from(Case).where(
        Case.requester.is_not(None), Case.response_due_at.is_not(None)
    )
    assert _count(tmp_path / "b", requesters) == 3  # the requester and response deadline travel
    raw_b = b"".join(p.read_bytes() for p in (tmp_path / "b").glob("reviewer.sqlite3*"))
    assert b"Pack Requester" not in raw_b  # sealed again on the opening side

    _decide_three_at(tmp_path / "b", monkeypatch)
    assert b("audit", "verify").stdout.startswith("OK")
    ret = tmp_path / "return.rwpack"
    back = b("pack", "return", "-o", str(ret), "--passphrase-file", str(phrase))
    assert back.returncode == 0, back.stderr

    _refused(in_a("pack", "open", str(ret), "--passphrase-file", str(wrong)), 1, "wrong passphrase")
    imported = a("pack", "open", str(ret), "--passphrase-file", str(phrase))
    assert imported.returncode == 0 and "3 decisions" in imported.stdout, imported.stderr
    assert _count(tmp_path / "a", select(func.count()).select_from(Decision)) == 3
    assert _count(tmp_path / "a", select(func.count()).select_from(Case).where(Case.status == "decided")) == 3
    verify = a("audit", "verify")
    assert verify.stdout.startswith("OK"), verify.stdout
    _refused(
        in_a("pack", "open", str(ret), "--passphrase-file", str(phrase)), 0, "already imported (3 decisions)"
    )
    assert _count(tmp_path / "a", select(func.count()).select_from(Decision)) == 3

    in_c = _in_process(tmp_path, "c", monkeypatch)
    assert in_c("import", str(_cases_file(tmp_path)))[0] == 0
    _refused(in_c("pack", "open", str(ret), "--passphrase-file", str(phrase)), 1, "did not export")
