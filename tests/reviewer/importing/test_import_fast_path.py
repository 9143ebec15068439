"""The importer's fast path writes exactly what the ORM would: every field read back through the ORM.

The importer writes plain tuples through the SQLite driver (``reviewer.importing.writing``), validates
big files in worker processes and, for big imports, rebuilds plain indexes at the end. These tests import
one small file that has every kind of field (accounts with flags, scores, images — one textured, one
flat — a video, text, links, each way of giving an SLA) and check every column as the ORM reads it; that
the text the fast path stores is what SQLAlchemy's own bind processors produce; that the generic
(SQLAlchemy Core) path gives the same cases; and that the queue and decisions work on imported cases.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import event, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import selectinload

import reviewer.importing.ids as import_ids
import reviewer.importing.parsing as parsing
import reviewer.importing.writing as writing
from reviewer.audit import verify
from reviewer.decisions import record_decision
from reviewer.importing.importer import ImportFailed, import_file
from reviewer.importing.schema import DEFAULT_SLA
from reviewer.media.phash import pdq_hash
from reviewer.models import Account, AuditEvent, Case, Channel, Item
from reviewer.queue import QueueFilter, fetch_page
from reviewer.storage.database import Database

NOW = datetime(2026, 11, 29, 12, 0, 0, 123456, tzinfo=UTC)
PLUS2 = timezone(timedelta(hours=2))
MINUS5 = timezone(timedelta(hours=-5))


def _media(root: Path) -> dict[str, Path]:
    (root / "media").mkdir(parents=True, exist_ok=True)
    textured = Image.new("RGB", (160, 120), "white")
    draw = ImageDraw.Draw(textured)
    for x in range(0, 160, 9):
        draw.line((x, 0, 159 - x, 119), fill=(x, 90, 255 - x), width=3)
    textured.save(root / "media" / "scene.jpg", "JPEG")
    Image.new("RGB", (64, 48), "blue").save(root / "media" / "flat.png", "PNG")
    (root / "media" / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 a tiny video")
    return {name: root / "media" / name for name in ("scene.jpg", "flat.png", "clip.mp4")}


# Each case with what the ORM must read back. ``deadline`` / ``created`` are the expected aware datetimes.
CASES: list[dict[str, Any]] = [
    {
        "line": {
            "id": "  FP-1  ",  # stripped
            "channel": "partner",
            "category": "violence",
            "priority": 1,
            "sla_deadline": "2026-12-01T10:00:00.5+02:00",
            "created_at": "2026-11-01T00:00:00Z",
            "account": {
                "platform": "photoapp",
                "handle": "@ana",
                "risk_flags": ["repeat", "ü"],
                "risk_score": 0.25,
            },
            "reporter": "partner:ngo-17",
            "report_text": "Text with “quotes”, é and \\ backslash",
            "items": [
                {"kind": "image", "path": "media/scene.jpg"},
                {"kind": "text", "text": "post ✓"},
                {"kind": "image", "path": "./media/flat.png"},
                {"kind": "video", "path": "media/clip.mp4"},
                {"kind": "link", "url": "https://example.org/x?y=1"},
            ],
            "scores": {"violence": 0.93, 'é"x': 1, "zero": -0.0},
        },
        "external_id": "FP-1",
        "deadline": datetime(2026, 12, 1, 8, 0, 0, 500000, tzinfo=UTC),
        "created": datetime(2026, 11, 1, tzinfo=UTC),
        "risk_rank": 750,
    },
    {  # no account, no times: default SLA from the import's "now"
        "line": {
            "id": "FP-2",
            "channel": "staff",
            "category": "violence",
            "items": [{"kind": "text", "text": ""}],
        },
        "external_id": "FP-2",
        "deadline": NOW + DEFAULT_SLA[3],
        "created": NOW,
        "risk_rank": 1000,
    },
    {  # same account again (its row keeps the first line's flags/score; the rank uses this line's score)
        "line": {
            "id": "FP-3",
            "channel": "staff",
            "category": "violence",
            "priority": 4,
            "sla_minutes": 90,
            "account": {"platform": "photoapp", "handle": "@ana", "risk_score": 0.9},
            "items": [{"kind": "image", "path": "media/scene.jpg"}, {"kind": "link", "url": "u"}],
        },
        "external_id": "FP-3",
        "deadline": NOW + timedelta(minutes=90),
        "created": NOW,
        "risk_rank": 100,
    },
    {  # sla_minutes from a created_at in another zone
        "line": {
            "id": "FP-4",
            "channel": "ü-ńet",
            "category": "violence",
            "priority": 2,
            "sla_minutes": 90,
            "created_at": "2026-11-01T23:30:00-05:00",
            "account": {"platform": "chat", "handle": "@bo", "risk_score": 1},
            "items": [{"kind": "text", "text": "t"}],
        },
        "external_id": "FP-4",
        "deadline": datetime(2026, 11, 2, 6, 0, tzinfo=UTC),
        "created": datetime(2026, 11, 1, 23, 30, tzinfo=MINUS5),
        "risk_rank": 0,
    },
    {  # an explicit deadline without created_at
        "line": {
            "id": "FP-5",
            "channel": "staff",
            "category": "violence",
            "priority": 2,
            "sla_deadline": "2026-12-01T10:00:00-03:00",
            "items": [{"kind": "link", "url": "https://example.org"}],
        },
        "external_id": "FP-5",
        "deadline": datetime(2026, 12, 1, 13, 0, tzinfo=UTC),
        "created": NOW,
        "risk_rank": 1000,
    },
    {  # default SLA from created_at; dates at the ends of the calendar
        "line": {
            "id": "FP-6",
            "channel": "staff",
            "category": "violence",
            "priority": 3,
            "created_at": "0001-01-01T00:00:00Z",
            "items": [{"kind": "text", "text": "x"}],
        },
        "external_id": "FP-6",
        "deadline": datetime(1, 1, 2, tzinfo=UTC),
        "created": datetime(1, 1, 1, tzinfo=UTC),
        "risk_rank": 1000,
    },
    {
        "line": {
            "id": "FP-7",
            "channel": "staff",
            "category": "violence",
            "priority": 2,
            "sla_minutes": 60,
            "created_at": "9999-12-01T00:00:00.000001+02:00",
            "items": [{"kind": "text", "text": "x"}],
        },
        "external_id": "FP-7",
        "deadline": datetime(9999, 11, 30, 23, 0, 0, 1, tzinfo=UTC),
        "created": datetime(9999, 11, 30, 22, 0, 0, 1, tzinfo=UTC),
        "risk_rank": 1000,
    },
]


def _write_file(root: Path, cases: list[dict[str, Any]] = CASES, blank_lines: bool = True) -> Path:
    path = root / "cases.jsonl"
    lines = [json.dumps(c["line"], ensure_ascii=False) for c in cases]
    if blank_lines:
        lines.insert(2, "   ")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _expected_item(root: Path, raw: dict[str, Any]) -> dict[str, Any]:
    path = raw.get("path")
    sha = ext = phash = None
    if path is not None:
        source = (root / path).resolve()
        sha = hashlib.sha256(source.read_bytes()).hexdigest()
        ext = source.suffix.lstrip(".")
        if raw["kind"] == "image":
            hashed = pdq_hash(source)
            phash = hashed[0] if hashed is not None and hashed[1] >= 50 else None
    return {
        "kind": raw["kind"],
        "media_sha256": sha,
        "media_ext": ext,
        "text": raw.get("text"),
        "url": raw.get("url"),
        "phash": phash,
    }


def _read_back(db: Database) -> dict[str, dict[str, Any]]:
    """Every imported field, as the ORM gives it (texts unsealed), by external id."""
    from reviewer.vault.state import vault_in

    out: dict[str, dict[str, Any]] = {}
    with db.read() as s:
        vault = vault_in(s)
        assert vault is None or vault.texts_sealed

        def opened(value: str | None, table: str, column: str, row_id: uuid.UUID) -> str | None:
            assert vault is not None or value is None
            return None if value is None else vault.open_text(value, table, column, row_id.hex)

        cases = s.execute(select(Case).options(selectinload(Case.items))).unique().scalars()
        for c in cases:
            acct = c.account
            out[c.external_id] = {
                "id": c.id,
                "channel": c.channel.code,
                "channel_name": c.channel.name,
                "account": None
                if acct is None
                else (acct.platform, acct.handle, acct.risk_flags, acct.risk_score, acct.created_at),
                "category": c.category,
                "priority": c.priority,
                "sla_deadline": c.sla_deadline,
                "risk_rank": c.risk_rank,
                "status": c.status,
                "tier": c.tier,
                "reporter": c.reporter,
                "report_text": opened(c.report_text, "case", "report_text", c.id),
                "scores": c.scores,
                "created_at": c.created_at,
                "claimed_by": c.claimed_by,
                "claim_expires_at": c.claim_expires_at,
                "items": [
                    {
                        "id": i.id,
                        "position": i.position,
                        "kind": i.kind,
                        "media_sha256": i.media_sha256,
                        "media_ext": i.media_ext,
                        "text": opened(i.text, "item", "text", i.id),
                        "url": i.url,
                        "phash": i.phash,
                    }
                    for i in c.items
                ],
            }
    return out


def _without_ids(cases: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {k: {**v, "id": None, "items": [{**i, "id": None} for i in v["items"]]} for k, v in cases.items()}


def test_every_field_reads_back_through_the_orm(db: Database, tmp_path: Path) -> None:
    _media(tmp_path)
    report = import_file(db, _write_file(tmp_path), now=NOW)
    assert (report.cases, report.items, report.media_files, report.accounts, report.channels) == (
        7,
        12,
        3,
        2,
        3,
    )
    got = _read_back(db)
    assert set(got) == {c["external_id"] for c in CASES}
    for spec in CASES:
        line, row = spec["line"], got[spec["external_id"]]
        assert isinstance(row["id"], uuid.UUID) and row["id"].version == 4
        assert row["channel"] == line["channel"] and row["channel_name"] == line["channel"]
        assert row["category"] == line["category"]
        assert row["priority"] == line.get("priority", 3)
        assert row["sla_deadline"] == spec["deadline"] and row["sla_deadline"].tzinfo is UTC
        assert row["created_at"] == spec["created"] and row["created_at"].tzinfo is UTC
        assert row["risk_rank"] == spec["risk_rank"]
        assert (row["status"], row["tier"], row["claimed_by"], row["claim_expires_at"]) == (
            "open",
            1,
            None,
            None,
        )
        assert row["reporter"] == line.get("reporter", "")
        assert row["report_text"] == line.get("report_text", "")
        assert row["scores"] == {k: float(v) for k, v in line.get("scores", {}).items()}
        assert [i["position"] for i in row["items"]] == list(range(len(line["items"])))
        assert all(isinstance(i["id"], uuid.UUID) and i["id"].version == 4 for i in row["items"])
        expected_items = [_expected_item(tmp_path, raw) for raw in line["items"]]
        assert [
            {k: v for k, v in i.items() if k not in ("id", "position")} for i in row["items"]
        ] == expected_items
    ana = ("photoapp", "@ana", ["repeat", "ü"], 0.25, NOW)  # the first line's flags and score
    assert got["FP-1"]["account"] == ana and got["FP-3"]["account"] == ana
    assert got["FP-4"]["account"] == ("chat", "@bo", [], 1.0, NOW)
    assert got["FP-2"]["account"] is None
    scene = got["FP-1"]["items"][0]
    assert scene["phash"] is not None and len(scene["phash"]) == 64  # textured image: hashed
    assert got["FP-1"]["items"][2]["phash"] is None  # flat image: quality too low
    assert got["FP-1"]["items"][3]["phash"] is None  # video: never hashed
    assert got["FP-3"]["items"][0]["phash"] == scene["phash"]
    assert str(got["FP-1"]["scores"]) == str({"violence": 0.93, 'é"x': 1.0, "zero": -0.0})
    with db.read() as s:
        events = s.execute(select(AuditEvent)).scalars().all()
    assert [(e.kind, json.loads(e.payload)) for e in events] == [
        ("import", {"file": "cases.jsonl", "cases": 7, "items": 12, "media": 3})
    ]
    assert verify(db).ok


def test_the_stored_text_is_what_sqlalchemy_itself_would_bind(db: Database, tmp_path: Path) -> None:
    dialect = db.engine.dialect
    assert isinstance(dialect, sqlite.dialect)

    def bind(column: Any, value: Any) -> Any:
        """What SQLAlchemy hands the driver for ``value`` in ``column`` (its type, as this dialect runs it)."""
        proc = column.type.dialect_impl(dialect).bind_processor(dialect)
        return proc(value) if proc else value

    moments = [
        datetime(2026, 12, 1, 10, 0, tzinfo=PLUS2),
        datetime(2026, 12, 1, 10, 0, 0, 1, tzinfo=MINUS5),
        datetime(1, 1, 1, 0, 0, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=5, minutes=45))),
    ]
    for moment in moments:
        assert parsing.utc_text(moment) == bind(Case.__table__.c.sla_deadline, moment)
        assert parsing.utc_text(moment) == bind(Account.__table__.c.created_at, moment)
    for scores in [
        {},
        {"a": 0.5},
        {"a": 0.0},
        {"a": -0.0},
        {'é"\n\\': 1.0, "b": 1e-07},
        {"\u2028": 0.3333333333333333},
    ]:
        for _ in range(2):  # the second time from the cache
            assert parsing.scores_json(scores) == bind(Case.__table__.c.scores, scores)
    for flags in [[], ["repeat"], ["ü", 'q"uote']]:
        assert parsing.flags_json(flags) == bind(Account.__table__.c.risk_flags, flags)
    ids = list(writing.sorted_uuid4_hex(2500))
    assert ids == sorted(ids) and len(set(ids)) == 2500
    for hex_id in ids[:50] + [next(import_ids.uuid4_hex_stream()) for _ in range(10)]:
        as_uuid = uuid.UUID(hex=hex_id)
        assert as_uuid.version == 4 and as_uuid.variant == uuid.RFC_4122
        assert bind(Case.__table__.c.id, as_uuid) == hex_id

    # And in the file: the raw text of an imported row equals the ORM's binding of what it reads back.
    _media(tmp_path)
    import_file(db, _write_file(tmp_path), now=NOW)
    with db.read() as s:
        conn = s.connection()
        for case in s.execute(select(Case)).unique().scalars():
            raw = conn.exec_driver_sql(
                'SELECT id, channel_id, sla_deadline, created_at, scores FROM "case" WHERE external_id = ?',
                (case.external_id,),
            ).one()
            table = Case.__table__.c
            assert raw == (
                bind(table.id, case.id),
                bind(table.channel_id, case.channel_id),
                bind(table.sla_deadline, case.sla_deadline),
                bind(table.created_at, case.created_at),
                bind(table.scores, case.scores),
            )


def test_the_generic_core_path_writes_the_same_cases(db: Database, tmp_path: Path, monkeypatch) -> None:
    _media(tmp_path)
    source = _write_file(tmp_path)
    import_file(db, source, now=NOW)
    fast = _read_back(db)
    other = Database(db.url.replace("test.sqlite3", "other.sqlite3"))
    try:
        from reviewer.models import Base

        Base.metadata.create_all(other.write_engine)
        real = writing.sink_for
        monkeypatch.setattr("reviewer.importing.importer.sink_for", lambda session, vault: real(session, vault, fast=False))
        import_file(other, source, now=NOW)
        generic = _read_back(other)
    finally:
        other.dispose()
    assert _without_ids(generic) == _without_ids(fast)


def test_queue_order_and_decisions_work_on_imported_cases(
    db: Database, tmp_path: Path, reviewer_row, pack
) -> None:
    _media(tmp_path)
    import_file(db, _write_file(tmp_path), now=NOW)
    got = _read_back(db)
    expected = sorted(got.values(), key=lambda r: (r["priority"], r["sla_deadline"], r["risk_rank"], r["id"]))
    with db.read() as s:
        page = fetch_page(s, QueueFilter())
    assert [r.id for r in page] == [r["id"] for r in expected]
    first = page[0]
    assert first.external_id == "FP-1" and first.account_handle == "@ana"
    assert first.risk_flags == ("repeat", "ü") and first.item_kinds == (
        "image",
        "text",
        "image",
        "video",
        "link",
    )
    assert first.sla_deadline == datetime(2026, 12, 1, 8, 0, 0, 500000, tzinfo=UTC)
    result = record_decision(db, case_id=first.id, reviewer=reviewer_row, action="keep")
    assert result.case_status == "decided"
    with db.read() as s:
        page = fetch_page(s, QueueFilter())
        assert first.id not in [r.id for r in page]
        assert s.get(Case, first.id).status == "decided"  # type: ignore[union-attr]
    assert verify(db).ok


def test_ids_follow_the_file_so_tied_cases_keep_file_order(db: Database, tmp_path: Path) -> None:
    rows = [
        {
            "id": f"T-{n}",
            "channel": "c",
            "category": "violence",
            "sla_deadline": "2026-12-01T00:00:00Z",
            "items": [{"kind": "text", "text": str(n)}, {"kind": "link", "url": "u"}],
        }
        for n in range(30)
    ]
    path = tmp_path / "tied.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    import_file(db, path, now=NOW)
    with db.read() as s:
        page = fetch_page(s, QueueFilter())
        items = s.execute(select(Item.id, Item.case_id).order_by(Item.id)).all()
    assert [r.external_id for r in page] == [f"T-{n}" for n in range(30)]
    case_order = [r.id for r in page]
    assert [case_id for _, case_id in items] == [c for c in case_order for _ in range(2)]


def test_parallel_validation_finds_every_error_across_ranges(
    db: Database, tmp_path: Path, monkeypatch
) -> None:
    """Tiny ranges and worker processes: line numbers, duplicates across ranges, then a clean import."""
    monkeypatch.setattr(parsing, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parsing, "CHUNK_BYTES", 700)
    monkeypatch.setattr(parsing, "_workers", lambda: 2)
    contexts: list[Any] = []
    real_context = parsing._pool_context
    monkeypatch.setattr(parsing, "_pool_context", lambda: contexts.append(real_context()) or contexts[-1])
    _media(tmp_path)
    lines = [json.dumps(c["line"]).encode() for c in CASES]
    bad = [
        *lines[:3],
        b'{"id": "broken"',
        lines[0],  # duplicate of line 1, in another range
        b"\xff not UTF-8",
        json.dumps(
            {**CASES[1]["line"], "id": "P-9", "items": [{"kind": "image", "path": "../x.jpg"}]}
        ).encode(),
        *lines[3:],
    ]
    path = tmp_path / "cases.jsonl"
    path.write_bytes(b"\n".join(bad) + b"\n")
    assert len(parsing.split_ranges(path, parsing.CHUNK_BYTES)) > 3
    with pytest.raises(ImportFailed) as info:
        import_file(db, path, now=NOW)
    errors = info.value.errors
    assert [e.split(":")[0] for e in errors] == ["line 4", "line 5", "line 6", "line 7"]
    assert "duplicate case id 'FP-1' (first on line 1)" in errors[1]
    assert "UTF-8" in errors[2] and "escapes the media folder" in errors[3]
    assert _read_back(db) == {}
    assert contexts and contexts[0] is not None  # worker processes did the validating

    path.write_bytes(b"\n".join(lines) + b"\n")
    import_file(db, path, now=NOW)
    parallel = _read_back(db)
    monkeypatch.setattr(parsing, "PARALLEL_MIN_BYTES", 1 << 40)
    assert set(parallel) == {c["external_id"] for c in CASES}
    for spec in CASES:
        assert parallel[spec["external_id"]]["sla_deadline"] == spec["deadline"]


def test_bulk_mode_rebuilds_the_same_indexes_and_a_failure_keeps_them(
    db: Database, tmp_path: Path, monkeypatch
) -> None:
    """Plain indexes set aside for a big import come back identical; a failed import leaves them as they
    were, writes nothing, and the connection's page cache size is restored either way."""
    monkeypatch.setattr(writing, "DEFER_INDEXES_MIN_ROWS", 1)

    def schema() -> list[tuple[str, str]]:
        with db.read() as s:
            return list(
                s.connection().exec_driver_sql(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
                )
            )

    def cache_sizes() -> set[tuple[int, int]]:  # the page cache and the sorter's helper threads
        sizes = set()
        for _ in range(3):
            with db.write() as s:
                pragma = s.connection().exec_driver_sql
                sizes.add((pragma("PRAGMA cache_size").scalar_one(), pragma("PRAGMA threads").scalar_one()))
        return sizes

    before, cache_before = schema(), cache_sizes()
    _media(tmp_path)
    source = _write_file(tmp_path)

    real_write = writing.SqliteSink.write

    def failing_write(self, *args: Any, **kwargs: Any) -> None:
        real_write(self, *args, **kwargs)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(writing.SqliteSink, "write", failing_write)
    with pytest.raises(RuntimeError, match="disk on fire"):
        import_file(db, source, now=NOW)
    assert schema() == before and _read_back(db) == {} and cache_sizes() == cache_before
    assert not any(p.is_file() for p in db.media_dir.rglob("*")) if db.media_dir.exists() else True

    monkeypatch.setattr(writing.SqliteSink, "write", real_write)
    statements: list[str] = []
    db.write_engine.dispose()  # fresh connections from here, each traced
    event.listen(db.write_engine, "connect", lambda c, _r: c.set_trace_callback(statements.append))
    import_file(db, source, now=NOW)
    assert schema() == before and cache_sizes() == cache_before
    # The rebuild sorts in small runs with helper threads, and only the rebuild does.
    rebuilt = [k for k, sql in enumerate(statements) if sql.startswith("CREATE INDEX")]
    assert rebuilt
    settings = [k for k, sql in enumerate(statements) if sql == f"PRAGMA threads = {writing.REBUILD_THREADS}"]
    cache = [k for k, sql in enumerate(statements) if sql == f"PRAGMA cache_size = -{writing.REBUILD_CACHE_KIB}"]
    assert len(settings) == len(cache) == 1 and settings[0] < rebuilt[0] and cache[0] < rebuilt[0]
    assert not any(sql.startswith("INSERT") for sql in statements[cache[0] : rebuilt[-1]])
    assert len(_read_back(db)) == len(CASES)
    with db.read() as s:
        assert s.connection().exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"


