"""The vault of one database: which key seals it, where that key is kept, its row.

``create_vault`` makes the key (OS keyring; a file only for the demo or when the user opted in) and the
``vault`` row; with no usable keyring it refuses (``NoKeyForData``) rather than let sensitive data be
stored in plain text. ``reviewer.vault.opening`` is what callers use.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewer.clock import utcnow
from reviewer.models import Case, VaultRecord
from reviewer.paths import data_dir, sqlite_file
from reviewer.storage.database import Database
from reviewer.vault import keys, sealing
from reviewer.vault.errors import KeyUnavailable, NoKeyForData, VaultError

__all__ = ["KeyUnavailable", "NoKeyForData", "Vault", "VaultError", "create_vault", "vault_in"]

LABEL_DEMO = "demo"
LABEL_OPTED_IN = "opted in"
LOCKED = "⟨this text cannot be read here: its key is not available⟩"

_keys: dict[tuple[str, str], bytes] = {}  # (vault id, key id) -> data key, for this process
_key_read = threading.Lock()


@dataclass(frozen=True)
class Vault:
    vault_id: str
    key_store: str  # keys.KEYRING or keys.FILE
    key_label: str
    key_id: str
    texts_sealed: bool
    media_sealed: bool
    _text: AESGCM = field(repr=False)
    text_key: bytes = field(repr=False)
    media_key: bytes = field(repr=False)
    index_key: bytes = field(repr=False)
    _index: sealing.TermIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", sealing.TermIndex(self.index_key))

    @property
    def key_id_bytes(self) -> bytes:
        return bytes.fromhex(self.key_id)

    @property
    def weaker(self) -> bool:
        return self.key_store == keys.FILE

    def describe(self) -> str:
        if self.key_store == keys.KEYRING:
            return "encrypted, key in the OS keyring"
        if self.key_label == LABEL_DEMO:
            return "encrypted, demo key in a file (weaker)"
        return "encrypted, key in a file (weaker, opted in)"

    def seal_text(self, text: str, table: str, column: str, row_id: str) -> str:
        return sealing.seal(self._text, text, table, column, row_id)

    def seal_texts(self, texts: list[str], table: str, column: str, row_ids: list[str]) -> list[str]:
        """``seal_text`` of each text for its row, in bulk (``sealing.seal_many``)."""
        return sealing.seal_many(self._text, texts, table, column, row_ids)

    def try_open_text(self, value: str, table: str, column: str, row_id: str) -> str | None:
        """The text sealed in ``value`` for that row, or None if it is not a value sealed there by this key."""
        return sealing.try_open(self._text, value, table, column, row_id)

    def open_text(self, value: str, table: str, column: str, row_id: str) -> str:
        """The plain text of a stored value; ``sealing.TAMPERED`` if it fails its check. Until the legacy
        pass has finished, a value that is not sealed is an older version's plain text."""
        opened = self.try_open_text(value, table, column, row_id)
        if opened is not None:
            return opened
        return value if not self.texts_sealed else sealing.TAMPERED

    def open_row(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        """``row`` (every column, ids as UUIDs) with its sealed columns opened, for sending it elsewhere
        (a team server, a work pack) where the receiving side seals it again."""
        opened = {
            column: self.open_text(row[column], table, column, row["id"].hex)
            for column in SEALED_COLUMNS.get(table, ())
            if row.get(column) is not None
        }
        return {**row, **opened} if opened else row

    def terms(self, text: str) -> set[int]:
        """The blind index terms of ``text``'s words."""
        return self._index.terms(text)

    def term_rows_and_sets(
        self, texts: list[str], row_ids: list[str]
    ) -> tuple[list[tuple[int, str]], list[bytes]]:
        """``(term, row id)`` for each term of each text, sorted, and each text's own ``sealing.term_set``
        (its row's ``terms``): ``sealing.TermIndex.term_rows_and_sets``."""
        return self._index.term_rows_and_sets(texts, row_ids)

    def bulk_sealer(self) -> sealing.BulkSealer:
        """Texts sealed and index terms as this vault makes them, for an import's validation workers."""
        return sealing.BulkSealer(self.text_key, self.index_key)


#: The free-text columns each table seals (``Vault.open_row``); a NULL value stays NULL.
SEALED_COLUMNS: dict[str, tuple[str, ...]] = {
    "case": ("report_text", "requester"),
    "item": ("text",),
    "appeal": ("statement",),
}
#: Columns derived under this database's own keys (a case's index terms, schema 0018): never sent elsewhere
#: (a team server keeps texts plain; a pack's holder makes their own).
LOCAL_COLUMNS: dict[str, tuple[str, ...]] = {"case": ("terms",)}


def without_local(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """``row`` without its ``LOCAL_COLUMNS``, for sending it elsewhere (vault or not)."""
    for column in LOCAL_COLUMNS.get(table, ()):
        row.pop(column, None)
    return row


def key_file_for(db_file: Path | None, vault_id: str) -> Path:
    """Where a file-kept key lives: beside a SQLite file (``x.sqlite3.key``), else in the data dir."""
    if db_file is not None:
        return db_file.with_name(db_file.name + keys.FILE_KEY_SUFFIX)
    return data_dir() / f"{vault_id}{keys.FILE_KEY_SUFFIX}"


def _db_file(session: Session) -> Path | None:
    url = session.get_bind().engine.url
    return sqlite_file(url.render_as_string(hide_password=False))


def _load_key(db_file: Path | None, row: VaultRecord) -> bytes:
    cached = _keys.get((row.id, row.key_id))
    if cached is not None:
        return cached
    with _key_read:  # one read per key: a second thread asking meanwhile waits for it, then finds it here
        cached = _keys.get((row.id, row.key_id))
        return cached if cached is not None else _read_key(db_file, row)


def _read_key(db_file: Path | None, row: VaultRecord) -> bytes:
    if row.key_store == keys.KEYRING:
        key = keys.read_keyring_key(row.id)
    else:
        key = keys.read_file_key(key_file_for(db_file, row.id))
    if keys.key_fingerprint(key) != row.key_id:
        raise KeyUnavailable(f"the key found for this database is another one (expected key {row.key_id})")
    _keys[(row.id, row.key_id)] = key
    return key


def _vault(row: VaultRecord, key: bytes) -> Vault:
    text_key = keys.derive(key, "text")
    return Vault(
        vault_id=row.id,
        key_store=row.key_store,
        key_label=row.key_label,
        key_id=row.key_id,
        texts_sealed=row.texts_sealed,
        media_sealed=row.media_sealed,
        _text=AESGCM(text_key),
        text_key=text_key,
        media_key=keys.derive(key, "media"),
        index_key=keys.derive(key, "index"),
    )


def vault_record(session: Session) -> VaultRecord | None:
    return session.execute(select(VaultRecord).order_by(VaultRecord.created_at).limit(1)).scalar_one_or_none()


def vault_in(session: Session) -> Vault | None:
    """The vault of the session's database; None if nothing was ever sealed. KeyUnavailable when the
    database is sealed and its key cannot be read here."""
    row = vault_record(session)
    return None if row is None else _vault(row, _load_key(_db_file(session), row))


def forget_cached_keys() -> None:
    _keys.clear()


def create_vault(db: Database, *, file_label: str | None) -> None:
    """Make a key and the vault row: in the OS keyring, or in a 0600 file when ``file_label`` says why."""
    vault_id = secrets.token_hex(16)
    key = keys.new_key()
    key_file: Path | None = None
    if file_label is None:
        try:
            keys.store_keyring_key(vault_id, key)
        except keys.NoUsableKeyring as exc:
            raise NoKeyForData(
                f"{exc}: refusing to store report texts and media unencrypted; run "
                "`reviewer doctor --allow-file-key` to keep this database's key in a file beside it (weaker)"
            ) from exc
        except Exception as exc:  # keyring.errors.KeyringError and the backends' own failures
            raise NoKeyForData(f"the OS keyring refused to store a key ({exc}); nothing was written") from exc
        store = keys.KEYRING
    else:
        key_file = key_file_for(db.file, vault_id)
        key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        keys.store_file_key(key_file, key)
        store = keys.FILE
    with db.write() as session:
        if vault_record(session) is not None:  # another process made one first: theirs stands
            _discard_key(vault_id, key_file)
            return
        has_cases = session.execute(select(func.count()).select_from(select(Case.id).limit(1).subquery()))
        legacy = bool(has_cases.scalar_one())
        session.add(
            VaultRecord(
                id=vault_id,
                key_store=store,
                key_label=file_label or "",
                key_id=keys.key_fingerprint(key),
                texts_sealed=not legacy,
                media_sealed=not legacy and not _has_media(db),
                created_at=utcnow(),
            )
        )
    _keys[(vault_id, keys.key_fingerprint(key))] = key


def _discard_key(vault_id: str, key_file: Path | None) -> None:
    if key_file is not None:
        key_file.unlink(missing_ok=True)
        return
    try:
        keys.usable_backend().delete_password(keys.SERVICE, vault_id)
    except Exception:  # an orphan entry names no database; leaving it is harmless
        pass


def _has_media(db: Database) -> bool:
    return db.media_dir.is_dir() and any(p.is_file() for p in db.media_dir.rglob("*"))
