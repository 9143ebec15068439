"""Pass 1 of the import: validate every line of a JSON Lines file, keep the valid cases compactly.

Nothing here touches the database (no SQLAlchemy import), so worker processes that validate parts of a
big file in parallel start light. The file is cut into byte ranges that begin and end at line starts;
each range is validated on its own (in a worker, or in this process for small files) and gives back its
errors by local line number, the case ids of its schema-valid lines (duplicates are found here, across
the whole file, in line order) and its valid cases as a ``Batch``: column lists of plain values, already
in the text forms SQLite stores, from which pass 2 zips rows together without a Python step per case.
Batches are serialised with ``marshal`` (several times cheaper than pickle for lists of strings and
numbers; only ever read back by this same program) and handed to the writer range by range, as they are
validated (``validate_file``), so a million cases never live as a million pydantic objects.

A range's batch also gets its rows' ids here (``reviewer.importing.ids``: the range's own ascending slice
of the id space) and, given the vault's ``BulkSealer``, its texts sealed to those ids and its report
texts' index terms: the costly half of the write pass, spread over the workers. Only sealed texts leave
a worker.
"""

from __future__ import annotations

import gc
import json
import marshal
import multiprocessing
import os
import sys
import threading
from array import array
from collections import deque
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reviewer.importing.ids import ascending_uuid4_hex
from reviewer.importing.schema import DEFAULT_SLA, CaseIn, nul_location
from reviewer.vault.sealing import BulkSealer

MAX_LINE_BYTES = 1 << 20
MAX_MEDIA_BYTES = 200 << 20
MAX_ERRORS_KEPT = 1000

#: Files at least this big are validated by worker processes, one byte range each at a time.
PARALLEL_MIN_BYTES = 32 << 20
#: Target size of one range (a range always ends at a line end, so it can be longer).
CHUNK_BYTES = 4 << 20
MAX_WORKERS = 4
#: Ranges validated ahead of the one the writer takes, per worker.
LOOKAHEAD = 2

DEFAULT_SLA_MINUTES = {p: int(d.total_seconds()) // 60 for p, d in DEFAULT_SLA.items()}

BOM = b"\xef\xbb\xbf"
#: How far into a file the JSON-array / pretty-printed check looks for the first non-blank byte.
_PEEK_BYTES = 1 << 16
JSON_LINES_EXPECTED = "JSON Lines is expected: one whole case object per line"


def utc_text(value: datetime) -> str:
    """An aware datetime as SQLAlchemy stores a ``UTCDateTime`` on SQLite: naive UTC, microseconds always
    (SQLAlchemy's own format string for SQLite DATETIME; quicker than ``isoformat`` here)."""
    u = value.astimezone(UTC)
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031 - twice as fast as an f-string
        u.year,
        u.month,
        u.day,
        u.hour,
        u.minute,
        u.second,
        u.microsecond,
    )


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in err["loc"]) or "line"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts[:5]) + (f" (+{len(parts) - 5} more)" if len(parts) > 5 else "")


def _lines(path: Path, start: int = 0, end: int | None = None) -> Iterator[tuple[int, bytes]]:
    """Numbered lines, each read with a bound: an overlong line is reported, never held in memory whole.

    With ``start``/``end`` (both at line starts) only the lines of that byte range, numbered from 1.
    """
    with open(path, "rb") as fh:
        if start:
            fh.seek(start)
        number, at = 0, start  # ``at``: where the next line starts (counted, no tell() per line)
        while end is None or at < end:
            raw = fh.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            number += 1
            at += len(raw)
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                while rest := fh.readline(MAX_LINE_BYTES):
                    at += len(rest)
                    if rest.endswith(b"\n"):
                        break
            yield number, raw