def test_dates_at_the_end_of_the_calendar_are_still_refused(db: Database, tmp_path: Path) -> None:
    base = {"channel": "c", "category": "violence", "items": [{"kind": "text", "text": "t"}]}
    rows = [
        {**base, "id": "E-1", "created_at": "9999-12-31T00:00:00Z"},  # + default SLA overflows
        {**base, "id": "E-2", "created_at": "9999-12-31T20:00:00-05:00"},  # to UTC overflows
        {**base, "id": "E-3", "sla_deadline": "0001-01-01T00:00:00+01:00"},
        {**base, "id": "E-4", "created_at": "9999-10-03T00:00:00Z", "sla_minutes": 60 * 24 * 90},
        {**base, "id": "E-5", "created_at": "9999-12-01T00:00:00Z", "sla_minutes": 60},  # fine
    ]
    path = tmp_path / "edge.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(ImportFailed) as info:
        import_file(db, path, now=NOW)
    assert [e.split(":")[0] for e in info.value.errors] == ["line 1", "line 2", "line 3", "line 4"]
    assert all("date out of range" in e for e in info.value.errors)
    with db.read() as s:
        assert s.execute(select(Channel)).first() is None


def test_ids_of_each_range_stay_in_its_own_slice_and_ascend_across_ranges() -> None:
    slots = 7
    drawn = [import_ids.ascending_uuid4_hex(300, slot, slots) for slot in range(slots)]
    joined = [i for ids in drawn for i in ids]
    assert joined == sorted(joined) and len(set(joined)) == len(joined)
    for slot, ids in enumerate(drawn):
        low, high = (slot << 32) // slots, ((slot + 1) << 32) // slots
        assert all(low <= int(i[:8], 16) < high for i in ids)
    for hex_id in joined[::50]:
        as_uuid = uuid.UUID(hex=hex_id)
        assert as_uuid.version == 4 and as_uuid.variant == uuid.RFC_4122
    assert import_ids.ascending_uuid4_hex(0, 2, 3) == []
    with pytest.raises(ValueError):
        import_ids.ascending_uuid4_hex(1, 3, 3)


