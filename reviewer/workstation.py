"""This workstation's identity: a random id kept in the user data dir, the source of its audit chain.

The id is not a secret (the signing key is, and lives in the OS keyring). Review sessions record it, so
after a restart a reviewer gets back the leases they held on this workstation.
"""

from __future__ import annotations

import os
import socket
import uuid

from reviewer.paths import ENV_DATA_DIR, data_dir

FILE_NAME = "workstation-id"
#: Per data-dir override (None: the default dir): the decision path asks on every write, so no file
#: system call after the first.
_cache: dict[str | None, uuid.UUID] = {}


def workstation_id() -> uuid.UUID:
    """The id of this workstation, created on first use (atomically: two processes agree on one)."""
    override = os.environ.get(ENV_DATA_DIR)
    known = _cache.get(override)
    if known is not None:
        return known
    path = data_dir() / FILE_NAME
    try:
        found = uuid.UUID(path.read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError):
        fresh = uuid.uuid4()
        tmp = path.with_name(f"{FILE_NAME}.{os.getpid()}.tmp")
        tmp.write_text(str(fresh), encoding="ascii")
        try:
            os.link(tmp, path)  # fails if another process created it first: theirs wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
        found = uuid.UUID(path.read_text(encoding="ascii").strip())
    _cache[override] = found
    return found


def host_name() -> str:
    return socket.gethostname()[:128]