def resolve_media(root: Path, relative: str) -> Path:
    """The file a media path names, guaranteed inside ``root``; ValueError otherwise."""
    if "\x00" in relative:
        raise ValueError("media path contains a NUL byte")
    candidate = Path(relative)
    if candidate.is_absolute() or candidate.drive:
        raise ValueError(f"media path must be relative to the media folder: {relative!r}")
    try:
        base = root.resolve()
        target = (base / candidate).resolve()
    except RuntimeError as exc:  # Python < 3.13 reports a symlink loop this way
        raise ValueError(f"media path is a symlink loop: {relative!r}") from exc
    if not target.is_relative_to(base):
        raise ValueError(f"media path escapes the media folder: {relative!r}")
    if not target.is_file():
        raise ValueError(f"media file not found: {relative!r}")
    if target.stat().st_size > MAX_MEDIA_BYTES:
        raise ValueError(f"media file larger than {MAX_MEDIA_BYTES >> 20} MB: {relative!r}")
    return target


_encode_key = json.encoder.encode_basestring_ascii
_flags_json: dict[tuple[str, ...], str] = {}


_scores_json: dict[tuple[tuple[str, float], ...], str] = {}


def scores_json(scores: dict[str, float]) -> str:
    """``json.dumps(scores)`` (what SQLAlchemy's JSON type stores), remembered, and without the encoder's
    per-call setup."""
    key = tuple(scores.items())
    # Only non-zero floats (what the schema gives, but for zeros) are remembered or looked up: equal
    # keys must mean the same text, and 0.0 == -0.0 (as 1 == 1.0) though json.dumps writes them apart.
    for _, value in key:
        if value.__class__ is not float or not value:
            return json.dumps(scores)
    found = _scores_json.get(key)
    if found is not None:
        return found
    parts = [f"{_encode_key(name)}: {float.__repr__(value)}" for name, value in key]
    if len(_scores_json) > 4096:
        _scores_json.clear()
    found = _scores_json[key] = "{" + ", ".join(parts) + "}"
    return found


def flags_json(flags: list[str]) -> str:
    """``json.dumps(flags)``, remembered: accounts share a handful of flag sets."""
    key = tuple(flags)
    found = _flags_json.get(key)
    if found is None:
        if len(_flags_json) > 4096:
            _flags_json.clear()
        found = _flags_json[key] = json.dumps(list(flags))
    return found


