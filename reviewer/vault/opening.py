"""Opening the vault of a database: made at first need, older plain values sealed before use.

``ensure_vault(db)`` is the first need (an import, the demo, the window on an older database);
``open_vault(db)`` never makes a key; ``media_store_of(db)`` is the media store readers use.

A team server (any database that is not a SQLite file, see ``has_vault``) has no vault: texts are stored
plain and media in its ``media_blob`` table (``reviewer.media.blobs``); PostgreSQL protects them (roles,
TLS, disk encryption). A key kept in the same database would protect nothing.
"""

from __future__ import annotations

from reviewer.media.blobs import BlobStore
from reviewer.media.store import MediaStore
from reviewer.storage.database import Database
from reviewer.vault.errors import NoKeyForData, VaultError
from reviewer.vault.legacy import seal_legacy
from reviewer.vault.state import LABEL_DEMO, LABEL_OPTED_IN, Vault, create_vault, vault_in, vault_record


def has_vault(db: Database) -> bool:
    """Whether ``db`` seals what it stores: a SQLite working copy does; a team server does not."""
    return db.is_sqlite


def open_vault(db: Database) -> Vault | None:
    """The vault of ``db`` with every older plain value sealed, or None if nothing was ever sealed (and
    always for a team server). KeyUnavailable when it is sealed and its key cannot be read here."""
    if not has_vault(db):
        return None
    with db.read() as session:
        vault = vault_in(session)
    if vault is not None and not (vault.texts_sealed and vault.media_sealed):
        seal_legacy(db, vault)
        with db.read() as session:
            vault = vault_in(session)
    return vault


def read_key_ahead(db: Database) -> None:
    """Read the vault's key into this process's cache, so the first case's texts open without waiting
    for it (the OS keyring's first answer costs its imports and its I/O: ~60-170 ms). Never seals and
    never makes a key; a key that cannot be read is left for the case load to report."""
    if not has_vault(db):
        return
    try:
        with db.read() as session:
            vault_in(session)
    except VaultError:
        return


def ensure_vault(db: Database, *, demo: bool = False) -> Vault | None:
    """The vault of ``db``, made at first need: the key in the OS keyring; for the synthetic ``demo``
    database only, in a file labelled as such when there is no keyring. Older plain values are sealed
    before it is returned. None for a team server (no vault there).

    Raises NoKeyForData (no keyring and no opt-in: nothing is written) or KeyUnavailable.
    """
    if not has_vault(db):
        return None
    vault = open_vault(db)
    if vault is not None:
        return vault
    try:
        create_vault(db, file_label=None)
    except NoKeyForData:
        if not demo:
            raise
        create_vault(db, file_label=LABEL_DEMO)  # synthetic data only
    vault = open_vault(db)
    assert vault is not None
    return vault


def allow_file_key(db: Database) -> Vault:
    """The user's opt-in: a vault whose key is kept in a 0600 file (weaker), unless one exists already."""
    with db.read() as session:
        existing = vault_record(session)
    if existing is None:
        create_vault(db, file_label=LABEL_OPTED_IN)
    vault = ensure_vault(db)
    if vault is None:
        raise NoKeyForData("a team server keeps no key: PostgreSQL protects its data")
    return vault


def media_store_of(db: Database) -> MediaStore | BlobStore:
    """The media store of ``db`` with its key (none if nothing was ever sealed): what readers use,
    ``media_store_of(db).read(sha)``. KeyUnavailable when the store is sealed and the key is not here.
    A team server's media are in the database (``BlobStore``)."""
    if not has_vault(db):
        return BlobStore(db)
    return MediaStore(db.media_dir, open_vault(db))
