"""The sealed media format: round trips, and every way a stored file can be damaged or swapped is caught."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from reviewer.vault import media
from reviewer.vault.media import CHUNK, HEADER_BYTES, TAG, MediaIntegrityError, open_sealed, seal_chunks

KEY, KEY_ID = os.urandom(32), os.urandom(8)


def _seal(data: bytes, key: bytes = KEY, key_id: bytes = KEY_ID) -> bytes:
    sha = hashlib.sha256(data).hexdigest()
    return b"".join(seal_chunks(key, key_id, sha, [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]))


def _open(blob: bytes, data: bytes) -> bytes:
    return open_sealed(KEY, KEY_ID, hashlib.sha256(data).hexdigest(), io.BytesIO(blob))


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 77])
def test_round_trip_at_every_chunk_boundary(size: int) -> None:
    data = os.urandom(size)
    blob = _seal(data)
    assert len(blob) == media.sealed_size(size)
    assert blob.startswith(media.MAGIC)
    if size >= 64:
        assert data[:64] not in blob  # no plaintext on disk
    assert _open(blob, data) == data


def test_a_flipped_bit_anywhere_is_caught() -> None:
    data = os.urandom(CHUNK + 500)
    blob = bytearray(_seal(data))
    for at in (0, 10, HEADER_BYTES - 1, HEADER_BYTES + 3, HEADER_BYTES + CHUNK + TAG + 5, len(blob) - 1):
        bad = bytearray(blob)
        bad[at] ^= 0x01
        with pytest.raises(MediaIntegrityError):
            _open(bytes(bad), data)


@pytest.mark.parametrize("cut", [1, TAG, 500 + TAG, 501 + TAG])
def test_truncation_is_caught_even_at_a_chunk_boundary(cut: int) -> None:
    data = os.urandom(CHUNK + 500)
    blob = _seal(data)
    with pytest.raises(MediaIntegrityError):
        _open(blob[:-cut], data)


def test_appended_bytes_are_caught() -> None:
    data = os.urandom(CHUNK)
    with pytest.raises(MediaIntegrityError):
        _open(_seal(data) + b"x" * (TAG + 1), data)


def test_a_file_swapped_for_another_sealed_file_is_caught() -> None:
    one, other = os.urandom(1000), os.urandom(1000)
    with pytest.raises(MediaIntegrityError, match="other content"):
        _open(_seal(other), one)


def test_chunks_reordered_are_caught() -> None:
    data = os.urandom(3 * CHUNK)
    blob = _seal(data)
    head, step = blob[:HEADER_BYTES], CHUNK + TAG
    c0, c1, c2 = (blob[HEADER_BYTES + i * step : HEADER_BYTES + (i + 1) * step] for i in range(3))
    with pytest.raises(MediaIntegrityError):
        _open(head + c1 + c0 + c2, data)


def test_another_key_is_refused() -> None:
    data = b"hello"
    blob = _seal(data, key=os.urandom(32), key_id=os.urandom(8))
    with pytest.raises(MediaIntegrityError, match="another key"):
        _open(blob, data)
