"""The data key of a database: 32 random bytes, in the OS keyring or (weaker, said so) in a 0600 file.

The keyring rules are the audit key's (``reviewer.audit.keys.usable_backend``): a real OS keyring only,
``keyrings.alt`` only when chosen through ``PYTHON_KEYRING_BACKEND``. The keyring entry is
``SERVICE`` / the vault id, a random name stored in the database's ``vault`` row.

Three keys are derived from the data key with HKDF-SHA256, one per use, so no key ever serves two
purposes: one seals texts, one encrypts media, one keys the blind index of report words.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from reviewer.audit.keys import NoUsableKeyring, keyring_problem, usable_backend
from reviewer.vault.errors import KeyUnavailable

SERVICE = "reviewer-workstation-data"
KEY_BYTES = 32
KEYRING, FILE = "keyring", "file"
FILE_KEY_SUFFIX = ".key"

__all__ = [
    "FILE",
    "KEYRING",
    "SERVICE",
    "KeyUnavailable",
    "NoUsableKeyring",
    "derive",
    "key_fingerprint",
    "keyring_problem",
    "new_key",
    "read_file_key",
    "read_keyring_key",
    "store_file_key",
    "store_keyring_key",
    "usable_backend",
]


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def key_fingerprint(key: bytes) -> str:
    """A public id of a key (16 hex digits): which key sealed, without revealing it."""
    return hashlib.sha256(b"reviewer-data-key\x00" + key).hexdigest()[:16]


def derive(key: bytes, purpose: str) -> bytes:
    """A 256-bit subkey of ``key`` for one ``purpose`` ("text", "media", "index")."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"reviewer {purpose} v1".encode()
    ).derive(key)


def _decode(stored: str, where: str) -> bytes:
    try:
        key = base64.b64decode(stored.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise KeyUnavailable(f"the data key in {where} is not a key (damaged?)")
    return key


def read_keyring_key(vault_id: str) -> bytes:
    """The key kept in the OS keyring under ``vault_id``; KeyUnavailable if there is none or no keyring."""
    from keyring.errors import KeyringError

    try:
        stored = usable_backend().get_password(SERVICE, vault_id)
    except NoUsableKeyring as exc:
        raise KeyUnavailable(
            f"this database's key is in the OS keyring, which is not available: {exc}"
        ) from exc
    except KeyringError as exc:
        raise KeyUnavailable(f"the OS keyring refused to give this database's key ({exc})") from exc
    if stored is None:
        raise KeyUnavailable(
            f"this database's key ({SERVICE} / {vault_id}) is not in this user's OS keyring; "
            "its texts and media cannot be read here"
        )
    return _decode(stored, "the OS keyring")


def store_keyring_key(vault_id: str, key: bytes) -> None:
    """Keep ``key`` in the OS keyring; NoUsableKeyring / KeyringError when it cannot."""
    usable_backend().set_password(SERVICE, vault_id, base64.b64encode(key).decode())


def read_file_key(path: Path) -> bytes:
    try:
        return _decode(path.read_text(encoding="ascii"), str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyUnavailable(f"this database's key file {path} cannot be read ({exc})") from exc


def store_file_key(path: Path, key: bytes) -> None:
    """Write ``key`` to a new file readable by its owner only (0600); never overwrites one."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(base64.b64encode(key).decode() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
