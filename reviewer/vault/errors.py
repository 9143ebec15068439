"""Why sensitive data cannot be sealed or opened here (light: the CLI imports it at start)."""

from __future__ import annotations


class VaultError(RuntimeError):
    """Sensitive data cannot be sealed or opened here; the message says why and what to do."""


class NoKeyForData(VaultError):
    """No usable OS keyring, and the user has not opted in to a file-kept key."""


class KeyUnavailable(VaultError):
    """The database is sealed but its key cannot be read; the message says where it was expected."""
