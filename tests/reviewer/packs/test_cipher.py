"""The pack file format: truncation, tampering, reordering and a wrong passphrase are all caught."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from reviewer.packs.cipher import (
    CHUNK,
    MAGIC,
    PackDamaged,
    PackError,
    PackReader,
    PackWriter,
    WrongPassphrase,
)

PHRASE = "correct horse battery"


@pytest.fixture(autouse=True)
def _cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_PACK_SCRYPT_N", "1024")


@pytest.fixture
def body() -> bytes:
    return os.urandom(2 * CHUNK + 12345)  # three chunks, the last one short


def _write(path: Path, body: bytes, kind: str = "work") -> Path:
    with PackWriter(path, kind, PHRASE) as out:
        out.write(body[:1000])
        out.write(body[1000:])
        out.commit()
    return path


def _read(path: Path, phrase: str = PHRASE) -> bytes:
    reader = PackReader(path, phrase)
    reader.check()
    return b"".join(reader.plain_chunks())


def _chunk_offsets(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of each chunk frame (length prefix included)."""
    at = len(MAGIC) + 4 + struct.unpack(">I", data[len(MAGIC) : len(MAGIC) + 4])[0]
    frames = []
    while at < len(data):
        (size,) = struct.unpack(">I", data[at : at + 4])
        frames.append((at, at + 4 + size))
        at += 4 + size
    return frames


def test_round_trip_and_no_temporary_file_left(tmp_path: Path, body: bytes) -> None:
    path = _write(tmp_path / "p.rwpack", body)
    assert _read(path) == body
    assert PackReader(path, PHRASE).kind == "work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.rwpack"]
    assert len(_chunk_offsets(path.read_bytes())) == 3


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), PackWriter(tmp_path / "p.rwpack", "work", PHRASE) as out:
        out.write(b"x" * 100)
        raise RuntimeError("crash")
    assert list(tmp_path.iterdir()) == []


def test_wrong_passphrase_and_short_passphrase(tmp_path: Path, body: bytes) -> None:
    path = _write(tmp_path / "p.rwpack", body)
    with pytest.raises(WrongPassphrase, match="wrong passphrase or not a work pack"):
        PackReader(path, "another passphrase!")
    with pytest.raises(PackError, match="at least 12"):
        PackWriter(tmp_path / "q.rwpack", "work", "short")
    (tmp_path / "plain.txt").write_text("hello")
    with pytest.raises(WrongPassphrase, match="not a work pack"):
        PackReader(tmp_path / "plain.txt", PHRASE)


def test_truncated_anywhere(tmp_path: Path, body: bytes) -> None:
    data = _write(tmp_path / "p.rwpack", body).read_bytes()
    frames = _chunk_offsets(data)
    cuts = {
        "in the header": 20,
        "after the header": frames[0][0],
        "in a length": frames[1][0] + 2,
        "mid-chunk": frames[1][0] + 1000,
        "at a chunk boundary": frames[1][1],
        "one byte short": len(data) - 1,
    }
    for where, at in cuts.items():
        cut = tmp_path / "cut.rwpack"
        cut.write_bytes(data[:at])
        with pytest.raises(PackDamaged, match="truncated"):
            _read(cut)
        assert where


def test_tampered_header_chunk_order_and_tail(tmp_path: Path, body: bytes) -> None:
    data = _write(tmp_path / "p.rwpack", body).read_bytes()
    frames = _chunk_offsets(data)
    bad = tmp_path / "bad.rwpack"

    at = data.index(b'"chunk":') + len(b'"chunk":')  # 1048576 → 1048577: still valid JSON
    header_flip = bytearray(data)
    header_flip[at + 6] ^= 0x01
    bad.write_bytes(bytes(header_flip))
    with pytest.raises(PackDamaged, match="tampered"):
        _read(bad)

    kind = data.replace(b'"kind":"work"', b'"kind":"wxrk"', 1)
    bad.write_bytes(kind)
    with pytest.raises(PackDamaged, match="header"):
        _read(bad)

    chunk_flip = bytearray(data)
    chunk_flip[frames[1][0] + 500] ^= 0x80
    bad.write_bytes(bytes(chunk_flip))
    with pytest.raises(PackDamaged, match="chunk 1"):
        _read(bad)

    (a0, a1), (b0, b1) = frames[0], frames[1]
    bad.write_bytes(data[:a0] + data[b0:b1] + data[a0:a1] + data[b1:])
    with pytest.raises(PackDamaged, match="chunk 0"):
        _read(bad)

    bad.write_bytes(data + data[frames[2][0] :])
    with pytest.raises(PackDamaged, match="tampered"):
        _read(bad)


def test_reader_refuses_a_hostile_scrypt_cost(tmp_path: Path, body: bytes) -> None:
    data = _write(tmp_path / "p.rwpack", body[:10]).read_bytes()
    huge = data.replace(b'"n":1024', b'"n":4194304', 1)
    (tmp_path / "h.rwpack").write_bytes(huge)
    with pytest.raises(PackDamaged, match="header"):
        PackReader(tmp_path / "h.rwpack", PHRASE)
