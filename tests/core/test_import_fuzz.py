"""Fuzzing the JSON Lines importer with hostile files: all or nothing, every error on its line, no escape.

Each example is one generated file mixing valid case lines with hostile ones — wrong types, missing and
unknown fields, lines up to ~2 MB, invalid UTF-8, non-JSON, JSON that is not an object, deeply nested
garbage, duplicate ids, and media paths that try to leave the media folder (``..``, absolute paths,
``media/../../…``, symlinks to files and folders outside, symlink loops, NUL bytes, 1 KB paths, ``C:\\x``,
``~/.ssh/id_rsa``). Every example gets its own copy of the migrated template database.

Properties checked for every example:

* a file without a bad line imports every valid case (counts of case/item/account/channel/audit rows
  and the media store match what the file holds);
* a file with any bad line raises ImportFailed and writes nothing: the same five row counts before and
  after, and the media store stays empty;
* every bad line is named ("line N: …") and no error names a good line;
* no file outside the media root is ever opened.

How "never opened" is enforced: a PEP 578 audit hook (``sys.addaudithook``) sees the ``open`` event of
*every* Python-level file open — ``open``, ``io.open``, ``Path.open``, ``os.open``, ``shutil`` — no matter
which module or alias does it, so it cannot be dodged the way a monkeypatched ``builtins.open`` can (a
module that did ``from os import open`` or uses ``Path.read_bytes`` would bypass the patch). While an
import runs, every opened path is recorded; afterwards each must lie inside the media root or the
database's media store (Python's own module files aside). SQLite opens its files in C and is not seen,
which is right: it only opens the database. Sentinel "secret" files sit beside the root and real
symlinks point at them, so a resolver bug would show up as an open of a sentinel.

EXAMPLES (300) examples run per test run; the test asserts that number and prints it.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from reviewer.importing.importer import MAX_LINE_BYTES, ImportFailed, import_file
from reviewer.models import Account, AuditEvent, Case, Channel, Item
from reviewer.paths import sqlite_url
from reviewer.policy import CATEGORIES
from reviewer.storage.database import Database
from reviewer.storage.migrate import open_database

EXAMPLES = 300
TABLES = {"case": Case, "item": Item, "account": Account, "channel": Channel, "audit_event": AuditEvent}

# -- watching every file the importer opens ---------------------------------------------------------

_opened: list[str] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and _opened is not None and isinstance(args[0], str | bytes | os.PathLike):
        _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)  # hooks cannot be removed; this one only records while _opened is a list

_PY_FILES = (".py", ".pyc", ".so", ".pth", ".json", ".typed")
_PY_ROOTS = tuple({str(Path(p).resolve()) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)})


def _python_internal(path: str) -> bool:
    """A lazily imported module (pydantic and friends) — not something a case line could name."""
    resolved = str(Path(path).resolve())
    return resolved.startswith(_PY_ROOTS) and resolved.endswith(_PY_FILES)


# -- the hostile world around the media root ----------------------------------------------------------


def _build_world(work: Path) -> tuple[Path, Path]:
    """``work/root`` is the media root (import file + media/); ``work/outside`` holds sentinel secrets."""
    root, outside = work / "root", work / "outside"
    (root / "media" / "sub").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.jpg").write_bytes(b"\xff\xd8SECRET-OUTSIDE-THE-ROOT")
    (outside / "id_rsa").write_bytes(b"-----BEGIN OPENSSH PRIVATE KEY-----")
    (root / "media" / "a.jpg").write_bytes(b"\xff\xd8\xff\xe0 image a")
    (root / "media" / "b.png").write_bytes(b"\x89PNG\r\n\x1a\n image b")
    (root / "media" / "sub" / "c.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 video c")
    (root / "media" / "inside_link.jpg").symlink_to("a.jpg")
    (root / "media" / "out_link.jpg").symlink_to(outside / "secret.jpg")
    (root / "media" / "rel_out_link.jpg").symlink_to("../../outside/secret.jpg")
    (root / "media" / "dirlink").symlink_to(outside, target_is_directory=True)
    (root / "media" / "loop1").symlink_to("loop2")
    (root / "media" / "loop2").symlink_to("loop1")
    return root, outside


# Paths that name a real file inside the root (with its bytes), and paths that must always be refused.
GOOD_PATHS = {
    "media/a.jpg": "a.jpg",
    "./media/a.jpg": "a.jpg",
    "media/sub/../a.jpg": "a.jpg",
    "media/inside_link.jpg": "a.jpg",
    "media/b.png": "b.png",
    "media//b.png": "b.png",
    "media/sub/c.mp4": "sub/c.mp4",
}
ESCAPES = [
    "../x.jpg",
    "../outside/secret.jpg",
    "../../outside/secret.jpg",
    "media/../../outside/secret.jpg",
    "media/../../etc/passwd",
    "media/../../../../../../../../etc/passwd",
    "/etc/passwd",
    "/etc/shadow",
    "//etc/passwd",
    "{outside}/secret.jpg",
    "{outside}/id_rsa",
    "media/out_link.jpg",
    "media/rel_out_link.jpg",
    "media/dirlink/secret.jpg",
    "media/dirlink/../outside/id_rsa",
    "media/loop1",
    "media/a.jpg\x00.png",
    "\x00",
    "media/" + "a" * 1000,
    "/".join(["b" * 250] * 4),
    "a/" * 500,
    "C:\\x.jpg",
    "C:\\Windows\\System32\\config\\SAM",
    "\\\\server\\share\\x.jpg",
    "..\\..\\outside\\secret.jpg",
    "~/.ssh/id_rsa",
    "~root/.ssh/id_rsa",
    "file:///etc/passwd",
    "%2e%2e/outside/secret.jpg",
    "media",
    ".",
    "media/",
    "media/missing.jpg",
    "/proc/self/environ",
    "/dev/zero",
]

# -- strategies -----------------------------------------------------------------------------------------

short_text = st.text(max_size=40)
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)).flatmap(
    lambda d: st.integers(-14 * 60, 14 * 60).map(lambda m: d.replace(tzinfo=timezone(timedelta(minutes=m))))
)


@st.composite
def valid_cases(draw: st.DrawFn) -> dict[str, Any]:
    """A case the importer must accept (its id is filled in later, unique per file)."""
    case: dict[str, Any] = {
        "channel": draw(st.sampled_from(["partner", "media", "staff", "user", "ü-ńet"])),
        "category": draw(st.sampled_from(CATEGORIES)),
    }
    if draw(st.booleans()):
        case["priority"] = draw(st.integers(1, 4))
    sla = draw(st.sampled_from(["none", "minutes", "deadline"]))
    if sla == "minutes":
        case["sla_minutes"] = draw(st.integers(1, 60 * 24 * 90))
    elif sla == "deadline":
        case["sla_deadline"] = draw(moments).isoformat()
    if draw(st.booleans()):
        case["created_at"] = draw(moments).isoformat()
    if draw(st.booleans()):
        case["account"] = {
            "platform": draw(st.sampled_from(["photoapp", "chat", "vidz"])),
            "handle": draw(st.text(min_size=1, max_size=12)),
            "risk_flags": draw(st.lists(st.text(min_size=1, max_size=10), max_size=3)),
            "risk_score": draw(st.floats(0.0, 1.0)),
        }
    if draw(st.booleans()):
        case["reporter"] = draw(short_text)
    if draw(st.booleans()):
        case["report_text"] = draw(st.text(max_size=200))
    case["items"] = draw(
        st.lists(
            st.one_of(
                st.builds(lambda t: {"kind": "text", "text": t}, st.text(max_size=80)),
                st.builds(lambda u: {"kind": "link", "url": u}, st.text(min_size=1, max_size=40)),
                st.builds(
                    lambda k, p: {"kind": k, "path": p},
                    st.sampled_from(["image", "video"]),
                    st.sampled_from(sorted(GOOD_PATHS)),
                ),
            ),
            min_size=1,
            max_size=4,
        )
    )
    if draw(st.booleans()):
        case["scores"] = draw(
            st.dictionaries(st.text(min_size=1, max_size=10), st.floats(0.0, 1.0), max_size=4)
        )
    return case


# Values that a strict schema must refuse for each field.
WRONG = {
    "id": [5, 1.5, None, True, [], {}, "", "x" * 129],
    "channel": [None, 7, "", "c" * 33, ["partner"]],
    "category": ["not-a-category", 3, None, "", "VIOLENCE "],
    "priority": ["1", 0, 5, 2.0, True, None, -1, 10**40],
    "sla_minutes": [0, -5, "60", 60.5, 10**9],
    "sla_deadline": ["tomorrow", "2026-01-01T00:00:00", 1700000000, "9999-12-31T23:59:59-14:00"],
    "created_at": ["yesterday", "2026-13-01T00:00:00Z", "0001-01-01T00:00:00+14:00", []],
    "account": ["@someone", [], {"platform": "p"}, {"platform": "p", "handle": "h", "risk_score": 2}],
    "reporter": [5, None, "r" * 257],
    "report_text": [["a"], 1, "t" * 50_001],
    "items": [[], {}, "media/a.jpg", [{"kind": "image"}], [{"kind": "text", "text": "t"}] * 51, [None]],
    "scores": [[], {"v": 1.5}, {"v": "0.5"}, {"": 0.5}, {"v": -0.1}, 0.5],
}
REQUIRED = ["id", "channel", "category", "items"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@dataclass
class Line:
    kind: str
    case: dict[str, Any] | None = None  # a case dict whose id is assigned later
    raw: bytes | None = None  # finished bytes (ids are irrelevant)
    mutate: str = ""  # how a case dict is spoiled, applied once the id is set
    param: Any = None


def _dumps(case: dict[str, Any], ascii_only: bool) -> bytes:
    return json.dumps(case, ensure_ascii=ascii_only).encode("utf-8")


@st.composite
def bad_lines(draw: st.DrawFn) -> Line:
    kind = draw(
        st.sampled_from(
            [
                "wrong_type",
                "missing",
                "unknown",
                "huge",
                "too_long_text",
                "bad_utf8",
                "not_json",
                "not_object",
                "nested",
                "deep",
                "duplicate",
                "escape",
                "random_path",
            ]
        )
    )
    case = draw(valid_cases())
    if kind == "wrong_type":
        field = draw(st.sampled_from(sorted(WRONG)))
        return Line(kind, case, mutate="set", param=(field, draw(st.sampled_from(WRONG[field]))))
    if kind == "missing":
        return Line(kind, case, mutate="drop", param=draw(st.sampled_from(REQUIRED)))
    if kind == "unknown":
        name = draw(st.text(min_size=1, max_size=12).filter(lambda k: k not in {"id", *case, *WRONG}))
        return Line(kind, case, mutate="set", param=(name, draw(json_values)))
    if kind == "huge":  # past the line limit: refused without being held whole
        return Line(
            kind, case, mutate="set", param=("report_text", "x" * draw(st.integers(MAX_LINE_BYTES, 2 << 20)))
        )
    if kind == "too_long_text":  # under the line limit, over a field limit
        return Line(kind, case, mutate="set", param=("report_text", "é" * draw(st.integers(50_001, 300_000))))
    if kind == "bad_utf8":
        junk = draw(
            st.sampled_from(
                [b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf8\x88\x80\x80\x80", b"\x80"]
            )
        )
        return Line(kind, case, mutate="bytes", param=(draw(st.floats(0, 1)), junk))
    if kind == "not_json":
        raw = draw(st.binary(min_size=1, max_size=200)).replace(b"\n", b" ")
        try:
            if not raw.decode("utf-8").strip():
                raw = b"?" + raw
        except UnicodeDecodeError:
            pass
        return Line(kind, raw=raw)
    if kind == "not_object":
        value = draw(json_values.filter(lambda v: not isinstance(v, dict)))
        return Line(kind, raw=json.dumps(value).encode())
    if kind == "nested":  # valid keys, garbage values
        garbage = draw(st.dictionaries(st.sampled_from(sorted(WRONG)), json_values, min_size=1, max_size=5))
        garbage["items"] = draw(json_values.filter(lambda v: not isinstance(v, list)))
        return Line(kind, raw=json.dumps(garbage).encode())
    if kind == "deep":
        depth = draw(st.integers(100, 100_000))
        return Line(kind, raw=b'{"id": ' + b"[" * depth + b"]" * depth + b"}")
    if kind == "duplicate":
        return Line(kind, case)
    path = draw(st.sampled_from(ESCAPES)) if kind == "escape" else draw(st.text(min_size=1, max_size=30))
    item = {"kind": draw(st.sampled_from(["image", "video"])), "path": path}
    return Line(kind, case, mutate="item", param=(draw(st.integers(0, len(case["items"]))), item))


good_lines = st.one_of(
    valid_cases().map(lambda c: Line("valid", c)),
    st.sampled_from([b"", b"   ", b"\t\r", b" \r"]).map(lambda b: Line("blank", raw=b)),
    # a big but acceptable case: many items of long text
    st.integers(5, 16).map(
        lambda n: Line(
            "big_valid",
            {
                "channel": "partner",
                "category": CATEGORIES[0],
                "items": [{"kind": "text", "text": "y" * 49_000}] * n,
            },
        )
    ),
)


@st.composite
def files(draw: st.DrawFn) -> tuple[list[Line], bool, bool]:
    """(lines, ascii-only JSON?, newline after the last line?) — at least one bad line in about half."""
    lines = draw(st.lists(good_lines, max_size=12))
    if draw(st.booleans()):
        for bad in draw(st.lists(bad_lines(), min_size=1, max_size=4)):
            lines.insert(draw(st.integers(0, len(lines))), bad)
    return lines, draw(st.booleans()), draw(st.booleans())


def _render(
    lines: list[Line], ascii_only: bool, outside: Path
) -> tuple[list[bytes], dict[int, dict[str, Any]], set[int]]:
    """Bytes per line, the valid cases by line number, and the line numbers that must be reported."""
    rendered: list[bytes] = []
    valid: dict[int, dict[str, Any]] = {}
    bad: set[int] = set()
    for number, line in enumerate(lines, start=1):
        if line.case is None:
            assert line.raw is not None
            rendered.append(line.raw)
            if line.kind != "blank":
                bad.add(number)
            continue
        case = dict(line.case)
        if line.kind == "duplicate" and valid:
            case["id"] = valid[min(valid)]["id"]
        else:
            case = {"id": f"C-{number}", **case}
        if line.mutate == "set":
            case[line.param[0]] = line.param[1]
        elif line.mutate == "drop":
            del case[line.param]
        elif line.mutate == "item":
            position, item = line.param
            item = {**item, "path": item["path"].replace("{outside}", str(outside))}
            case["items"] = [*case["items"][:position], item, *case["items"][position:]][:50]
        raw = _dumps(case, ascii_only)
        if line.mutate == "bytes":
            at = int(line.param[0] * len(raw))
            raw = raw[:at] + line.param[1] + raw[at:]
        rendered.append(raw)
        if line.kind in ("valid", "big_valid") or (line.kind == "duplicate" and case["id"] == f"C-{number}"):
            valid[number] = case  # a "duplicate" drawn before any valid line is just a valid line
        else:
            bad.add(number)
    return rendered, valid, bad


def _counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {
            name: s.execute(select(func.count()).select_from(m)).scalar_one() for name, m in TABLES.items()
        }


def _store_listing(db: Database) -> list[str]:
    if not db.media_dir.exists():
        return []
    return sorted(str(p.relative_to(db.media_dir)) for p in db.media_dir.rglob("*"))


def test_hostile_import_files_write_all_or_nothing(tmp_path: Path, _template_db: Path) -> None:
    global _opened
    runs = {"n": 0, "imported": 0, "refused": 0, "bad_lines": 0}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )
    @given(spec=files())
    def run(spec: tuple[list[Line], bool, bool]) -> None:
        global _opened
        lines, ascii_only, final_newline = spec
        runs["n"] += 1
        work = tmp_path / f"ex{runs['n']}"
        work.mkdir()
        root, outside = _build_world(work)
        rendered, valid, bad = _render(lines, ascii_only, outside)
        source = root / "cases.jsonl"
        source.write_bytes(b"\n".join(rendered) + (b"\n" if final_newline and rendered else b""))
        db_file = work / "db.sqlite3"
        shutil.copyfile(_template_db, db_file)
        db = open_database(sqlite_url(db_file))
        try:
            before, store_before = _counts(db), _store_listing(db)
            _opened = []
            try:
                report = import_file(db, source, media_root=root, actor="fuzz")
            except ImportFailed as exc:
                failure: ImportFailed | None = exc
            else:
                failure = None
            finally:
                opened, _opened = _opened, None

            allowed = (root.resolve(), db.media_dir.resolve())
            for path in opened:
                target = Path(path).resolve()
                assert any(target.is_relative_to(a) for a in allowed) or _python_internal(path), (
                    f"opened a file outside the media root: {path!r}"
                )

            after = _counts(db)
            if bad:
                assert failure is not None, f"bad lines {sorted(bad)} were accepted"
                assert after == before, "a refused import wrote rows"
                assert _store_listing(db) == store_before, "a refused import left media behind"
                named = {int(e.split(":", 1)[0].removeprefix("line ")) for e in failure.errors}
                assert all(e.startswith("line ") for e in failure.errors)
                assert named == bad, f"errors name lines {sorted(named)}, bad lines are {sorted(bad)}"
                assert failure.total_errors >= len(bad)
                runs["refused"] += 1
                runs["bad_lines"] += len(bad)
            else:
                assert failure is None, f"a clean file was refused: {failure and failure.errors[:3]}"
                items = sum(len(c["items"]) for c in valid.values())
                accounts = {
                    (c["account"]["platform"], c["account"]["handle"])
                    for c in valid.values()
                    if "account" in c
                }
                channels = {c["channel"] for c in valid.values()}
                media = {GOOD_PATHS[i["path"]] for c in valid.values() for i in c["items"] if "path" in i}
                assert (report.cases, report.items, report.media_files) == (len(valid), items, len(media))
                assert after["case"] - before["case"] == len(valid)
                assert after["item"] - before["item"] == items
                assert after["account"] - before["account"] == len(accounts)
                assert after["channel"] - before["channel"] == len(channels)
                assert after["audit_event"] - before["audit_event"] == 1
                assert len([p for p in _store_listing(db) if "/" in p]) == len(media)
                with db.read() as s:
                    stored = set(s.execute(select(Case.external_id)).scalars())
                assert stored == {c["id"].strip() for c in valid.values()}
                runs["imported"] += 1
        finally:
            db.dispose()
            shutil.rmtree(work)

    run()
    print(
        f"\nimport fuzz: {runs['n']} examples — {runs['imported']} clean files imported whole, "
        f"{runs['refused']} hostile files refused ({runs['bad_lines']} bad lines), nothing written"
    )
    assert runs["n"] >= EXAMPLES
    assert runs["imported"] > EXAMPLES // 5 and runs["refused"] > EXAMPLES // 5


def test_the_open_spy_sees_a_read_outside_the_root(tmp_path: Path) -> None:
    """The audit hook is only proof if it notices the thing it guards against."""
    global _opened
    secret = tmp_path / "secret"
    secret.write_text("s")
    _opened = []
    try:
        secret.read_text()
        os.close(os.open(secret, os.O_RDONLY))
        with open(secret, "rb"):
            pass
    finally:
        opened, _opened = _opened, None
    assert opened.count(str(secret)) == 3


def test_a_symlink_swapped_in_after_parsing_cannot_escape(tmp_path: Path, db: Database) -> None:
    """resolve_media runs again at write time, so a path swapped for an escaping symlink is refused."""
    import reviewer.importing.importer as importer

    root, outside = _build_world(tmp_path / "w")
    source = root / "cases.jsonl"
    source.write_text(
        json.dumps(
            {
                "id": "S-1",
                "channel": "c",
                "category": CATEGORIES[0],
                "items": [{"kind": "image", "path": "media/b.png"}],
            }
        )
        + "\n"
    )
    real_parse = importer.parse_file

    def parse_then_swap(path: Path, media_root: Path) -> Any:
        parsed = real_parse(path, media_root)
        (root / "media" / "b.png").unlink()
        (root / "media" / "b.png").symlink_to(outside / "secret.jpg")
        return parsed

    before = _counts(db)
    importer.parse_file = parse_then_swap  # type: ignore[assignment]
    try:
        try:
            import_file(db, source, media_root=root, now=datetime.now(UTC))
        except (ImportFailed, ValueError) as exc:
            assert "escapes" in str(exc) or "escapes" in " ".join(getattr(exc, "errors", []))
        else:
            raise AssertionError("the swapped symlink was followed")
    finally:
        importer.parse_file = real_parse  # type: ignore[assignment]
    assert _counts(db) == before
    assert _store_listing(db) == []
