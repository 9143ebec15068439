"""The pack file format: a small plain header, then the body in AES-256-GCM chunks.

Layout: ``RWPACK1\\n``, a 4-byte big-endian header length, the header (canonical JSON: kind, KDF
parameters, salt, nonce base, chunk size, key check), then chunks, each a 4-byte length and the
ciphertext with its tag. The key comes from the passphrase through scrypt (``cryptography``'s
``Scrypt``). Each chunk's nonce is the base plus its index, and its associated data is the header's
SHA-256, the index and a final-chunk flag: changing the header, reordering, dropping or cutting
chunks, or adding bytes after the final chunk all fail authentication. Readers check every chunk
before their caller writes anything (``check``), then read it again (``plain_chunks``).

Scrypt cost: n = 2**17 (r=8, p=1: 128 MiB, about 0.5 s) by default; tests make it cheap with the environment
variable ``REVIEWER_PACK_SCRYPT_N`` (a power of two, only tests set it). A reader accepts n between
2**10 and 2**18 from a header, so a hostile file cannot ask for unbounded memory.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"RWPACK1\n"
KINDS = ("work", "return")
CHUNK = 1 << 20
ENV_SCRYPT_N = "REVIEWER_PACK_SCRYPT_N"
DEFAULT_SCRYPT_N = 1 << 17  # ~0.5 s and 128 MiB on a 2-core test machine (2**15: 0.09 s)
SCRYPT_R, SCRYPT_P = 8, 1
MIN_N, MAX_N = 1 << 10, 1 << 18
MAX_HEADER = 4096
MIN_PASSPHRASE = 12
_TAG = 16
_KEY_CHECK = b"RWPACK1 key check"


class PackError(ValueError):
    """A pack that cannot be used: the message is one line for the user."""


class WrongPassphrase(PackError):
    pass


class PackDamaged(PackError):
    pass


def scrypt_n() -> int:
    raw = os.environ.get(ENV_SCRYPT_N)
    return int(raw) if raw else DEFAULT_SCRYPT_N


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise PackError(f"the passphrase must have at least {MIN_PASSPHRASE} characters")


def derive_key(passphrase: str, salt: bytes, n: int) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=n, r=SCRYPT_R, p=SCRYPT_P)
    return kdf.derive(passphrase.encode("utf-8"))


def _key_check(key: bytes) -> str:
    return hmac.new(key, _KEY_CHECK, hashlib.sha256).hexdigest()[:32]


def _nonce(base: bytes, index: int) -> bytes:
    return ((int.from_bytes(base, "big") + index) % (1 << 96)).to_bytes(12, "big")


def _aad(digest: bytes, index: int, final: bool) -> bytes:
    return digest + struct.pack(">QB", index, 1 if final else 0)


@dataclass(frozen=True)
class Header:
    kind: str
    n: int
    salt: bytes
    nonce_base: bytes
    chunk: int
    key_check: str
    raw: bytes  # the exact header bytes: its digest is bound to every chunk

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(self.raw).digest()


def _new_header(kind: str, key_check: str, salt: bytes, n: int) -> Header:
    body = {
        "format": 1,
        "kind": kind,
        "kdf": {"name": "scrypt", "n": n, "r": SCRYPT_R, "p": SCRYPT_P},
        "salt": base64.b64encode(salt).decode(),
        "nonce_base": base64.b64encode(secrets.token_bytes(12)).decode(),
        "chunk": CHUNK,
        "key_check": key_check,
    }
    raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return _parse_header(raw)


def _parse_header(raw: bytes) -> Header:
    damaged = PackDamaged("the pack's header is damaged or was tampered with")
    try:
        body: Any = json.loads(raw.decode("utf-8"))
        kdf = body["kdf"]
        header = Header(
            kind=body["kind"],
            n=int(kdf["n"]),
            salt=base64.b64decode(body["salt"], validate=True),
            nonce_base=base64.b64decode(body["nonce_base"], validate=True),
            chunk=int(body["chunk"]),
            key_check=str(body["key_check"]),
            raw=raw,
        )
        ok = (
            body.get("format") == 1
            and kdf.get("name") == "scrypt"
            and (kdf.get("r"), kdf.get("p")) == (SCRYPT_R, SCRYPT_P)
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        raise damaged from None
    if not ok or header.kind not in KINDS or len(header.nonce_base) != 12 or len(header.salt) < 16:
        raise damaged
    if not MIN_N <= header.n <= MAX_N or header.n & (header.n - 1) or not 0 < header.chunk <= 16 * CHUNK:
        raise damaged
    return header


def read_header(fh: IO[bytes]) -> Header:
    if fh.read(len(MAGIC)) != MAGIC:
        raise WrongPassphrase("not a work pack (no pack header)")
    size_raw = fh.read(4)
    if len(size_raw) < 4:
        raise PackDamaged("the pack is truncated (cut inside its header)")
    (size,) = struct.unpack(">I", size_raw)
    if size > MAX_HEADER:
        raise PackDamaged("the pack's header is damaged or was tampered with")
    raw = fh.read(size)
    if len(raw) < size:
        raise PackDamaged("the pack is truncated (cut inside its header)")
    return _parse_header(raw)


class PackWriter:
    """Write a pack to a temporary file beside ``path``; ``commit`` renames it into place (a crash leaves
    no half pack). Use as a context manager: leaving it without ``commit`` removes the temporary file."""

    def __init__(self, path: Path, kind: str, passphrase: str) -> None:
        check_passphrase(passphrase)
        salt = secrets.token_bytes(16)
        n = scrypt_n()
        self._key = derive_key(passphrase, salt, n)
        self.header = _new_header(kind, _key_check(self._key), salt, n)
        self._aead = AESGCM(self._key)
        self.path = path
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        self._tmp = Path(tmp)
        self._fh = os.fdopen(fd, "wb")
        self._fh.write(MAGIC + struct.pack(">I", len(self.header.raw)) + self.header.raw)
        self._buffer = bytearray()
        self._index = 0
        self.size = 0

    def __enter__(self) -> PackWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._fh.closed:
            self._fh.close()
            self._tmp.unlink(missing_ok=True)

    def write(self, data: bytes) -> None:
        self._buffer += data
        # Keep at least one full chunk back: the final flag is known only at commit.
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), final=False)
            del self._buffer[:CHUNK]

    def _seal(self, plain: bytes, *, final: bool) -> None:
        nonce = _nonce(self.header.nonce_base, self._index)
        sealed = self._aead.encrypt(nonce, plain, _aad(self.header.digest, self._index, final))
        self._fh.write(struct.pack(">I", len(sealed)) + sealed)
        self._index += 1

    def commit(self) -> None:
        self._seal(bytes(self._buffer), final=True)
        self._buffer.clear()
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.size = self._fh.tell()
        self._fh.close()
        os.replace(self._tmp, self.path)


class PackReader:
    """Open a pack with a passphrase: ``check()`` authenticates every chunk (nothing is kept), then
    ``plain_chunks()`` yields the body again, chunk by chunk, checked once more."""

    def __init__(self, path: Path, passphrase: str) -> None:
        self.path = path
        try:
            with open(path, "rb") as fh:
                self.header = read_header(fh)
                self._body_at = fh.tell()
        except IsADirectoryError:
            raise PackError(f"{path} is a folder, not a pack file") from None
        except FileNotFoundError:
            raise PackError(f"no such file: {path}") from None
        key = derive_key(passphrase, self.header.salt, self.header.n)
        if not hmac.compare_digest(_key_check(key), self.header.key_check):
            raise WrongPassphrase("wrong passphrase or not a work pack")
        self._aead = AESGCM(key)

    @property
    def kind(self) -> str:
        return self.header.kind

    def check(self) -> None:
        for _ in self.plain_chunks():
            pass

    def plain_chunks(self) -> Iterator[bytes]:
        limit = self.header.chunk + _TAG
        with open(self.path, "rb") as fh:
            fh.seek(self._body_at)
            index = 0
            while True:
                size_raw = fh.read(4)
                if not size_raw:
                    raise PackDamaged("the pack is truncated (its final chunk is missing)")
                if len(size_raw) < 4:
                    raise PackDamaged("the pack is truncated (cut inside a chunk)")
                (size,) = struct.unpack(">I", size_raw)
                if not _TAG <= size <= limit:
                    raise PackDamaged(f"the pack is damaged or was tampered with (chunk {index})")
                sealed = fh.read(size)
                if len(sealed) < size:
                    raise PackDamaged("the pack is truncated (cut inside a chunk)")
                at_end = fh.read(1) == b""
                if at_end:
                    fh.seek(0, os.SEEK_END)
                else:
                    fh.seek(-1, os.SEEK_CUR)
                plain = self._open(sealed, index, final=at_end)
                if plain is None:
                    if at_end and self._open(sealed, index, final=False) is not None:
                        raise PackDamaged("the pack is truncated (its final chunk is missing)")
                    if not at_end and self._open(sealed, index, final=True) is not None:
                        raise PackDamaged("the pack was tampered with (bytes after its final chunk)")
                    raise PackDamaged(f"the pack is damaged or was tampered with (chunk {index})")
                yield plain
                if at_end:
                    return
                index += 1

    def _open(self, sealed: bytes, index: int, *, final: bool) -> bytes | None:
        nonce = _nonce(self.header.nonce_base, index)
        try:
            return self._aead.decrypt(nonce, sealed, _aad(self.header.digest, index, final))
        except InvalidTag:
            return None
