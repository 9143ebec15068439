"""Media of pulled cases: bytes from the server's ``media_blob``, checked, stored sealed in the media store.

Files are sealed and written by a few threads: each ends in an ``fsync`` (milliseconds of waiting on the
disk with the GIL released), which one after another was most of a first pull's time. Only bytes whose
SHA-256 matches their name are stored: a damaged or forged blob never lands under a name it does not match.
Each workstation makes the stored previews of what it pulled (``reviewer.media.arrival``: one decode per
image in its decode workers; the server keeps originals only).
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy import Connection, select

from reviewer.media.arrival import derive_missing
from reviewer.media.store import MediaStore
from reviewer.models import MediaBlob, table_of
from reviewer.sync.rows import chunks

MEDIA_CHUNK = 32  # media_blob rows fetched per query (their bytes are in memory at once: keep it small)
MEDIA_WRITERS = 8

_blobs = table_of(MediaBlob)


def store_missing_media(server: Connection, store: MediaStore, shas: set[str]) -> tuple[int, int]:
    """Fetch and store the media of ``shas`` the store lacks; returns (files, bytes) stored. An error
    writing a file is raised (the caller's batch then commits nothing)."""
    wanted = sorted(s for s in shas if not store.has(s))
    if not wanted:
        return 0, 0
    files = size = 0
    stored: list[str] = []
    with ThreadPoolExecutor(MEDIA_WRITERS, thread_name_prefix="pull-media") as pool:
        for part in chunks(wanted, MEDIA_CHUNK):
            writing: list[Future[str]] = []
            query = select(_blobs.c.sha256, _blobs.c.data).where(_blobs.c.sha256.in_(part))
            for sha, data in server.execute(query):
                if hashlib.sha256(data).hexdigest() != sha:
                    continue
                writing.append(pool.submit(store.put_bytes, data))
                size += len(data)
            for done in writing:
                stored.append(done.result())
            files += len(writing)
    derive_missing(store, stored)
    return files, size