def test_workers_started_without_fork_seal_with_keys_sent_over_the_pipe(
    db: Database, tmp_path: Path, monkeypatch
) -> None:
    """forkserver workers (what a process with threads, like the window, gets) inherit nothing: the
    sealer's keys reach them pickled over the pool's pipe. Texts open in their rows, terms are the vault's,
    ids ascend in file order."""
    import multiprocessing

    from reviewer.models import CaseTerm
    from reviewer.vault.state import vault_in

    monkeypatch.setattr(parsing, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parsing, "CHUNK_BYTES", 300)
    monkeypatch.setattr(parsing, "_workers", lambda: 2)
    monkeypatch.setattr(parsing, "_pool_context", lambda: multiprocessing.get_context("forkserver"))
    _media(tmp_path)
    path = _write_file(tmp_path)
    assert len(parsing.split_ranges(path, parsing.CHUNK_BYTES)) > 3
    import_file(db, path, now=NOW)
    got = _read_back(db)
    assert {k: v["report_text"] for k, v in got.items()} == {
        c["external_id"]: c["line"].get("report_text", "") for c in CASES
    }
    in_file_order = [got[c["external_id"]]["id"] for c in CASES]
    assert in_file_order == sorted(in_file_order)
    with db.read() as s:
        vault = vault_in(s)
        assert vault is not None
        stored = {(t, c) for t, c in s.execute(select(CaseTerm.term, CaseTerm.case_id))}
    want = {(t, v["id"]) for v in got.values() for t in vault.terms(v["report_text"] or "")}
    assert stored == want and want
