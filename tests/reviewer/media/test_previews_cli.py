"""``reviewer previews`` makes the stored previews of media stored before they existed (the backfill)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.media.store import MediaStore
from reviewer.storage.database import Database
from reviewer.vault.opening import ensure_vault
from tests.support import hostile_media as hm


def test_the_backfill_makes_what_is_missing_and_keeps_refusals(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = MediaStore(db.media_dir, ensure_vault(db))
    photo = store.put_bytes(hm.encode(hm.photo_like(320, 240), "JPEG"))
    broken = store.put_bytes(b"\xff\xd8\xff\xe0" + bytes(300))  # a JPEG header, then nothing
    assert db.file is not None
    assert main(["--db", str(db.file), "previews"]) == 0
    out = capsys.readouterr().out
    assert "1 made, 1 refusals kept" in out and "2 media had none" in out
    assert store.has_derived(photo) and store.has_derived(broken)
    assert main(["--db", str(db.file), "previews"]) == 0
    assert "0 media had none" in capsys.readouterr().out
