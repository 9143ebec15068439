"""Importing into the team server: texts plain (no vault), media bytes in ``media_blob``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from reviewer.audit import verify
from reviewer.casefile import load_case
from reviewer.importing.importer import import_file
from reviewer.media.blobs import BlobStore
from reviewer.models import Case, Item, MediaBlob
from reviewer.queue import QueueFilter, fetch_page
from reviewer.sync.server import add_reviewer, init_server
from reviewer.vault.opening import ensure_vault, media_store_of, open_vault
from reviewer.vault.status import at_rest
from tests.reviewer.sync.cli_runs import run_cli

pytestmark = pytest.mark.postgres


def _source(root: Path) -> tuple[Path, dict[str, bytes]]:
    (root / "media").mkdir(parents=True)
    Image.new("RGB", (64, 48), "blue").save(root / "media" / "flat.png", "PNG")
    (root / "media" / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 a tiny video")
    lines = [
        {
            "id": f"S-{i}",
            "channel": "partner",
            "category": "violence",
            "report_text": f"needle number {i} in the report",
            "items": [
                {"kind": "image", "path": "media/flat.png"},
                {"kind": "video", "path": "media/clip.mp4"},
                {"kind": "text", "text": f"item text {i}"},
            ],
        }
        for i in range(3)
    ]
    path = root / "cases.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    media = {p.name: p.read_bytes() for p in (root / "media").iterdir()}
    return path, media


def test_import_into_the_server_keeps_media_in_blobs_and_texts_plain(pg_url: str, tmp_path: Path) -> None:
    db = init_server(pg_url)
    try:
        path, media = _source(tmp_path / "src")
        report = import_file(db, path)
        assert report.cases == 3 and report.media_files == 2
        assert open_vault(db) is None and ensure_vault(db) is None
        assert at_rest(db).label == "server: protected by PostgreSQL"
        store = media_store_of(db)
        assert isinstance(store, BlobStore)
        for data in media.values():
            sha = hashlib.sha256(data).hexdigest()
            assert store.has(sha) and store.read(sha) == data
        with db.read() as s:
            assert s.execute(select(MediaBlob.sha256)).scalars().all().__len__() == 2
            texts = sorted(s.execute(select(Case.report_text)).scalars())
            item_texts = sorted(t for t in s.execute(select(Item.text)).scalars() if t)
        assert texts[0] == "needle number 0 in the report" and item_texts[0] == "item text 0"
        assert not db.media_dir.exists() or not any(db.media_dir.rglob("*"))  # nothing in a media folder
        # the case view reads the plain texts; search matches plain text
        with db.read() as s:
            first = s.execute(select(Case.id).where(Case.external_id == "S-1")).scalar_one()
        view = load_case(db, first)
        assert view is not None and view.report_text == "needle number 1 in the report"
        with db.read() as s:
            found = fetch_page(s, QueueFilter(text="number 2"), limit=10)
        assert [r.external_id for r in found] == ["S-2"]
        assert verify(db).ok
    finally:
        db.dispose()


def test_blobs_a_rolled_back_import_left_are_removed(pg_url: str, tmp_path: Path) -> None:
    """What the importer does after a rollback: blobs no item references go, referenced ones stay."""
    from reviewer.importing.importer import _discard_unreferenced

    db = init_server(pg_url)
    try:
        path, media = _source(tmp_path / "src")
        import_file(db, path)
        store = BlobStore(db)
        stray = store.put_bytes(b"left by an import that rolled back")
        store.put_bytes(b"left by an import that rolled back")  # same content: stored once
        kept = hashlib.sha256(media["flat.png"]).hexdigest()
        assert sorted(store.names()) == sorted([stray, *(hashlib.sha256(d).hexdigest() for d in media.values())])
        _discard_unreferenced(db, store, [stray, kept])
        assert not store.has(stray) and store.has(kept)
        with pytest.raises(FileNotFoundError):
            store.read(stray)
    finally:
        db.dispose()


@pytest.mark.slow
def test_cli_import_on_the_server_then_verify(pg_url: str, tmp_path: Path) -> None:
    server = init_server(pg_url)
    add_reviewer(server, "ann", "lead")
    server.dispose()
    path, _ = _source(tmp_path / "src")
    imported = run_cli("--db", pg_url, "import", str(path), cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "imported 3 cases, 9 items, 2 media files" in imported.stdout
    verified = run_cli("--db", pg_url, "audit", "verify", cwd=tmp_path)
    assert verified.returncode == 0 and verified.stdout.startswith("OK"), verified.stdout + verified.stderr
