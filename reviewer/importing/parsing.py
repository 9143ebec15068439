"""Pass 1 of the import: validate every line of a JSON Lines file, keep the valid cases compactly.

Nothing here touches the database (no SQLAlchemy import), so worker processes that validate parts of a
big file in parallel start light. The file is cut into byte ranges that begin and end at line starts;
each range is validated on its own (in a worker, or in this process for small files) and gives back its
errors by local line number, the case ids of its schema-valid lines (duplicates are found here, across
the whole file, in line order) and its valid cases as compact records: plain tuples, already in the
text forms SQLite stores, pickled. The records go to a spool (memory first, an unlinked temporary file
past ``SPOOL_MEMORY``) so a million cases never live as a million pydantic objects; pass 2 reads them
back batch by batch.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import pickle
import struct
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reviewer.importing.schema import DEFAULT_SLA, CaseIn

MAX_LINE_BYTES = 1 << 20
MAX_MEDIA_BYTES = 200 << 20
MAX_ERRORS_KEPT = 1000

#: Files at least this big are validated by worker processes, one byte range each at a time.
PARALLEL_MIN_BYTES = 32 << 20
#: Target size of one range (a range always ends at a line end, so it can be longer).
CHUNK_BYTES = 4 << 20
MAX_WORKERS = 4
#: Records are kept in memory up to this size, then in an unlinked temporary file.
SPOOL_MEMORY = 16 << 20

DEFAULT_SLA_MINUTES = {p: int(d.total_seconds()) // 60 for p, d in DEFAULT_SLA.items()}

# A record: (local_line, external_id, channel_code, account, case_tail, items, media)
#   account    None or (platform, handle, risk_flags_json, risk_score)
#   case_tail  (category, priority, sla_deadline, risk_rank, reporter, report_text, scores_json, created_at):
#              the case row after (id, external_id, channel_id, account_id). Times are naive-UTC text;
#              created_at None stands for the import's "now", and then sla_deadline may be an int: that
#              many minutes after it.
#   items      (position, kind, None, None, text, url, None) each: an item row after (id, case_id), its
#              media columns (sha256, ext, phash) empty
#   media      None, or (position, path) of each item with a media path, to resolve and store when written
Record = tuple[Any, ...]

_FRAME = struct.Struct("<QQ")  # line number base, pickled size


def utc_text(value: datetime) -> str:
    """An aware datetime as SQLAlchemy stores a ``UTCDateTime`` on SQLite: naive UTC, microseconds always."""
    return value.astimezone(UTC).isoformat(" ", "microseconds")[:26]  # without the "+00:00"


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
        number = 0
        while end is None or fh.tell() < end:
            raw = fh.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            number += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                while (rest := fh.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                    pass
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


_encode_key = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]
_flags_json: dict[tuple[str, ...], str] = {}


def scores_json(scores: dict[str, float]) -> str:
    """``json.dumps(scores)`` (what SQLAlchemy's JSON type stores), without the encoder's per-call setup."""
    parts = []
    for key, value in scores.items():
        if value.__class__ is not float:
            return json.dumps(scores)
        parts.append(f"{_encode_key(key)}: {float.__repr__(value)}")
    return "{" + ", ".join(parts) + "}"


def flags_json(flags: list[str]) -> str:
    """``json.dumps(flags)``, remembered: accounts share a handful of flag sets."""
    key = tuple(flags)
    found = _flags_json.get(key)
    if found is None:
        if len(_flags_json) > 4096:
            _flags_json.clear()
        found = _flags_json[key] = json.dumps(list(flags))
    return found


def record_of(
    line: int,
    case: CaseIn,
    items: list[tuple[Any, ...]] | None = None,
    media: list[tuple[int, str]] | None = None,
) -> Record:
    """The compact, database-ready form of a valid case (see ``Record``); ``validate_range`` passes the
    items and media it has already gathered."""
    if items is None:
        items = [(n, i.kind, None, None, i.text, i.url, None) for n, i in enumerate(case.items)]
        media = [(n, i.path) for n, i in enumerate(case.items) if i.path is not None] or None
    account = case.account
    if account is None:
        acct, risk = None, 0.0
    else:
        acct = (account.platform, account.handle, flags_json(account.risk_flags), account.risk_score)
        risk = account.risk_score
    created_at = case.created_at
    if case.sla_deadline is not None:
        deadline: str | int = utc_text(case.sla_deadline)
    else:
        minutes = case.sla_minutes if case.sla_minutes is not None else DEFAULT_SLA_MINUTES[case.priority]
        # with no created_at the deadline counts from the import's "now": kept as minutes until then
        deadline = minutes if created_at is None else utc_text(created_at + timedelta(minutes=minutes))
    tail = (
        case.category,
        case.priority,
        deadline,
        round((1.0 - risk) * 1000),
        case.reporter,
        case.report_text,
        scores_json(case.scores),
        None if created_at is None else utc_text(created_at),
    )
    return (line, case.id, case.channel, acct, tail, items, media)


@dataclass
class _Chunk:
    """What validating one byte range gives back (small, picklable)."""

    lines: int = 0
    # (local line, message) for lines that are not a valid case at all, in line order
    errors: list[tuple[int, str]] = field(default_factory=list)
    # schema-valid lines, in order: their local line numbers and case ids
    valid_lines: list[int] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    # local line -> media path errors, for schema-valid lines whose media is refused
    media_errors: dict[int, list[str]] = field(default_factory=dict)
    items: int = 0
    records: bytes = b""  # pickled list[Record] of the lines without any problem


def validate_range(path: Path, media_root: Path, start: int = 0, end: int | None = None) -> _Chunk:
    """Validate the lines of ``path[start:end]`` (a whole file by default)."""
    out = _Chunk()
    errors, valid_lines, ids = out.errors, out.valid_lines, out.ids
    records: list[Record] = []
    validate = CaseIn.model_validate_json
    clean = True  # no bad line yet: records are still worth keeping
    for number, raw in _lines(path, start, end):
        out.lines = number
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
            case = validate(text)
        except ValidationError as exc:
            errors.append((number, _describe(exc)))
            clean = False
            continue
        valid_lines.append(number)
        ids.append(case.id)
        items: list[tuple[Any, ...]] = []
        media: list[tuple[int, str]] | None = None
        bad: list[str] | None = None
        for index, item in enumerate(case.items):
            items.append((index, item.kind, None, None, item.text, item.url, None))
            if item.path is not None:
                try:
                    resolve_media(media_root, item.path)
                except (ValueError, OSError) as exc:
                    bad = bad or []
                    bad.append(f"items.{index}.path: {exc}")
                media = media or []
                media.append((index, item.path))
        if bad:
            out.media_errors[number] = bad
            clean = False
        elif clean:
            records.append(record_of(number, case, items, media))
            out.items += len(items)
    if clean:
        out.records = pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL)
    return out


def _validate_range_task(args: tuple[Path, Path, int, int]) -> _Chunk:
    return validate_range(*args)


def _worker_start() -> None:
    # Whatever the worker inherited (all of the parent's modules, with ``fork``) is never garbage here:
    # keep the collector off it, so it neither scans those objects again and again nor, by writing to
    # their headers, copies every shared page into the worker.
    gc.freeze()


def split_ranges(path: Path, size: int = CHUNK_BYTES) -> list[tuple[int, int]]:
    """Byte ranges of about ``size`` covering the file, each starting and ending at a line start."""
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
    """``fork`` from a single-threaded process (instant, inherits the loaded modules); ``forkserver``
    otherwise (forking a multi-threaded process is unsafe); None where neither exists."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
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


class Spool:
    """Pickled record batches, in file order: in memory, then in an unlinked temporary file."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)  # noqa: SIM115 - closed by close()
        self.frames = 0

    def add(self, base: int, blob: bytes) -> None:
        self._file.write(_FRAME.pack(base, len(blob)))
        self._file.write(blob)
        self.frames += 1

    def batches(self) -> Iterator[tuple[int, list[Record]]]:
        """(line number base, records) per frame; record line numbers are relative to the base."""
        self._file.seek(0)
        for _ in range(self.frames):
            base, size = _FRAME.unpack(self._file.read(_FRAME.size))
            yield base, pickle.loads(self._file.read(size))

    def clear(self) -> None:
        self._file.seek(0)
        self._file.truncate()
        self.frames = 0

    def close(self) -> None:
        self._file.close()


@dataclass
class Parsed:
    """The outcome of pass 1: every problem by line number, or the valid cases ready to write."""

    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    cases: int = 0
    items: int = 0
    # external id -> line number, in file order (for the database check; dropped once done)
    ids: dict[str, int] | None = field(default_factory=dict)
    spool: Spool = field(default_factory=Spool)

    def error(self, line_no: int, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(f"line {line_no}: {reason}")

    def close(self) -> None:
        self.ids = None
        self.spool.close()

    def add(self, base: int, chunk: _Chunk) -> None:
        """Merge one range's outcome (ranges arrive in file order); ``base`` = lines before the range."""
        seen = self.ids
        assert seen is not None
        found: list[tuple[int, int, str]] = [(n, 0, msg) for n, msg in chunk.errors]
        media = chunk.media_errors
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
        if self.error_count:
            if self.spool.frames:
                self.spool.clear()  # nothing will be written: don't keep what would have been
            return
        self.cases += len(chunk.valid_lines)
        self.items += chunk.items
        if chunk.valid_lines:
            self.spool.add(base, chunk.records)


def parse_file(path: Path, media_root: Path) -> Parsed:
    """Validate every line of ``path`` (in parallel for big files); see ``Parsed``."""
    parsed = Parsed()
    try:
        size = path.stat().st_size
        context = _pool_context() if size >= PARALLEL_MIN_BYTES else None
        workers = _workers()
        base = 0
        if context is None or workers < 2:
            parsed.add(0, validate_range(path, media_root))
            return parsed
        tasks = [(path, media_root, start, end) for start, end in split_ranges(path)]
        with context.Pool(workers, initializer=_worker_start) as pool:
            for chunk in pool.imap(_validate_range_task, tasks):
                parsed.add(base, chunk)
                base += chunk.lines
        return parsed
    except BaseException:
        parsed.close()
        raise