class MediaResolver:
    """``resolve_media`` under one root, each distinct path resolved once (many cases share a file).

    Remembers refusals too. One resolver serves one pass: pass 2 makes its own, so a path is resolved
    again right before its file is read, whatever happened to the folder since it was validated.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._known: dict[str, Path | ValueError | OSError] = {}

    def __call__(self, relative: str) -> Path:
        """The file, or the ValueError / OSError ``resolve_media`` gave for it."""
        found = self._known.get(relative)
        if found is None:
            try:
                found = resolve_media(self.root, relative)
            except (ValueError, OSError) as exc:
                found = exc
            self._known[relative] = found
        if isinstance(found, Exception):
            raise found.with_traceback(None)
        return found


class KindChecker:
    """``check_kind`` by content, once per distinct (file, kind); remembers refusals too."""

    def __init__(self) -> None:
        self._known: dict[tuple[Path, str], ValueError | OSError | None] = {}

    def __call__(self, file: Path, kind: str) -> None:
        key = (file, kind)
        if key not in self._known:
            from reviewer.media.sniff import check_kind  # Pillow loads only for files with media

            try:
                check_kind(file, kind)
                self._known[key] = None
            except (ValueError, OSError) as exc:
                self._known[key] = exc
        found = self._known[key]
        if found is not None:
            raise found.with_traceback(None)


class Batch:
    """The valid cases of one range, column by column: pass 2 turns them into rows with ``zip``."""

    CASE_COLUMNS = (
        "external_id",
        "channel",  # code
        "account",  # (platform, handle) or None
        "category",
        "priority",
        "sla_deadline",  # naive-UTC text, or minutes after the import's "now" (see from_now)
        "risk_rank",
        "reporter",
        "report_text",
        "scores",  # JSON text
        "created_at",  # naive-UTC text, or None: the import's "now"
        "requester",  # JSON text, or None
        "response_due_at",  # naive-UTC text, or None: from the channel's response SLA at pass 2
    )
    ITEM_COLUMNS = ("item_case", "item_position", "item_kind", "item_text", "item_url")  # case: its index
    #: Made by ``dumps``: the rows' ids, and with a sealer the texts sealed to them and the index terms.
    MADE = ("case_id", "item_id", "sealed", "term", "term_case", "term_set")

    external_id: Sequence[str]
    channel: Sequence[str]
    account: Sequence[tuple[str, str] | None]
    category: Sequence[str]
    priority: Sequence[int]
    sla_deadline: list[str | int]
    risk_rank: Sequence[int]
    reporter: Sequence[str]
    report_text: Sequence[str]
    scores: Sequence[str]
    created_at: list[str | None]
    requester: Sequence[str | None]
    response_due_at: list[str | None]
    item_case: Sequence[int]
    item_position: Sequence[int]
    item_kind: Sequence[str]
    item_text: Sequence[str | None]
    item_url: Sequence[str | None]
    case_id: list[str]
    item_id: list[str]
    sealed: bool  # report, requester and item texts are sealed values; ``term``/``term_case`` hold terms
    term: bytes  # array("q"): the report texts' index terms, in (term, case) order
    term_case: bytes  # array("I"): beside each term, the index of its case in the batch
    term_set: list[bytes]  # each case's own terms (``sealing.term_set``; empty list when not sealed)

    def __init__(self) -> None:
        self.cases: list[tuple[Any, ...]] = []  # rows while building; columns once loaded
        self.items: list[tuple[Any, ...]] = []
        self.from_now: list[int] = []  # cases (by index) without created_at, timed from the import
        self.account_first: dict[tuple[str, str], tuple[str, float]] = {}  # flags JSON, score: first line
        self.media: list[tuple[int, str]] = []  # (item index, path) of the items with a media file

    def __len__(self) -> int:
        return len(self.external_id)

    def add(self, case: CaseIn) -> None:
        """Append a valid case (its media already checked)."""
        index = len(self.cases)
        account = case.account
        if account is None:
            key = None
            risk = 0.0
        else:
            key = (account.platform, account.handle)
            if key not in self.account_first:  # the account row takes its first line's flags and score
                self.account_first[key] = (flags_json(account.risk_flags), account.risk_score)
            risk = account.risk_score
        created_at = case.created_at
        if case.sla_deadline is not None:
            deadline: str | int = utc_text(case.sla_deadline)
        else:
            minutes = case.sla_minutes if case.sla_minutes is not None else DEFAULT_SLA_MINUTES[case.priority]
            deadline = minutes if created_at is None else utc_text(created_at + timedelta(minutes=minutes))
        if created_at is None:
            self.from_now.append(index)
        self.cases.append(
            (
                case.id,
                case.channel,
                key,
                case.category,
                case.priority,
                deadline,
                round((1.0 - risk) * 1000),
                case.reporter,
                case.report_text,
                scores_json(case.scores),
                None if created_at is None else utc_text(created_at),
                None if case.requester is None else case.requester.model_dump_json(),
                None if case.response_due_at is None else utc_text(case.response_due_at),
            )
        )
        items = self.items
        for position, item in enumerate(case.items):
            if item.path is not None:
                self.media.append((len(items), item.path))
            items.append((index, position, item.kind, item.text, item.url))

    def dumps(self, slot: int = 0, slots: int = 1, sealer: BulkSealer | None = None) -> bytes:
        """Columns (one ``zip`` turns the rows around), with ids drawn from slice ``slot`` of ``slots``
        and, given ``sealer``, texts sealed and index terms made; marshalled."""
        cases: list[Any] = list(zip(*self.cases, strict=True)) or [()] * len(self.CASE_COLUMNS)
        items: list[Any] = list(zip(*self.items, strict=True)) or [()] * len(self.ITEM_COLUMNS)
        case_ids = ascending_uuid4_hex(len(self.cases), slot, slots)
        item_ids = ascending_uuid4_hex(len(self.items), slot, slots)
        terms, term_case = array("q"), array("I")
        sets: list[bytes] = []
        if sealer is not None:
            at = self.CASE_COLUMNS.index
            report, requester = at("report_text"), at("requester")
            texts = list(cases[report])
            cases[report] = sealer.seal_texts(texts, "case", "report_text", case_ids)
            cases[requester] = _sealed(sealer, cases[requester], "case", "requester", case_ids)
            text = self.ITEM_COLUMNS.index("item_text")
            items[text] = _sealed(sealer, items[text], "item", "text", item_ids)
            found, where, sets = sealer.term_parts(texts)
            terms.extend(found)
            term_case.extend(where)
        made = (case_ids, item_ids, sealer is not None, terms.tobytes(), term_case.tobytes(), sets)
        return marshal.dumps((cases, items, self.from_now, self.account_first, self.media, made))

    @classmethod
    def loads(cls, blob: bytes) -> Batch:
        batch = cls()
        cases, items, batch.from_now, batch.account_first, batch.media, made = marshal.loads(blob)
        columns = cls.CASE_COLUMNS + cls.ITEM_COLUMNS + cls.MADE
        for name, column in zip(columns, (*cases, *items, *made), strict=True):
            setattr(batch, name, column)
        batch.sla_deadline, batch.created_at = list(batch.sla_deadline), list(batch.created_at)
        batch.response_due_at = list(batch.response_due_at)
        return batch


def _sealed(
    sealer: BulkSealer, column: Sequence[str | None], table: str, name: str, ids: list[str]
) -> list[str | None]:
    """``column`` with its texts sealed to their rows' ids (None stays None)."""
    out = list(column)
    present = [k for k, value in enumerate(out) if value is not None]
    if present:
        texts = [value for value in out if value is not None]
        sealed = sealer.seal_texts(texts, table, name, [ids[k] for k in present])
        for k, value in zip(present, sealed, strict=True):
            out[k] = value
    return out


