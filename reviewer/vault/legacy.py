"""The one pass that seals what an older version stored in plain text, run when the vault is first made.

Report texts (and their blind index terms) and item texts are sealed in batches of ``BATCH`` rows, each
batch in its own write transaction, walking the primary key; media files are sealed in place one by one.
A value that already opens with the key is left as it is, so a pass cut short by a kill simply runs again
at the next open. The vault row records the end of each part; only after it is every value sealed (and a
value that does not open reads as tampered).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, select, update

from reviewer.media.store import MediaStore
from reviewer.models import Case, CaseTerm, Item, VaultRecord, table_of
from reviewer.storage.database import Database
from reviewer.vault.sealing import term_set
from reviewer.vault.state import Vault

BATCH = 500


def seal_legacy(db: Database, vault: Vault) -> None:
    if not vault.texts_sealed:
        _seal_case_texts(db, vault)
        _seal_item_texts(db, vault)
        _mark(db, vault, texts_sealed=True)
    if not vault.media_sealed:
        store = MediaStore(db.media_dir, vault)
        for name in store.names():
            store.seal_plain(name)
        _mark(db, vault, media_sealed=True)


def _mark(db: Database, vault: Vault, **flags: bool) -> None:
    with db.write() as session:
        session.execute(update(VaultRecord).where(VaultRecord.id == vault.vault_id).values(**flags))


def _batches(db: Database, column: Any, key: Any, *where: Any) -> Any:
    after: uuid.UUID | None = None
    while True:
        with db.read() as session:
            stmt = select(key, column).where(*where).order_by(key).limit(BATCH)
            if after is not None:
                stmt = stmt.where(key > after)
            rows = session.execute(stmt).all()
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def _seal_case_texts(db: Database, vault: Vault) -> None:
    for rows in _batches(db, Case.report_text, Case.id):
        updates: list[dict[str, Any]] = []
        terms: list[dict[str, Any]] = []
        for case_id, value in rows:
            if vault.try_open_text(value, "case", "report_text", case_id.hex) is not None:
                continue  # sealed in an earlier run of the pass, with its terms, in one transaction
            sealed = vault.seal_text(value, "case", "report_text", case_id.hex)
            own = vault.terms(value)
            updates.append({"id": case_id, "report_text": sealed, "terms": term_set(own)})  # schema 0018
            terms.extend({"case_id": case_id, "term": t} for t in own)
        if updates:
            with db.write() as session:
                session.execute(update(Case), updates)
                if terms:
                    session.execute(insert(table_of(CaseTerm)), terms)


def _seal_item_texts(db: Database, vault: Vault) -> None:
    for rows in _batches(db, Item.text, Item.id, Item.text.is_not(None)):
        updates = [
            {"id": item_id, "text": vault.seal_text(value, "item", "text", item_id.hex)}
            for item_id, value in rows
            if vault.try_open_text(value, "item", "text", item_id.hex) is None
        ]
        if updates:
            with db.write() as session:
                session.execute(update(Item), updates)
