"""An import seals what it writes; the case file opens it; tampering and swaps show a marker, not a crash."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.casefile import load_case
from reviewer.media.store import MediaStore
from reviewer.models import Case, CaseTerm, Item
from reviewer.queue import QueueFilter, count, fetch_page
from reviewer.storage.database import Database
from reviewer.vault.media import MediaIntegrityError
from reviewer.vault.opening import media_store_of
from reviewer.vault.sealing import SEALED_PREFIX, TAMPERED


def _case(db: Database, external_id: str) -> Case:
    with db.read() as s:
        return s.execute(select(Case).where(Case.external_id == external_id)).scalar_one()


def test_nothing_sensitive_is_stored_in_plain_text(imported: Database, source: Path) -> None:
    assert imported.file is not None
    raw = b"".join(p.read_bytes() for p in imported.file.parent.glob(imported.file.name + "*"))
    for secret in (b"celebratory", b"Street fight", b"secret note", "Ünïcode".encode()):
        assert secret not in raw
    with imported.read() as s:
        assert all(t.startswith(SEALED_PREFIX) for t in s.scalars(select(Case.report_text)))
        assert all(
            t.startswith(SEALED_PREFIX) for t in s.scalars(select(Item.text).where(Item.text.is_not(None)))
        )
    png = (source.parent / "red.png").read_bytes()
    sha = hashlib.sha256(png).hexdigest()
    stored = MediaStore(imported.media_dir).path_for(sha)
    assert stored.is_file() and png not in stored.read_bytes() and png[:16] not in stored.read_bytes()


def test_the_case_file_and_the_store_open_it(imported: Database, source: Path) -> None:
    view = load_case(imported, _case(imported, "V-2").id)
    assert view is not None
    assert view.report_text == "Street fight, threats against a named group"
    assert [i.text for i in view.items] == ["secret note"]
    png = (source.parent / "red.png").read_bytes()
    first = load_case(imported, _case(imported, "V-1").id)
    assert first is not None
    media = first.media_items()[0]
    assert media.media_sha256 == hashlib.sha256(png).hexdigest()  # still addressed by the plaintext
    assert media_store_of(imported).read(media.media_sha256) == png


def test_a_tampered_or_swapped_text_reads_as_a_marker(imported: Database) -> None:
    one, two = _case(imported, "V-1"), _case(imported, "V-2")
    with imported.write() as s:  # swap the sealed values of two rows
        s.get(Case, one.id).report_text = two.report_text  # type: ignore[union-attr]
    view = load_case(imported, one.id)
    assert view is not None and view.report_text == TAMPERED
    with imported.write() as s:  # a plain value where a sealed one must be
        s.get(Case, two.id).report_text = "planted plain text"  # type: ignore[union-attr]
    view = load_case(imported, two.id)
    assert view is not None and view.report_text == TAMPERED


def test_a_damaged_or_swapped_media_file_is_refused(imported: Database, source: Path) -> None:
    png = (source.parent / "red.png").read_bytes()
    sha = hashlib.sha256(png).hexdigest()
    store = media_store_of(imported)
    path = store.path_for(sha)
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 1
    path.write_bytes(bytes(blob))
    with pytest.raises(MediaIntegrityError):
        store.read(sha)
    path.write_bytes(bytes(blob[:-40]))
    with pytest.raises(MediaIntegrityError):
        store.read(sha)
    path.write_bytes(png)  # the plaintext itself, planted after the store was sealed
    with pytest.raises(MediaIntegrityError, match="plain file"):
        store.read(sha)


def test_search_matches_whole_words_through_the_blind_index(imported: Database) -> None:
    with imported.read() as s:
        assert s.scalar(select(CaseTerm.term).limit(1)) is not None

        def ids(text: str) -> list[str]:
            return sorted(r.external_id for r in fetch_page(s, QueueFilter(text=text)))

        assert ids("caption") == ["V-1", "V-3"]
        assert ids("CAPTION ünïcode") == ["V-3"]  # every word must be in the report text
        assert ids("capt") == []  # whole words only
        assert ids("named group") == ["V-2"]
        assert ids("V-2") == ["V-2"]  # ids and handles keep their own matching
        assert ids("someone3") == ["V-3"]
        assert ids("!!!") == []
        assert count(s, QueueFilter(text="caption")) == 2


def test_import_into_a_sqlite_file_never_writes_the_key(imported: Database) -> None:
    assert imported.file is not None
    assert not imported.file.with_name(imported.file.name + ".key").exists()  # the key is in the keyring
    conn = sqlite3.connect(imported.file)
    try:
        store, label = conn.execute("SELECT key_store, key_label FROM vault").fetchone()
    finally:
        conn.close()
    assert (store, label) == ("keyring", "")
