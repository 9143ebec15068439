"""Refused packs at the CLI: one line on stderr, exit 1, nothing written (in-process, so fast)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from reviewer.cli import main
from reviewer.packs import cipher

PHRASE = "a long enough passphrase"


@pytest.fixture(autouse=True)
def _cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cipher.ENV_SCRYPT_N, "1024")


@pytest.fixture
def phrase(tmp_path: Path) -> Path:
    path = tmp_path / "phrase.txt"
    path.write_text(PHRASE + "\n")
    return path


@pytest.fixture
def pack(tmp_path: Path, phrase: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    png = io.BytesIO()
    Image.new("RGB", (32, 32), (0, 90, 200)).save(png, "PNG")
    (tmp_path / "a.png").write_bytes(png.getvalue())
    lines = [
        {
            "id": f"R-{n}",
            "channel": "media",
            "category": "spam",
            "items": [{"kind": "image", "path": "a.png"}],
        }
        for n in range(3)
    ]
    (tmp_path / "cases.jsonl").write_text("\n".join(map(json.dumps, lines)) + "\n")
    assert main(["import", str(tmp_path / "cases.jsonl")]) == 0
    out = tmp_path / "work.rwpack"
    assert (
        main(["pack", "export", "--cases", "R-0,R-2", "-o", str(out), "--passphrase-file", str(phrase)]) == 0
    )
    capsys.readouterr()
    return out


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str], text: str) -> None:
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and text in err, err


def test_default_scrypt_cost_is_the_strong_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cipher.ENV_SCRYPT_N)
    assert cipher.scrypt_n() >= 1 << 15


def test_broken_packs_write_nothing(
    tmp_path: Path,
    pack: Path,
    phrase: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REVIEWER_DATA_DIR", str(tmp_path / "b"))
    data = pack.read_bytes()
    bad = tmp_path / "bad.rwpack"
    for cut in (len(data) // 2, len(data) - 1):
        bad.write_bytes(data[:cut])
        _refused(capsys, ["pack", "open", str(bad), "--passphrase-file", str(phrase)], "truncated")
    flipped = bytearray(data)
    flipped[len(data) - 40] ^= 0x01
    bad.write_bytes(bytes(flipped))
    _refused(capsys, ["pack", "open", str(bad), "--passphrase-file", str(phrase)], "tampered")
    assert not (tmp_path / "b" / "reviewer.sqlite3").exists()
    assert main(["pack", "open", str(pack), "--passphrase-file", str(phrase)]) == 0
    assert "2 cases, 1 media files" in capsys.readouterr().out
    _refused(capsys, ["pack", "open", str(pack), "--passphrase-file", str(phrase)], "already opened")


def test_export_refusals(
    tmp_path: Path, pack: Path, phrase: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    short = tmp_path / "short.txt"
    short.write_text("short\n")
    out = str(tmp_path / "x.rwpack")
    _refused(
        capsys, ["pack", "export", "--first", "1", "-o", out, "--passphrase-file", str(short)], "at least 12"
    )
    _refused(
        capsys,
        ["pack", "export", "--cases", "R-9", "-o", out, "--passphrase-file", str(phrase)],
        "no such case",
    )
    _refused(
        capsys, ["pack", "export", "--cases", "R-2", "-o", out, "--passphrase-file", str(phrase)], "R-2 (held"
    )
    _refused(
        capsys, ["pack", "return", "-o", out, "--passphrase-file", str(phrase)], "no work pack was opened"
    )
    assert not Path(out).exists()
