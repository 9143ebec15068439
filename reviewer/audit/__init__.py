"""Tamper-evident audit log: one hash chain per source, row snapshots, signed checkpoints, ``verify``.

``chain`` appends, ``snapshots`` says what an event vouches for, ``keys`` keeps the signing key in the OS
keyring, ``checkpoints`` anchors the chain heads in the database and a sidecar file, ``verify`` checks all.
"""

from reviewer.audit.chain import (
    GENESIS,
    LAST_LINK_COLUMNS,
    append_event,
    append_event_core,
    canonical,
    current_source,
    event_hash,
    lock_chain,
)
from reviewer.audit.checkpoints import note_appended, sidecar_path, write_checkpoint
from reviewer.audit.snapshots import snapshot
from reviewer.audit.verify import VerifyReport, verify

__all__ = [
    "GENESIS",
    "LAST_LINK_COLUMNS",
    "VerifyReport",
    "append_event",
    "append_event_core",
    "canonical",
    "current_source",
    "event_hash",
    "lock_chain",
    "note_appended",
    "sidecar_path",
    "snapshot",
    "verify",
    "write_checkpoint",
]
