"""JSON Lines import: validate every line first, then write everything in one transaction or nothing.

Media paths are resolved inside the media root (the import file's folder unless told otherwise); a path
that escapes it — ``..``, absolute, or a symlink pointing out — is refused before any byte is read.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from reviewer.audit import append_event
from reviewer.clock import utcnow
from reviewer.importing.schema import CaseIn
from reviewer.media.phash import MIN_QUALITY as MIN_PHASH_QUALITY
from reviewer.media.phash import pdq_hash
from reviewer.media.store import MediaStore
from reviewer.models import Account, Case, Channel, Item
from reviewer.storage.database import Database

MAX_LINE_BYTES = 1 << 20
MAX_MEDIA_BYTES = 200 << 20
MAX_ERRORS_KEPT = 1000
BATCH = 5000


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


@dataclass
class _Parsed:
    cases: list[tuple[int, CaseIn]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0

    def error(self, line_no: int, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(f"line {line_no}: {reason}")


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in err["loc"]) or "line"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts[:5]) + (f" (+{len(parts) - 5} more)" if len(parts) > 5 else "")


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """Numbered lines, each read with a bound: an overlong line is reported, never held in memory whole."""
    with open(path, "rb") as fh:
        number = 0
        while True:
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


def parse_file(path: Path, media_root: Path) -> _Parsed:
    parsed = _Parsed()
    seen: dict[str, int] = {}
    for number, raw in _lines(path):
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            parsed.error(number, f"line longer than {MAX_LINE_BYTES} bytes")
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            parsed.error(number, f"not valid UTF-8 (byte {exc.start})")
            continue
        if not text.strip():
            continue
        try:
            case = CaseIn.model_validate_json(text)
        except ValidationError as exc:
            parsed.error(number, _describe(exc))
            continue
        if case.id in seen:
            parsed.error(number, f"duplicate case id {case.id!r} (first on line {seen[case.id]})")
            continue
        seen[case.id] = number
        bad_media = False
        for index, item in enumerate(case.items):
            if item.path is not None:
                try:
                    resolve_media(media_root, item.path)
                except (ValueError, OSError) as exc:
                    parsed.error(number, f"items.{index}.path: {exc}")
                    bad_media = True
        if not bad_media:
            parsed.cases.append((number, case))
    return parsed


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
    parsed = parse_file(path, media_root)
    if parsed.error_count:
        raise ImportFailed(parsed.errors, parsed.error_count)
    now = now or utcnow()
    store = MediaStore(db.media_dir)
    report = ImportReport()
    new_media: list[str] = []
    try:
        with db.write() as session:
            taken = _existing_ids(session, [c.id for _, c in parsed.cases])
            dupes = [
                f"line {n}: case id {c.id!r} is already in the database"
                for n, c in parsed.cases
                if c.id in taken
            ]
            if dupes:
                raise ImportFailed(dupes[:MAX_ERRORS_KEPT], len(dupes))
            channels = {c.code: c.id for c in session.execute(select(Channel)).scalars()}
            accounts = {(a.platform, a.handle): a.id for a in session.execute(select(Account)).scalars()}
            media_cache: dict[Path, str] = {}
            phash_cache: dict[str, str | None] = {}
            case_rows: list[dict] = []
            item_rows: list[dict] = []
            for _, c in parsed.cases:
                if c.channel not in channels:
                    channels[c.channel] = uuid.uuid4()
                    session.execute(
                        insert(Channel), [{"id": channels[c.channel], "code": c.channel, "name": c.channel}]
                    )
                    report.channels += 1
                account_id = None
                risk = 0.0
                if c.account is not None:
                    key = (c.account.platform, c.account.handle)
                    if key not in accounts:
                        accounts[key] = uuid.uuid4()
                        session.execute(
                            insert(Account),
                            [
                                {
                                    "id": accounts[key],
                                    "platform": key[0],
                                    "handle": key[1],
                                    "risk_flags": list(c.account.risk_flags),
                                    "risk_score": c.account.risk_score,
                                    "created_at": now,
                                }
                            ],
                        )
                        report.accounts += 1
                    account_id, risk = accounts[key], c.account.risk_score
                case_id = uuid.uuid4()
                case_rows.append(
                    {
                        "id": case_id,
                        "external_id": c.id,
                        "channel_id": channels[c.channel],
                        "account_id": account_id,
                        "category": c.category,
                        "priority": c.priority,
                        "sla_deadline": c.deadline(now),
                        "risk_rank": round((1.0 - risk) * 1000),
                        "status": "open",
                        "tier": 1,
                        "reporter": c.reporter,
                        "report_text": c.report_text,
                        "scores": dict(c.scores),
                        "created_at": c.created_at or now,
                    }
                )
                for position, item in enumerate(c.items):
                    sha = ext = phash = None
                    if item.path is not None:
                        source = resolve_media(media_root, item.path)
                        if source not in media_cache:
                            sha = store.put_file(source)
                            new_media.append(sha)
                            media_cache[source] = sha
                        sha = media_cache[source]
                        ext = source.suffix.lower().lstrip(".")[:16] or None
                        if item.kind == "image":
                            # Once per distinct file, from the stored copy. A failure, or a hash of a
                            # near-flat image (PDQ quality < 50, close to noise), leaves it None.
                            if sha not in phash_cache:
                                hashed = pdq_hash(store.path_for(sha))
                                good = hashed is not None and hashed[1] >= MIN_PHASH_QUALITY
                                phash_cache[sha] = hashed[0] if good and hashed is not None else None
                            phash = phash_cache[sha]
                    item_rows.append(
                        {
                            "id": uuid.uuid4(),
                            "case_id": case_id,
                            "position": position,
                            "kind": item.kind,
                            "media_sha256": sha,
                            "media_ext": ext,
                            "text": item.text,
                            "url": item.url,
                            "phash": phash,
                        }
                    )
                if len(case_rows) >= BATCH:
                    _flush(session, case_rows, item_rows, report)
            _flush(session, case_rows, item_rows, report)
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


def _existing_ids(session: Session, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update(session.execute(select(Case.external_id).where(Case.external_id.in_(chunk))).scalars())
    return found


def _flush(session: Session, case_rows: list[dict], item_rows: list[dict], report: ImportReport) -> None:
    if case_rows:
        session.execute(insert(Case), case_rows)
        report.cases += len(case_rows)
    if item_rows:
        session.execute(insert(Item), item_rows)
        report.items += len(item_rows)
    case_rows.clear()
    item_rows.clear()


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