@dataclass
class Chunk:
    """What validating one byte range gives back."""

    lines: int = 0
    # (local line, message) for lines that are not a valid case at all, in line order
    errors: list[tuple[int, str]] = field(default_factory=list)
    # schema-valid lines, in order: their local line numbers and case ids
    valid_lines: list[int] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    # local line -> media path errors, for schema-valid lines whose media is refused
    media_errors: dict[int, list[str]] = field(default_factory=dict)
    items: int = 0
    batch: bytes = b""  # the marshalled Batch of the valid cases, if no line of the range is bad

    def dumps(self) -> bytes:
        fields = (
            self.lines,
            self.errors,
            self.valid_lines,
            self.ids,
            self.media_errors,
            self.items,
            self.batch,
        )
        return marshal.dumps(fields)

    @classmethod
    def loads(cls, blob: bytes) -> Chunk:
        return cls(*marshal.loads(blob))


def validate_range(
    path: Path,
    media_root: Path,
    start: int = 0,
    end: int | None = None,
    *,
    slot: int = 0,
    slots: int = 1,
    sealer: BulkSealer | None = None,
) -> Chunk:
    """Validate the lines of ``path[start:end]`` (a whole file by default); the batch of a clean range
    gets ids from slice ``slot`` of ``slots`` and, with ``sealer``, sealed texts and index terms."""
    out = Chunk()
    errors, valid_lines, ids = out.errors, out.valid_lines, out.ids
    batch = Batch()
    validate = CaseIn.__pydantic_validator__.validate_json  # what model_validate_json calls
    media_file = MediaResolver(media_root)
    media_kind = KindChecker()
    clean = True  # no bad line yet: the batch is still worth keeping
    for number, raw in _lines(path, start, end):
        out.lines = number
        if number == 1 and start == 0 and raw.startswith(BOM):
            raw = raw[len(BOM) :]  # a UTF-8 byte order mark, as some editors write: not part of the JSON
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            errors.append((number, f"line longer than {MAX_LINE_BYTES} bytes"))
            clean = False
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            errors.append((number, f"not valid UTF-8 (byte {exc.start})"))
            clean = False
            continue
        if not text.strip():
            continue
        try:
            case = validate(raw)  # the bytes: the same JSON as ``text``, without re-encoding it
        except ValidationError as exc:
            errors.append((number, _describe(exc)))
            clean = False
            continue
        if b"\\u0000" in raw:  # the JSON escape of NUL (a raw NUL byte is invalid JSON already)
            where = nul_location(raw)
            if where is not None:
                errors.append((number, f"{where}: contains a NUL character (\\u0000), which is not allowed"))
                clean = False
                continue
        valid_lines.append(number)
        ids.append(case.id)
        bad: list[str] | None = None
        for index, item in enumerate(case.items):
            if item.path is not None:
                try:
                    media_kind(media_file(item.path), item.kind)
                except (ValueError, OSError) as exc:
                    bad = bad or []
                    bad.append(f"items.{index}.path: {exc}")
        if bad:
            out.media_errors[number] = bad
            clean = False
        elif clean:
            batch.add(case)
    if clean:
        out.items = len(batch.items)
        out.batch = batch.dumps(slot, slots, sealer)
    return out


