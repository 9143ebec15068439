"""Stored previews: made once when media arrive, in a worker, sealed beside the original, refusals kept."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from reviewer.importing.importer import import_file
from reviewer.media import derived as stored
from reviewer.media.arrival import derive_missing, derive_stored
from reviewer.media.decode_guard import DecodePool
from reviewer.media.preview import PreviewSpec
from reviewer.media.store import MediaStore
from reviewer.storage.database import Database
from reviewer.vault.media import MAGIC as SEALED_MAGIC
from reviewer.vault.media import MediaIntegrityError
from reviewer.vault.opening import ensure_vault
from tests.support import hostile_media as hm


def _store(db: Database) -> MediaStore:
    vault = ensure_vault(db)
    assert vault is not None
    return MediaStore(db.media_dir, vault)


def _line(n: int, image: str) -> str:
    return json.dumps(
        {
            "id": f"P-{n}",
            "channel": "partner",
            "category": "violence",
            "report_text": "report",
            "items": [{"kind": "image", "path": image}],
        }
    )


def _import(db: Database, folder: Path, images: dict[str, bytes]) -> dict[str, str]:
    for name, data in images.items():
        (folder / name).write_bytes(data)
    source = folder / "cases.jsonl"
    source.write_text("\n".join(_line(n, name) for n, name in enumerate(images)) + "\n")
    import_file(db, source)
    return {name: hashlib.sha256(data).hexdigest() for name, data in images.items()}


def test_an_import_stores_sealed_previews_and_keeps_refusals(db: Database, tmp_path: Path) -> None:
    photo = hm.encode(hm.photo_like(1600, 1200), "JPEG", quality=90)
    cut = photo[: len(photo) // 3]  # passes the import's header check; fails when decoded
    shas = _import(db, tmp_path, {"photo.jpg": photo, "cut.jpg": cut})
    store = _store(db)
    for sha in shas.values():
        on_disk = store.derived_path(sha).read_bytes()
        assert on_disk.startswith(SEALED_MAGIC)  # sealed: no JPEG, no header of ours in plain text
        assert b"\xff\xd8\xff" not in on_disk and stored.MAGIC not in on_disk
    made = stored.unpack(shas["photo.jpg"], store.read_derived(shas["photo.jpg"]) or b"")
    assert made.ok and made.source_size == (1600, 1200)
    blurred, sharp = stored.show(made, PreviewSpec())
    assert (blurred.width, blurred.height, blurred.mode) == (960, 720, "L")
    assert (sharp.width, sharp.height) == (960, 720)
    colour = stored.show(made, PreviewSpec(greyscale=False, blur_px=4))
    assert colour[1].mode == "RGB" and colour[0].data != blurred.data
    refused = stored.unpack(shas["cut.jpg"], store.read_derived(shas["cut.jpg"]) or b"")
    assert not refused.ok and refused.reason and refused.reason.startswith("Cannot display: file is")


def test_a_refusal_is_not_decoded_again_and_videos_are_left_to_their_storyboard(
    db: Database, tmp_path: Path
) -> None:
    store = _store(db)
    bomb = store.put_bytes(hm.png_bomb(60000, 60000))
    video = store.put_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(400))
    pool = DecodePool(workers=1)
    try:
        first = derive_stored(store, bomb, pool)
        assert first is not None and not first.ok and first.keep
        report = derive_missing(store, [bomb, video], pool)
        assert (report.made, report.refused, report.skipped) == (0, 0, 1)  # the bomb: stored already
        assert not store.has_derived(video)
        kept = stored.unpack(bomb, store.read_derived(bomb) or b"")
        assert kept.reason == first.reason
    finally:
        pool.shutdown()


def test_a_swapped_or_damaged_preview_fails_its_check(db: Database, tmp_path: Path) -> None:
    shas = _import(
        db,
        tmp_path,
        {
            "a.png": hm.encode(hm.photo_like(200, 100, seed=1), "PNG"),
            "b.png": hm.encode(hm.photo_like(90, 60), "PNG"),
        },
    )
    store = _store(db)
    a, b = shas["a.png"], shas["b.png"]
    store.derived_path(b).write_bytes(store.derived_path(a).read_bytes())  # b's name, a's preview
    with pytest.raises(MediaIntegrityError):
        stored.unpack(b, store.read_derived(b) or b"")
    damaged = bytearray(store.derived_path(a).read_bytes())
    damaged[-3] ^= 0x01
    store.derived_path(a).write_bytes(bytes(damaged))
    with pytest.raises(MediaIntegrityError):
        store.read_derived(a)
    store.remove(a)
    assert not store.has(a) and not store.has_derived(a)
