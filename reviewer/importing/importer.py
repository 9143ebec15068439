"""JSON Lines import: validate every line first, then write everything in one transaction or nothing.

Media paths are resolved inside the media root (the import file's folder unless told otherwise); a path
that escapes it — ``..``, absolute, or a symlink pointing out — is refused before any byte is read.

Two passes. ``parse_file`` (pass 1, ``reviewer.importing.parsing``) validates every line — a big file in
worker processes, one byte range each — and keeps the valid cases compactly, column by column, with their
ids drawn and their texts sealed and index terms made by the vault's keys (so the vault is opened, or
made at first need, before pass 1); any bad line stops the import before a case is written (no write
transaction for them). Pass 2 writes them in one write transaction (``reviewer.importing.writing``):
media resolved again and copied in, PDQ hashes of distinct images, rows in batches of one range each,
one audit event. Memory is bounded by a batch and the file's case ids, not by the whole file.
"""

from __future__ import annotations

import gc
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from reviewer.audit import append_event, note_appended
from reviewer.clock import utcnow
from reviewer.display import visible
from reviewer.importing.ids import uuid4_hex_stream
from reviewer.importing.parsing import (
    MAX_ERRORS_KEPT,
    MAX_LINE_BYTES,
    MAX_MEDIA_BYTES,
    MediaResolver,
    Parsed,
    parse_file,
    resolve_media,
    utc_text,
)
from reviewer.importing.writing import Sink, sink_for
from reviewer.media.arrival import Deriver
from reviewer.media.blobs import BlobStore
from reviewer.media.phash import MIN_QUALITY as MIN_PHASH_QUALITY
from reviewer.media.phash import pdq_hash
from reviewer.media.store import MediaStore
from reviewer.models import Item
from reviewer.responses.due import response_due
from reviewer.responses.templates import response_sla_hours
from reviewer.storage.database import Database
from reviewer.storage.errors import describe_os_error
from reviewer.vault.opening import ensure_vault
from reviewer.vault.state import Vault

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

    def __init__(self, errors: list[str], total_errors: int, *, message: str | None = None) -> None:
        self.errors, self.total_errors = errors, total_errors
        more = f" (first {len(errors)} shown)" if total_errors > len(errors) else ""
        super().__init__(message or f"import refused, nothing written: {total_errors} problem(s){more}")


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
    # No keyring and no opt-in: refused here, before anything is read. None: a team server, no vault.
    vault = ensure_vault(db)
    with _collector_paused():
        parsed = parse_file(path, media_root, None if vault is None else vault.bulk_sealer())
        try:
            if parsed.error_count:
                raise ImportFailed(parsed.errors, parsed.error_count)
            if not parsed.cases:
                raise ImportFailed([], 0, message=f"no cases in {visible(str(path))}")
            try:
                return _write(db, vault, path, parsed, media_root, actor, now or utcnow())
            except OSError as exc:  # copying media: a full disk, a read-only media folder
                where = exc.filename if exc.filename is not None else db.media_dir
                reason = describe_os_error(exc, f"write {where}")
                raise ImportFailed([], 0, message=f"import refused, nothing written: {reason}") from None
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
    db: Database, vault: Vault | None, path: Path, parsed: Parsed, media_root: Path, actor: str, now: datetime
) -> ImportReport:
    # A team server has no vault: texts stay plain, media go into its media_blob table.
    store: MediaStore | BlobStore = MediaStore(db.media_dir, vault) if vault is not None else BlobStore(db)
    report = ImportReport()
    new_media: list[str] = []
    # Stored previews are made by the decode workers while the rows are written (reviewer.media.arrival).
    deriver = Deriver(store) if isinstance(store, MediaStore) else None
    try:
        with db.write() as session:
            sink = sink_for(session, vault)
            _refuse_known_ids(sink, parsed)
            sink.prepare(parsed.cases, parsed.items)
            ok = False
            try:
                _write_records(
                    sink, vault is not None, parsed, media_root, store, now, report, new_media, deriver
                )
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
        if deriver is not None:
            deriver.cancel()
        _discard_unreferenced(db, store, new_media)
        raise
    note_appended(db)
    if deriver is not None:
        deriver.finish()
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
    sealed: bool,
    parsed: Parsed,
    media_root: Path,
    store: MediaStore | BlobStore,
    now: datetime,
    report: ImportReport,
    new_media: list[str],
    deriver: Deriver | None = None,
) -> None:
    """Rows for every batch, zipped from its columns; new channels and accounts first, by first use.
    ``sealed``: the batches' texts were sealed in pass 1 (there is a vault), their terms made."""
    channels = sink.channels()
    # Typed with None keys (there are none) so ``map(accounts.get, ...)`` takes a column with "no account".
    accounts: dict[tuple[str, str] | None, str] = dict(sink.accounts().items())
    now_text = utc_text(now)
    after_now: dict[int, str] = {}  # SLA minutes -> deadline text, for cases timed from the import
    fresh_id = uuid4_hex_stream().__next__
    response_sla = response_sla_hours()
    media_file = MediaResolver(media_root)  # resolved again here, once per distinct path
    media_cache: dict[Path, str] = {}
    phash_cache: dict[str, str | None] = {}
    for batch in parsed.spool.batches():
        new_channels = []
        for code in dict.fromkeys(batch.channel):
            if code not in channels:
                channels[code] = fresh_id()
                new_channels.append((channels[code], code, code))
        new_accounts = []
        for key, (flags, score) in batch.account_first.items():
            if key not in accounts:
                accounts[key] = fresh_id()
                new_accounts.append((accounts[key], key[0], key[1], flags, score, now_text))
        deadlines, created = batch.sla_deadline, batch.created_at
        for index in batch.from_now:  # created by the import: now, and SLA minutes count from now
            created[index] = now_text
            minutes = deadlines[index]
            if minutes.__class__ is int:
                if minutes not in after_now:
                    after_now[minutes] = utc_text(now + timedelta(minutes=minutes))
                deadlines[index] = after_now[minutes]
        due = response_due(batch.channel, created, batch.response_due_at, response_sla)
        if batch.sealed is not sealed:
            raise AssertionError("pass 1 sealed the batch's texts only if there is a vault")
        ids = batch.case_id
        cases = list(
            zip(
                ids,
                batch.external_id,
                map(channels.__getitem__, batch.channel),
                map(accounts.get, batch.account),  # no account: None
                batch.category,
                batch.priority,
                deadlines,
                batch.risk_rank,
                batch.reporter,
                batch.report_text,
                batch.scores,
                created,
                batch.requester,
                due,
                strict=True,
            )
        )
        count = len(batch.item_case)
        sha: list[str | None] = [None] * count
        ext: list[str | None] = [None] * count
        phash: list[str | None] = [None] * count
        for index, media_path in batch.media:
            source = media_file(media_path)
            if source not in media_cache:
                media_cache[source] = store.put_file(source)
                new_media.append(media_cache[source])
            sha[index] = digest = media_cache[source]
            ext[index] = source.suffix.lower().lstrip(".")[:16] or None
            if batch.item_kind[index] == "image":
                # Once per distinct file, from the stored copy. A failure, or a hash of a near-flat
                # image (PDQ quality < 50, close to noise), leaves it None.
                if digest not in phash_cache:
                    if deriver is not None:
                        deriver.submit(digest)
                    hashed = pdq_hash(store.read(digest))
                    good = hashed is not None and hashed[1] >= MIN_PHASH_QUALITY
                    phash_cache[digest] = hashed[0] if good and hashed is not None else None
                phash[index] = phash_cache[digest]
        items = list(
            zip(
                batch.item_id,
                map(ids.__getitem__, batch.item_case),
                batch.item_position,
                batch.item_kind,
                sha,
                ext,
                batch.item_text,
                batch.item_url,
                phash,
                strict=True,
            )
        )
        terms: list[tuple[int, str]] | None = None
        if sealed:
            found, where = array("q", batch.term), array("I", batch.term_case)
            terms = list(zip(found, map(ids.__getitem__, where), strict=True))
        sink.write(new_channels, new_accounts, cases, items, terms=terms)
        report.channels += len(new_channels)
        report.accounts += len(new_accounts)
        report.cases += len(cases)
        report.items += len(items)


def _discard_unreferenced(db: Database, store: MediaStore | BlobStore, shas: list[str]) -> None:
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