_worker_sealer: BulkSealer | None = None  # a worker's, from ``_worker_start``


def _validate_range_task(args: tuple[Path, Path, int, int, int, int]) -> bytes:
    """``validate_range`` in a worker; the outcome marshalled (cheaper to send than a pickled object)."""
    path, media_root, start, end, slot, slots = args
    return validate_range(path, media_root, start, end, slot=slot, slots=slots, sealer=_worker_sealer).dumps()


def _worker_start(sealer: BulkSealer | None = None) -> None:
    global _worker_sealer
    _worker_sealer = sealer
    # Whatever the worker inherited (all of the parent's modules, with ``fork``) is never garbage here:
    # keep the collector off it, so it neither scans those objects again and again nor, by writing to
    # their headers, copies every shared page into the worker.
    gc.freeze()


def split_ranges(path: Path, size: int | None = None) -> list[tuple[int, int]]:
    """Byte ranges of about ``size`` (``CHUNK_BYTES``) covering the file, each from a line start to the
    next range's."""
    size = size or CHUNK_BYTES
    with open(path, "rb") as fh:
        total = os.fstat(fh.fileno()).st_size
        bounds = [0]
        pos = size
        while pos < total:
            fh.seek(pos - 1)  # a line starts at ``pos`` if the byte before it ends a line
            found = -1
            while found < 0:
                block = fh.read(1 << 16)
                if not block:
                    break
                at = block.find(b"\n")
                if at >= 0:
                    found = fh.tell() - len(block) + at + 1
            if found < 0 or found >= total:
                break
            bounds.append(found)
            pos = found + size
    bounds.append(total)
    return list(zip(bounds, bounds[1:], strict=False))


def _pool_context() -> Any:
    """``fork`` from a single-threaded process on Linux (instant, inherits the loaded modules);
    ``forkserver`` otherwise (forking a multi-threaded process, or on macOS, is unsafe); None where
    neither exists (then this process validates alone)."""
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return None


def _workers() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cpus))


