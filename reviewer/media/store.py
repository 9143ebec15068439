"""Content-addressed media store: files named by the SHA-256 of their plaintext under ``<db>.media/ab/<sha>``.

Every file is written sealed (``reviewer.vault.media``: AES-GCM in authenticated 1 MiB chunks) with the
database's media key, so a store is useless without the database's key. Naming stays by the plaintext's
hash: the same content imported twice is stored once, and duplicate detection works on the names.
``read`` decrypts and checks a file; a plain file left by an older version is accepted (after its hash is
checked) only until the vault's first pass has sealed the store.

Beside an original, ``<sha>.preview`` holds its stored previews (``reviewer.media.derived``), sealed the
same way (the sealed header names the derivative's own hash; its plaintext names the original's).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from reviewer.vault import media as sealed
from reviewer.vault.state import Vault, VaultError

CHUNK = sealed.CHUNK
DERIVED_SUFFIX = ".preview"


class MediaStore:
    def __init__(self, root: Path, vault: Vault | None = None) -> None:
        self.root = root
        self.vault = vault

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put_file(self, source: Path) -> str:
        """Copy a file in, sealed (hashing while reading, one pass). Returns the plaintext's SHA-256."""
        vault = self._vault()
        digest = hashlib.sha256()
        chunks: list[bytes] = []
        with open(source, "rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
                chunks.append(chunk)
        sha = digest.hexdigest()
        if not self.has(sha):
            self._write_atomic(sha, sealed.seal_chunks(vault.media_key, vault.key_id_bytes, sha, chunks))
        return sha

    def put_bytes(self, data: bytes) -> str:
        """Store ``data`` sealed (as ``put_file``, for bytes already in memory). Returns its SHA-256."""
        vault = self._vault()
        sha = hashlib.sha256(data).hexdigest()
        if not self.has(sha):
            chunks = [data[at : at + CHUNK] for at in range(0, len(data), CHUNK)]
            self._write_atomic(sha, sealed.seal_chunks(vault.media_key, vault.key_id_bytes, sha, chunks))
        return sha

    def derived_path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / (sha256 + DERIVED_SUFFIX)

    def has_derived(self, sha256: str) -> bool:
        return self.derived_path(sha256).is_file()

    def put_derived(self, sha256: str, payload: bytes) -> None:
        """Store the previews of ``sha256`` (``derived.pack``'s bytes) sealed, replacing any before."""
        vault = self._vault()
        own = hashlib.sha256(payload).hexdigest()
        chunks = [payload[at : at + CHUNK] for at in range(0, len(payload), CHUNK)] or [b""]
        pieces = sealed.seal_chunks(vault.media_key, vault.key_id_bytes, own, chunks)
        # Not fsynced: a preview lost or cut short by a crash fails its check and is made again.
        self._write_atomic(sha256, pieces, self.derived_path(sha256), durable=False)

    def read_derived(self, sha256: str) -> bytes | None:
        """The stored previews' plaintext of ``sha256`` (decrypted, every chunk and its hash checked), or
        None if none are stored. MediaIntegrityError if the file is damaged, swapped or plain."""
        try:
            with open(self.derived_path(sha256), "rb") as fh:
                header = fh.read(sealed.HEADER_BYTES)
                if not sealed.is_sealed(header) or len(header) < sealed.HEADER_BYTES:
                    raise sealed.MediaIntegrityError("a stored preview that is not sealed")
                own = header[28:60].hex()  # the header's plaintext hash (checked again by open_sealed)
                fh.seek(0)
                vault = self._vault()
                return sealed.open_sealed(vault.media_key, vault.key_id_bytes, own, fh)
        except FileNotFoundError:
            return None

    def read(self, sha256: str) -> bytes:
        """The plaintext of ``sha256``, decrypted and checked. MediaIntegrityError if the file is damaged,
        cut short, swapped or plain where it must be sealed; OSError if it cannot be read."""
        with open(self.path_for(sha256), "rb") as fh:
            head = fh.read(len(sealed.MAGIC))
            fh.seek(0)
            if sealed.is_sealed(head):
                vault = self._vault()
                return sealed.open_sealed(vault.media_key, vault.key_id_bytes, sha256, fh)
            if self.vault is not None and self.vault.media_sealed:
                raise sealed.MediaIntegrityError("a plain file where a sealed one must be")
            data = fh.read()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise sealed.MediaIntegrityError("the file holds other content than its name says")
        return data

    def is_sealed(self, sha256: str) -> bool:
        with open(self.path_for(sha256), "rb") as fh:
            return sealed.is_sealed(fh.read(len(sealed.MAGIC)))

    def seal_plain(self, sha256: str) -> bool:
        """Seal a plain file an older version stored, in place. False (left alone) if it is already sealed
        or its content does not match its name."""
        if self.is_sealed(sha256):
            return False
        data = self.path_for(sha256).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            return False
        vault = self._vault()
        chunks = [data[at : at + CHUNK] for at in range(0, len(data), CHUNK)]
        self._write_atomic(sha256, sealed.seal_chunks(vault.media_key, vault.key_id_bytes, sha256, chunks))
        return True

    def names(self) -> list[str]:
        """Every stored file's name (a SHA-256), in no particular order."""
        if not self.root.is_dir():
            return []
        return [
            p.name
            for p in self.root.glob("??/*")
            if p.is_file() and len(p.name) == 64 and not p.name.startswith(".")
        ]

    def _vault(self) -> Vault:
        if self.vault is None:
            raise VaultError(
                "media are stored encrypted and this store was opened without the database's key"
            )
        return self.vault

    def _write_atomic(
        self, sha: str, pieces: Iterable[bytes], target: Path | None = None, durable: bool = True
    ) -> None:
        target = target or self.path_for(sha)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        target.parent.mkdir(mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                for piece in pieces:
                    fh.write(piece)
                fh.flush()
                if durable:
                    os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise

    def remove(self, sha256: str) -> None:
        """Remove the original and its stored previews."""
        for path in (self.path_for(sha256), self.derived_path(sha256)):
            try:
                path.unlink()
            except FileNotFoundError:
                pass
