"""JSON Lines import: validate every line first, then write everything in one transaction or nothing.

Media paths are resolved inside the media root (the import file's folder unless told otherwise); a path
that escapes it — ``..``, absolute, or a symlink pointing out — is refused before any byte is read.

Two passes. ``parse_file`` (pass 1, ``reviewer.importing.parsing``) validates every line — big files in
worker processes, one byte range each — and keeps the valid cases as compact records; any bad line stops
the import before the database is touched. Pass 2 writes the records in one write transaction
(``reviewer.importing.writing``): media resolved again and copied in, PDQ hashes of distinct images,
rows in batches, one audit event. Memory stays bounded by a batch, not by the file.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from reviewer.audit import append_event
from reviewer.clock import utcnow
from reviewer.importing.parsing import (
    MAX_ERRORS_KEPT,
    MAX_LINE_BYTES,
    MAX_MEDIA_BYTES,
    Parsed,
    parse_file,
    resolve_media,
    utc_text,
)
from reviewer.importing.writing import Sink, sink_for, sorted_uuid4_hex, uuid4_hex_stream
from reviewer.media.phash import MIN_QUALITY as MIN_PHASH_QUALITY
from reviewer.media.phash import pdq_hash
from reviewer.media.store import MediaStore
from reviewer.models import Item
from reviewer.storage.database import Database

__all__ = [
    "MAX_ERRORS_KEPT",
    "MAX_LINE_BYTES",
    "MAX_MEDIA_BYTES",
    "ImportFailed",
    "ImportReport",
    "Parsed",
    "import_file",
    "parse_file",
    "resolve_media",
]


class ImportFailed(ValueError):
    """Nothing was imported; ``errors`` lists every bad line with its number and reason."""

    def __init__(self, errors: list[str], total_errors: int) -> None:
        self.errors, self.total_errors = errors, total_errors
        more = f" (first {len(errors)} shown)" if total_errors > len(errors) else ""
        super().__init__(f"import refused, nothing written: {total_errors} problem(s){more}")


@dataclass
class ImportReport:
    cases: int = 0
    items: int = 0
    media_files: int = 0
    accounts: int = 0
    channels: int = 0


def import_file(
    db: Database,
    path: Path | str,
    *,
    media_root: Path | None = None,
    actor: str = "import",
    now: datetime | None = None,
) -> ImportReport:
    """Import every case in ``path`` or none. Raises ImportFailed with line-numbered errors."""
    path = Path(path)
    media_root = media_root or path.parent
    with _collector_paused():
        parsed = parse_file(path, media_root)
        try:
            if parsed.error_count:
                raise ImportFailed(parsed.errors, parsed.error_count)
            return _write(db, path, parsed, media_root, actor, now or utcnow())
        finally:
            parsed.close()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while importing: the import makes almost no cycles, but its many
    short-lived rows would trigger full collections over everything the process holds, over and over."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _write(
    db: Database, path: Path, parsed: Parsed, media_root: Path, actor: str, now: datetime
) -> ImportReport:
    store = MediaStore(db.media_dir)
    report = ImportReport()
    new_media: list[str] = []
    try:
        with db.write() as session:
            sink = sink_for(session)
            _refuse_known_ids(sink, parsed)
            sink.prepare(parsed.cases, parsed.items)
            ok = False
            try:
                _write_records(sink, parsed, media_root, store, now, report, new_media)
                ok = True
            finally:
                sink.finish(ok)
            report.media_files = len(set(new_media))
            append_event(
                session,
                actor=actor,
                kind="import",
                subject=path.name[:64],
                payload={
                    "file": path.name,
                    "cases": report.cases,
                    "items": report.items,
                    "media": report.media_files,
                },
                now=now,
            )
    except BaseException:
        # The transaction rolled back; media copied for it that nothing else references may go.
        _discard_unreferenced(db, store, new_media)
        raise
    return report


def _refuse_known_ids(sink: Sink, parsed: Parsed) -> None:
    """ImportFailed if any case id of the file is already in the database (checked in the transaction)."""
    ids, parsed.ids = parsed.ids, None  # not needed past this point
    if not ids or not sink.has_cases():
        return
    taken = sink.existing_ids(list(ids))
    if taken:
        dupes = [f"line {n}: case id {i!r} is already in the database" for i, n in ids.items() if i in taken]
        raise ImportFailed(dupes[:MAX_ERRORS_KEPT], len(dupes))


def _write_records(
    sink: Sink,
    parsed: Parsed,
    media_root: Path,
    store: MediaStore,
    now: datetime,
    report: ImportReport,
    new_media: list[str],
) -> None:
    channels = sink.channels()
    accounts = sink.accounts()
    now_text = utc_text(now)
    after_now: dict[int, str] = {}  # SLA minutes -> deadline text, for cases timed from the import
    next_case_id = sorted_uuid4_hex(parsed.cases).__next__
    next_item_id = sorted_uuid4_hex(parsed.items).__next__
    fresh_id = uuid4_hex_stream().__next__
    media_cache: dict[Path, str] = {}
    phash_cache: dict[str, str | None] = {}
    for _, records in parsed.spool.batches():
        new_channels: list[tuple[str, str, str]] = []
        new_accounts: list[tuple[str, str, str, str, float, str]] = []
        cases: list[tuple[object, ...]] = []
        items: list[tuple[object, ...]] = []
        for _line, external_id, channel, account, tail, case_items, media in records:
            channel_id = channels.get(channel)
            if channel_id is None:
                channel_id = channels[channel] = fresh_id()
                new_channels.append((channel_id, channel, channel))
            account_id = None
            if account is not None:
                key = (account[0], account[1])
                account_id = accounts.get(key)
                if account_id is None:
                    account_id = accounts[key] = fresh_id()
                    new_accounts.append((account_id, *key, account[2], account[3], now_text))
            if tail[7] is None:  # created by the import: now, and any SLA in minutes counts from now
                deadline = tail[2]
                if deadline.__class__ is int:
                    minutes = deadline
                    deadline = after_now.get(minutes)
                    if deadline is None:
                        deadline = after_now[minutes] = utc_text(now + timedelta(minutes=minutes))
                tail = (*tail[:2], deadline, *tail[3:7], now_text)
            case_id = next_case_id()
            cases.append((case_id, external_id, channel_id, account_id) + tail)
            if media is None:
                for item in case_items:
                    items.append((next_item_id(), case_id) + item)
                continue
            paths = dict(media)
            for position, kind, _sha, _ext, text, url, _phash in case_items:
                sha = ext = phash = None
                media_path = paths.get(position)
                if media_path is not None:
                    source = resolve_media(media_root, media_path)
                    if source not in media_cache:
                        sha = store.put_file(source)
                        new_media.append(sha)
                        media_cache[source] = sha
                    sha = media_cache[source]
                    ext = source.suffix.lower().lstrip(".")[:16] or None
                    if kind == "image":
                        # Once per distinct file, from the stored copy. A failure, or a hash of a
                        # near-flat image (PDQ quality < 50, close to noise), leaves it None.
                        if sha not in phash_cache:
                            hashed = pdq_hash(store.path_for(sha))
                            good = hashed is not None and hashed[1] >= MIN_PHASH_QUALITY
                            phash_cache[sha] = hashed[0] if good and hashed is not None else None
                        phash = phash_cache[sha]
                items.append((next_item_id(), case_id, position, kind, sha, ext, text, url, phash))
        sink.write(new_channels, new_accounts, cases, items)
        report.channels += len(new_channels)
        report.accounts += len(new_accounts)
        report.cases += len(cases)
        report.items += len(items)


def _discard_unreferenced(db: Database, store: MediaStore, shas: list[str]) -> None:
    if not shas:
        return
    try:
        with db.read() as session:
            used = set(
                session.execute(select(Item.media_sha256).where(Item.media_sha256.in_(set(shas)))).scalars()
            )
    except Exception:
        return
    for sha in set(shas) - used:
        store.remove(sha)