@dataclass
class Parsed:
    """What pass 1 has found so far: every problem by line number, and the counts of the cases that will
    be written if no problem is found."""

    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    cases: int = 0
    items: int = 0
    # external id -> line number, in file order (duplicates in the file; the database check on refusal)
    ids: dict[str, int] = field(default_factory=dict)
    lines: int = 0  # lines merged so far
    bytes_seen: int = 0  # the size of the ranges merged so far

    def error(self, line_no: int, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(f"line {line_no}: {reason}")

    def projected(self, total_bytes: int) -> tuple[int, int]:
        """The cases and items the whole file will hold, from the ranges merged so far (an estimate, for
        choosing how to write; never for what is written)."""
        if not self.bytes_seen:
            return 0, 0
        scale = max(1.0, total_bytes / self.bytes_seen)
        return round(self.cases * scale), round(self.items * scale)

    def add(self, chunk: Chunk, size: int) -> bytes | None:
        """Merge one range's outcome (ranges arrive in file order; ``size``: its bytes). Returns the range's
        marshalled batch when its cases are to be written: no problem found in the file so far."""
        base, seen = self.lines, self.ids
        self.lines += chunk.lines
        self.bytes_seen += size
        media = chunk.media_errors
        if not chunk.errors and not media and seen.keys().isdisjoint(chunk.ids):
            before = len(seen)
            seen.update(zip(chunk.ids, map(base.__add__, chunk.valid_lines), strict=True))
            if len(seen) - before == len(chunk.ids):  # no duplicate at all: the usual case, all in C
                return self._kept(chunk)
            for case_id in chunk.ids:  # a duplicate inside the range: undo, take the careful way
                seen.pop(case_id, None)
        found: list[tuple[int, int, str]] = [(n, 0, msg) for n, msg in chunk.errors]
        for number, case_id in zip(chunk.valid_lines, chunk.ids, strict=True):
            first = seen.get(case_id)
            if first is not None:
                found.append((number, 0, f"duplicate case id {case_id!r} (first on line {first})"))
                continue
            seen[case_id] = base + number
            if number in media:
                found.extend((number, k, msg) for k, msg in enumerate(media[number], start=1))
        if found:
            found.sort()
            for number, _, msg in found:
                self.error(base + number, msg)
        return self._kept(chunk)

    def _kept(self, chunk: Chunk) -> bytes | None:
        if self.error_count or not chunk.valid_lines:
            return None
        self.cases += len(chunk.valid_lines)
        self.items += chunk.items
        return chunk.batch


def whole_document(path: Path) -> tuple[int, str] | None:
    """(line, why) if ``path`` starts like one JSON document (an array, or an object spread over lines)
    rather than JSON Lines; None otherwise. Looks only at the first non-blank line, if it is whole within
    the first ``_PEEK_BYTES``."""
    with open(path, "rb") as fh:
        head = fh.read(_PEEK_BYTES)
    complete = len(head) < _PEEK_BYTES
    lines = head.removeprefix(BOM).split(b"\n")
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if number == len(lines) and not complete:
            return None  # cut by the peek: nothing to say about it
        if stripped.startswith(b"["):
            return number, f"the file is a JSON array; {JSON_LINES_EXPECTED}, with no [ ] around them"
        if stripped.startswith(b"{") and not stripped.endswith(b"}"):
            return number, f"this looks like a pretty-printed JSON document; {JSON_LINES_EXPECTED}"
        return None
    return None


def explain_document(path: Path, parsed: Parsed) -> None:
    """A refused file that is one JSON document gets that said on its first bad line."""
    if not parsed.errors:
        return
    document = whole_document(path)
    if document is not None and parsed.errors[0].startswith(f"line {document[0]}: "):
        parsed.errors[0] = f"line {document[0]}: {document[1]}"


def validate_file(
    path: Path, media_root: Path, sealer: BulkSealer | None = None
) -> Generator[tuple[Chunk, int], None, None]:
    """Each byte range's outcome with its size, in file order, as soon as it is validated: in worker
    processes for a big file (at most ``LOOKAHEAD`` ranges per worker validated ahead of the one being
    taken, so memory stays bounded however slowly the caller writes), in this process otherwise. With
    ``sealer`` (the vault's), the kept cases' texts are sealed and their index terms made. Closing the
    iterator early stops the workers."""
    size = path.stat().st_size
    context = _pool_context() if size >= PARALLEL_MIN_BYTES else None
    workers = _workers()
    ranges = split_ranges(path)
    slots = len(ranges)
    if context is None or workers < 2 or len(ranges) < 2:
        for slot, (start, end) in enumerate(ranges):
            chunk = validate_range(path, media_root, start, end, slot=slot, slots=slots, sealer=sealer)
            yield chunk, end - start
        return
    tasks = iter([(path, media_root, start, end, slot, slots) for slot, (start, end) in enumerate(ranges)])
    # The sealer reaches the workers by fork, or over the pool's pipe (forkserver): never to disk.
    with context.Pool(min(workers, slots), initializer=_worker_start, initargs=(sealer,)) as pool:
        ahead: deque[tuple[Any, int]] = deque()

        def submit() -> None:
            task = next(tasks, None)
            if task is not None:
                ahead.append((pool.apply_async(_validate_range_task, (task,)), task[3] - task[2]))

        for _ in range(LOOKAHEAD * workers):
            submit()
        while ahead:
            pending, span = ahead.popleft()
            submit()
            yield Chunk.loads(pending.get()), span
