"""Real full and read-only folders for tests: small tmpfs mounts (root only), so the kernel itself says
ENOSPC or EROFS. Root ignores file permissions, so ``chmod`` cannot make a folder read-only for these
tests; a read-only mount refuses root too. Where mounting is not allowed the tests that need it skip."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _mount(point: Path, options: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    point.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True, check=False
    )
    return done.returncode == 0


@contextlib.contextmanager
def tmpfs(point: Path, *, size_kb: int = 256, read_only: bool = False) -> Iterator[Path]:
    """A fresh tmpfs of ``size_kb`` at ``point`` (read-only if asked); skips the test if it cannot mount."""
    options = f"size={size_kb}k,mode=0700" + (",ro" if read_only else "")
    if not _mount(point, options):
        pytest.skip("needs root and permission to mount a tmpfs (a real full or read-only folder)")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True, check=False)


def fill(folder: Path) -> None:
    """Write into ``folder`` until the disk is full (ENOSPC); the folder is then really full."""
    with open(folder / "filler", "wb", buffering=0) as fh, contextlib.suppress(OSError):
        while True:
            fh.write(b"\0" * 4096)
