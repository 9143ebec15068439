"""The checkpoint signing key: 32 random bytes per workstation, created at first use, kept in the OS keyring.

Only a real OS keyring is used (Secret Service, macOS Keychain, Windows Credential Locker). The file
backends of ``keyrings.alt`` are used only when chosen explicitly through ``PYTHON_KEYRING_BACKEND`` (the
tests do, in a temporary folder); picked by priority alone they would keep the key in a plain file.

With no usable keyring the app still works and still writes checkpoints, unsigned: they still reveal a
cut chain, a wipe or a lost ``-wal`` tail, but not a forger who rewrites the chain and the checkpoints
together. ``verify`` says so on every run (see the README).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import uuid

log = logging.getLogger(__name__)

SERVICE = "reviewer-workstation-audit"
ENV_BACKEND = "PYTHON_KEYRING_BACKEND"
_UNUSABLE_MODULES = ("keyring.backends.fail", "keyring.backends.null")

_cache: dict[tuple[str, str], bytes] = {}


class NoUsableKeyring(RuntimeError):
    """No OS keyring can hold the signing key; the message says why."""


def usable_backend():  # type: ignore[no-untyped-def]
    import keyring
    from keyring.backends import chainer

    backend = keyring.get_keyring()
    module = type(backend).__module__
    if module.startswith(_UNUSABLE_MODULES):
        raise NoUsableKeyring("no OS keyring is available (no Secret Service, Keychain or Credential Locker)")
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        raise NoUsableKeyring("no OS keyring is available")
    if module.startswith("keyrings.alt") and not os.environ.get(ENV_BACKEND):
        raise NoUsableKeyring(
            f"only a file keyring ({type(backend).__name__}) is available, not an OS keyring"
        )
    return backend


def _backend_tag(backend) -> str:  # type: ignore[no-untyped-def]
    return f"{type(backend).__module__}.{type(backend).__name__}:{getattr(backend, 'file_path', '')}"


def keyring_problem() -> str | None:
    """Why no key can be kept, or None when a usable keyring answers."""
    try:
        usable_backend()
    except NoUsableKeyring as exc:
        return str(exc)
    return None


def signing_key(source_id: uuid.UUID, *, create: bool) -> bytes | None:
    """The key of ``source_id``; made and stored on first use when ``create``. None if there is none or
    no usable keyring (logged)."""
    from keyring.errors import KeyringError

    try:
        backend = usable_backend()
    except NoUsableKeyring as exc:
        log.warning("audit checkpoints are not signed: %s", exc)
        return None
    tag = (_backend_tag(backend), str(source_id))
    cached = _cache.get(tag)
    if cached is not None:
        return cached
    try:
        stored = backend.get_password(SERVICE, str(source_id))
        if stored is None and create:
            backend.set_password(SERVICE, str(source_id), base64.b64encode(secrets.token_bytes(32)).decode())
            stored = backend.get_password(SERVICE, str(source_id))
    except KeyringError as exc:
        log.warning("audit checkpoints are not signed: the keyring refused (%s)", exc)
        return None
    if stored is None:
        return None
    key = base64.b64decode(stored)
    _cache[tag] = key
    return key


def forget_cached_keys() -> None:
    """Drop keys cached in this process (after the keyring was changed behind our back)."""
    _cache.clear()


def key_id(key: bytes) -> str:
    """A public fingerprint of a key: which key signed, without revealing it."""
    return hashlib.sha256(b"reviewer-checkpoint-key\x00" + key).hexdigest()[:16]


def sign(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()


def signature_ok(key: bytes, body: str, signature: str) -> bool:
    return hmac.compare_digest(sign(key, body), signature)
