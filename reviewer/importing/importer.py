"""JSON Lines import: validate every line, write everything in one transaction or nothing.

Media paths are resolved inside the media root (the import file's folder unless told otherwise); a path
that escapes it — ``..``, absolute, or a symlink pointing out — is refused before any byte is read.

Two passes, overlapped. Pass 1 (``reviewer.importing.parsing.validate_file``) validates the file range by
range — a big file in worker processes — and gives each range's valid cases compactly, column by column,
with their ids drawn and their texts sealed and index terms made by the vault's keys (so the vault is
opened, or made at first need, before pass 1). Pass 2 writes each range as soon as it is validated, in
file order, in one write transaction: media resolved again and copied in, PDQ hashes of distinct images,
rows in batches of one range each, and at the end one audit event. So a big import costs about its write
alone: the validation runs on the other cores meanwhile.

All or nothing: at the first bad line (or a case id already in the database) the transaction is rolled
back at once and nothing more is written, but the rest of the file is still validated, so the refusal
lists every problem by line number. Memory is bounded by a few ranges and the file's case ids.
"""

from __future__ import annotations

import gc
from array import array
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain
from pathlib import Path

from sqlalchemy import select

from reviewer.audit import append_event, note_appended
from reviewer.clock import utcnow
from reviewer.display import visible
from reviewer.importing.common_terms import CommonTerms
from reviewer.importing.ids import uuid4_hex_stream
from reviewer.importing.parsing import (
    MAX_ERRORS_KEPT,
    MAX_LINE_BYTES,
    MAX_MEDIA_BYTES,
    Batch,
    Chunk,
    MediaResolver,
    Parsed,
    explain_document,
    resolve_media,
    utc_text,
    validate_file,
)
from reviewer.importing.writing import DEFER_INDEXES_MIN_ROWS, Sink, sink_for
from reviewer.media.arrival import Deriver
from reviewer.media.blobs import BlobStore
from reviewer.media.phash import MIN_QUALITY as MIN_PHASH_QUALITY
from reviewer.media.phash import pdq_hash
from reviewer.media.store import MediaStore
from reviewer.models import Item
from reviewer.responses.due import response_due
from reviewer.responses.templates import response_sla_hours
from reviewer.storage.bulk_write import bulk_write
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
    parsed = Parsed()
    with _collector_paused():
        chunks = validate_file(path, media_root, None if vault is None else vault.bulk_sealer())
        with closing(chunks):
            batches = _writable(parsed, chunks)
            report, refused = None, False
            first = next(batches, None)
            if first is not None:
                try:
                    report = _write(db, vault, path, parsed, chain([first], batches), media_root, actor, now)
                except _Refused:  # rolled back already
                    refused = True
                except OSError as exc:  # copying media: a full disk, a read-only media folder
                    where = exc.filename if exc.filename is not None else db.media_dir
                    reason = describe_os_error(exc, f"write {where}")
                    raise ImportFailed([], 0, message=f"import refused, nothing written: {reason}") from None
            for chunk, size in chunks:  # refused: the rest of the file validated, for every problem in it
                parsed.add(chunk, size)
    explain_document(path, parsed)
    if parsed.error_count:
        raise ImportFailed(parsed.errors, parsed.error_count)
    if refused:  # with no bad line, by a case id already in the database
        _refuse_known_ids(db, vault, parsed)
    if report is None:
        raise ImportFailed([], 0, message=f"no cases in {visible(str(path))}")
    return report


class _Refused(Exception):
    """The import cannot be written: roll its transaction back now, tell why once the file is read."""


def _writable(parsed: Parsed, chunks: Iterator[tuple[Chunk, int]]) -> Iterator[Batch | None]:
    """The batches to write, as the ranges are validated (each merged into ``parsed``); one None when the
    first problem is found, and nothing after it (the caller merges the rest of ``chunks`` itself)."""
    for chunk, size in chunks:
        blob = parsed.add(chunk, size)
        if blob is not None:
            yield Batch.loads(blob)
        elif parsed.error_count:
            yield None
            return


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
    db: Database,
    vault: Vault | None,
    path: Path,
    parsed: Parsed,
    batches: Iterator[Batch | None],
    media_root: Path,
    actor: str,
    now: datetime | None,
) -> ImportReport:
    """Write the batches as they come in one transaction; _Refused (after the rollback) on a problem."""
    # A team server has no vault: texts stay plain, media go into its media_blob table.
    store: MediaStore | BlobStore = MediaStore(db.media_dir, vault) if vault is not None else BlobStore(db)
    report = ImportReport()
    new_media: list[str] = []
    # Stored previews are made by the decode workers while the rows are written (reviewer.media.arrival).
    deriver = Deriver(store) if isinstance(store, MediaStore) else None
    projected = parsed.projected(path.stat().st_size)
    try:
        # A big import writes each page once (a rollback journal) when nothing else has the database open.
        with bulk_write(db, single_journal=projected[0] >= DEFER_INDEXES_MIN_ROWS) as (session, _single):
            when = now or utcnow()  # the import's time: taken once its write lock is held
            sink = sink_for(session, vault)
            check_ids = sink.has_cases()  # (this import's own ids are unique: pass 1 checks that)
            sink.prepare(*projected)
            ok = False
            try:
                rows = _Rows(sink, vault is not None, media_root, store, when, report, new_media, deriver)
                for batch in batches:
                    if batch is None or (check_ids and sink.existing_ids(list(batch.external_id))):
                        raise _Refused
                    rows.write(batch)
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
                now=when,
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


