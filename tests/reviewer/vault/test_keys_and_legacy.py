"""Where the key lives (keyring, refused without one, opted-in file, demo file) and sealing an older
database in one idempotent pass."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import keyring
import pytest
from sqlalchemy import func, select, update

from reviewer.audit import verify
from reviewer.casefile import load_case
from reviewer.demo import DemoSpec, build_demo
from reviewer.importing.importer import import_file
from reviewer.media.store import MediaStore
from reviewer.models import CASE_STATUSES, Case, CaseTerm, VaultRecord
from reviewer.paths import sqlite_url
from reviewer.queue import QueueFilter, fetch_page
from reviewer.storage.database import Database
from reviewer.storage.migrate import open_database
from reviewer.vault import legacy
from reviewer.vault.errors import KeyUnavailable, NoKeyForData
from reviewer.vault.keys import SERVICE
from reviewer.vault.opening import allow_file_key, ensure_vault, media_store_of, open_vault
from reviewer.vault.sealing import term_set
from reviewer.vault.state import LOCKED, forget_cached_keys
from tests.reviewer.storage.test_migrations import _old_database


def test_the_key_is_made_once_in_the_keyring(db: Database) -> None:
    vault = ensure_vault(db)
    assert keyring.get_password(SERVICE, vault.vault_id) is not None
    forget_cached_keys()
    again = ensure_vault(db)
    assert (again.vault_id, again.key_id, again.key_store) == (vault.vault_id, vault.key_id, "keyring")


def test_without_a_keyring_an_import_is_refused_and_writes_nothing(
    db: Database, source: Path, no_keyring: None
) -> None:
    with pytest.raises(NoKeyForData, match="allow-file-key"):
        import_file(db, source)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0
        assert s.scalar(select(func.count()).select_from(VaultRecord)) == 0
    assert not db.media_dir.exists() or not any(db.media_dir.rglob("*"))


def test_opting_in_keeps_a_private_key_file_labelled_weaker(
    db: Database, source: Path, no_keyring: None
) -> None:
    vault = allow_file_key(db)
    assert db.file is not None
    key_file = db.file.with_name(db.file.name + ".key")
    assert vault.weaker and "weaker, opted in" in vault.describe()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    import_file(db, source)
    forget_cached_keys()
    case_id = fetch_page_ids(db)[0]
    view = load_case(db, case_id)
    assert view is not None and view.report_text.startswith("Graphic injury")


def fetch_page_ids(db: Database) -> list:  # type: ignore[type-arg]
    with db.read() as s:
        return [r.id for r in fetch_page(s, QueueFilter())]


def test_the_demo_uses_a_labelled_file_key_without_a_keyring(db: Database, no_keyring: None) -> None:
    build_demo(db, DemoSpec(cases=20, images=3))
    vault = open_vault(db)
    assert vault is not None and vault.key_store == "file" and vault.key_label == "demo"
    assert "demo key in a file" in vault.describe()


def test_a_key_missing_from_the_keyring_locks_texts_without_a_crash(imported: Database) -> None:
    vault = open_vault(imported)
    assert vault is not None
    keyring.delete_password(SERVICE, vault.vault_id)
    forget_cached_keys()
    with pytest.raises(KeyUnavailable, match="not in this user's OS keyring"):
        media_store_of(imported)
    view = load_case(imported, fetch_page_ids(imported)[0])
    assert view is not None and view.report_text == LOCKED
    with imported.read() as s:  # search cannot use the index: the report-text part matches nothing
        assert [r.external_id for r in fetch_page(s, QueueFilter(text="caption"))] == []


def test_an_older_database_is_sealed_in_one_idempotent_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite3"
    cases = _old_database(path)
    plain = b"an older version's plain media file"
    sha = hashlib.sha256(plain).hexdigest()
    media = path.with_suffix(".media") / sha[:2]
    media.mkdir(parents=True)
    (media / sha).write_bytes(plain)
    db = open_database(sqlite_url(path))
    try:
        assert open_vault(db) is None  # nothing sealed yet: values are an older version's plain text
        view = load_case(db, cases[3])
        assert view is not None and view.report_text == "report 3 — ünïcode"

        monkeypatch.setattr(legacy, "BATCH", 7)  # several batches, each its own transaction
        vault = ensure_vault(db)
        assert vault.texts_sealed and vault.media_sealed
        with db.read() as s:
            assert all(t.startswith("s1:") for t in s.scalars(select(Case.report_text)))
            assert s.scalar(select(func.count()).select_from(CaseTerm)) > 0
            own = s.execute(select(Case.terms).where(Case.id == cases[3])).scalar_one()
        assert own == term_set(sorted(vault.terms("report 3 — ünïcode")))  # each case's own terms too
        assert MediaStore(db.media_dir, vault).is_sealed(sha)
        assert media_store_of(db).read(sha) == plain

        # A pass cut short runs again at the next open and seals nothing twice.
        with db.write() as s:
            s.execute(update(VaultRecord).values(texts_sealed=False, media_sealed=False))
        again = open_vault(db)
        assert again is not None and again.texts_sealed
        view = load_case(db, cases[3])
        assert view is not None and view.report_text == "report 3 — ünïcode"
        assert view.items[0].text == "post 3"
        assert media_store_of(db).read(sha) == plain
        with db.read() as s:
            found = [
                r.id
                for r in fetch_page(s, QueueFilter(statuses=CASE_STATUSES, text="ÜNÏCODE report"), limit=50)
            ]
        assert sorted(found) == sorted(cases)
        report = verify(db)
        assert report.ok, report  # the audit chain does not cover report texts: sealing keeps it intact
    finally:
        db.dispose()
