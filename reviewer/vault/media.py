"""The sealed media file format: AES-GCM over 1 MiB chunks, each authenticated on its own.

Layout: a 64-byte header, then the chunks, each ``len(plain) + 16`` bytes (the GCM tag last).

    header = MAGIC (7) | VERSION (1) | key id (8) | nonce base (12) | SHA-256 of the plaintext (32)
             | chunk size (4, big-endian)

Chunk ``i`` uses the nonce ``nonce base XOR i`` (as 12 big-endian bytes) and the associated data
``header | i (8 bytes) | final flag (1 byte)``. So a chunk cannot be moved, a file cannot be cut short at
a chunk boundary (its last chunk would not carry the final flag), nor swapped for another file (the
header, bound into every chunk, names the plaintext's hash, which the reader checks against the name it
asked for and against the bytes it decrypted). The plaintext of an empty file is one empty final chunk.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterable, Iterator
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"RWMEDIA"
VERSION = 1
CHUNK = 1 << 20
TAG = 16
_HEADER = struct.Struct(">7sB8s12s32sI")
HEADER_BYTES = _HEADER.size  # 64


class MediaIntegrityError(ValueError):
    """A sealed media file is damaged, cut short, swapped or sealed with another key."""


def is_sealed(head: bytes) -> bool:
    return head.startswith(MAGIC)


def _nonce(base: bytes, index: int) -> bytes:
    return (int.from_bytes(base, "big") ^ index).to_bytes(12, "big")


def _aad(header: bytes, index: int, final: bool) -> bytes:
    return header + struct.pack(">QB", index, 1 if final else 0)


def seal_chunks(key: bytes, key_id: bytes, sha256_hex: str, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The sealed file, piece by piece, for the plaintext ``chunks`` (each at most ``CHUNK`` bytes;
    re-cut here to exactly ``CHUNK``) whose SHA-256 is ``sha256_hex``."""
    aead = AESGCM(key)
    base = os.urandom(12)
    header = _HEADER.pack(MAGIC, VERSION, key_id, base, bytes.fromhex(sha256_hex), CHUNK)
    yield header
    index = 0
    pending = b""
    for chunk in chunks:
        pending += chunk
        while len(pending) > CHUNK:  # keep at least one byte back: the last chunk carries the flag
            piece, pending = pending[:CHUNK], pending[CHUNK:]
            yield aead.encrypt(_nonce(base, index), piece, _aad(header, index, False))
            index += 1
    yield aead.encrypt(_nonce(base, index), pending, _aad(header, index, True))


def open_sealed(key: bytes, key_id: bytes, sha256_hex: str, fh: IO[bytes]) -> bytes:
    """The plaintext of the sealed file ``fh`` named ``sha256_hex``; MediaIntegrityError on any mismatch."""
    header = fh.read(HEADER_BYTES)
    if len(header) < HEADER_BYTES:
        raise MediaIntegrityError("the file is shorter than its header")
    magic, version, file_key_id, base, sha, chunk = _HEADER.unpack(header)
    if magic != MAGIC or version != VERSION:
        raise MediaIntegrityError("not a sealed media file of a known version")
    if file_key_id != key_id:
        raise MediaIntegrityError("sealed with another key")
    if sha.hex() != sha256_hex:
        raise MediaIntegrityError("the file holds other content than its name says")
    if chunk != CHUNK:
        raise MediaIntegrityError("unexpected chunk size")
    aead = AESGCM(key)
    digest = hashlib.sha256()
    parts: list[bytes] = []
    index = 0
    block = fh.read(CHUNK + TAG)
    while True:
        following = fh.read(CHUNK + TAG) if len(block) == CHUNK + TAG else b""
        final = not following
        try:
            plain = aead.decrypt(_nonce(base, index), block, _aad(header, index, final))
        except InvalidTag:
            raise MediaIntegrityError(
                f"chunk {index} failed its integrity check (damaged or cut short)"
            ) from None
        digest.update(plain)
        parts.append(plain)
        if final:
            break
        block, index = following, index + 1
    if digest.hexdigest() != sha256_hex:
        raise MediaIntegrityError("the decrypted content does not match its name")
    return b"".join(parts)


def sealed_size(plain_size: int) -> int:
    """Bytes on disk for a plaintext of ``plain_size`` bytes."""
    chunks = max(1, -(-plain_size // CHUNK))
    return HEADER_BYTES + plain_size + chunks * TAG