def _refuse_known_ids(db: Database, vault: Vault | None, parsed: Parsed) -> None:
    """ImportFailed listing every case id of the file already in the database, in file order."""
    ids = parsed.ids
    with db.read() as session:
        taken = sink_for(session, vault).existing_ids(list(ids))
    dupes = [f"line {n}: case id {i!r} is already in the database" for i, n in ids.items() if i in taken]
    if not dupes:  # gone since the write found one: the file may be imported again
        dupes = ["a case of the file was in the database while it was written; import it again"]
    raise ImportFailed(dupes[:MAX_ERRORS_KEPT], len(dupes))


class _Rows:
    """Rows for each batch, zipped from its columns; new channels and accounts first, by first use.
    ``sealed``: the batches' texts were sealed in pass 1 (there is a vault), their terms made."""

    def __init__(
        self,
        sink: Sink,
        sealed: bool,
        media_root: Path,
        store: MediaStore | BlobStore,
        now: datetime,
        report: ImportReport,
        new_media: list[str],
        deriver: Deriver | None = None,
    ) -> None:
        self.sink, self.sealed, self.store, self.now = sink, sealed, store, now
        self.report, self.new_media, self.deriver = report, new_media, deriver
        self.channels = sink.channels()
        # Typed with None keys (there are none) so ``map(accounts.get, ...)`` takes a column with "no account".
        self.accounts: dict[tuple[str, str] | None, str] = dict(sink.accounts().items())
        self.now_text = utc_text(now)
        self.after_now: dict[int, str] = {}  # SLA minutes -> deadline text, for cases timed from the import
        self.fresh_id = uuid4_hex_stream().__next__
        self.response_sla = response_sla_hours()
        self.media_file = MediaResolver(media_root)  # resolved again here, once per distinct path
        self.media_cache: dict[Path, str] = {}
        self.phash_cache: dict[str, str | None] = {}
        self.common = CommonTerms(sink.common_terms() if sealed else set())

    def write(self, batch: Batch) -> None:
        """Write one batch's rows (its media copied in first)."""
        channels, accounts, fresh_id = self.channels, self.accounts, self.fresh_id
        now, now_text, after_now, report = self.now, self.now_text, self.after_now, self.report
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
        due = response_due(batch.channel, created, batch.response_due_at, self.response_sla)
        if batch.sealed is not self.sealed:
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
                *((batch.term_set,) if self.sealed else ()),  # sealed: rows as CASE_WRITTEN
                strict=True,
            )
        )
        count = len(batch.item_case)
        sha: list[str | None] = [None] * count
        ext: list[str | None] = [None] * count
        phash: list[str | None] = [None] * count
        media_cache, phash_cache = self.media_cache, self.phash_cache
        for index, media_path in batch.media:
            source = self.media_file(media_path)
            if source not in media_cache:
                media_cache[source] = self.store.put_file(source)
                self.new_media.append(media_cache[source])
            sha[index] = digest = media_cache[source]
            ext[index] = source.suffix.lower().lstrip(".")[:16] or None
            if batch.item_kind[index] == "image":
                # Once per distinct file, from the stored copy. A failure, or a hash of a near-flat
                # image (PDQ quality < 50, close to noise), leaves it None.
                if digest not in phash_cache:
                    if self.deriver is not None:
                        self.deriver.submit(digest)
                    hashed = pdq_hash(self.store.read(digest))
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
        if self.sealed:  # the rows of the terms too common to list left out (``common_terms``)
            found, where = array("q", batch.term), array("I", batch.term_case)
            runs, newly = self.common.split(found)
            self.sink.add_common(newly)
            terms = []
            for start, end in runs:
                terms.extend(zip(found[start:end], map(ids.__getitem__, where[start:end]), strict=True))
        self.sink.write(new_channels, new_accounts, cases, items, terms=terms)
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
