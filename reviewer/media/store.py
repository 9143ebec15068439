"""Content-addressed media store: files named by their SHA-256 under ``<db>.media/ab/<sha>``."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

CHUNK = 1 << 20


class MediaStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put_file(self, source: Path) -> str:
        """Copy a file in (hashing while reading, one pass). Returns its SHA-256."""
        digest = hashlib.sha256()
        chunks: list[bytes] = []
        with open(source, "rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
                chunks.append(chunk)
        sha = digest.hexdigest()
        if not self.has(sha):
            self._write_atomic(sha, chunks)
        return sha

    def _write_atomic(self, sha: str, chunks: list[bytes]) -> None:
        target = self.path_for(sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in chunks:
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise

    def remove(self, sha256: str) -> None:
        try:
            self.path_for(sha256).unlink()
        except FileNotFoundError:
            pass
