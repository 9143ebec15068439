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

import importlib
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
from PIL import Image
from sqlalchemy import func, select

import reviewer
from reviewer.audit import sidecar_path
from reviewer.importing.importer import MAX_LINE_BYTES, ImportFailed, import_file
from reviewer.models import Account, AuditEvent, Case, Channel, Item
from reviewer.paths import data_dir, sqlite_url
from reviewer.policy import CATEGORIES
from reviewer.storage.database import Database
from reviewer.vault.opening import ensure_vault

EXAMPLES = 300
TABLES = {"case": Case, "item": Item, "account": Account, "channel": Channel, "audit_event": AuditEvent}

# -- watching every file the importer opens ---------------------------------------------------------

_opened: list[str] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and _opened is not None and isinstance(args[0], str | bytes | os.PathLike):
        _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)  # hooks cannot be removed; this one only records while _opened is a list

_PY_FILES = (".py", ".pyc", ".so", ".pth", ".json", ".typed")
# The interpreter's and the app's own code (its source may be read for a traceback or a warning).
_PY_ROOTS = tuple(
    {str(Path(p).resolve()) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    | {str(Path(reviewer.__file__).resolve().parent) + os.sep}
    | {str(Path(p).resolve()) + os.sep for p in importlib.import_module("reviewer_resources").__path__}
)
# The app's own resources (policy packs, response templates: read once, on first use).
_APP_RESOURCES = tuple(
    str(Path(p).resolve()) + os.sep for p in importlib.import_module("reviewer_resources").__path__
)


def _python_internal(path: str) -> bool:
    """A lazily imported module (pydantic and friends) or one of the app's own resource files — not
    something a case line could name."""
    resolved = str(Path(path).resolve())
    return (resolved.startswith(_PY_ROOTS) and resolved.endswith(_PY_FILES)) or resolved.startswith(
        _APP_RESOURCES
    )


# -- the hostile world around the media root ----------------------------------------------------------


def _build_world(work: Path) -> tuple[Path, Path]:
    """``work/root`` is the media root (import file + media/); ``work/outside`` holds sentinel secrets."""
    root, outside = work / "root", work / "outside"
    (root / "media" / "sub").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.jpg").write_bytes(b"\xff\xd8SECRET-OUTSIDE-THE-ROOT")
    (outside / "id_rsa").write_bytes(b"-----BEGIN OPENSSH PRIVATE KEY-----")
    # Real images (media are checked by content at import); the video only needs its container's magic.
    Image.new("RGB", (8, 6), "red").save(root / "media" / "a.jpg", "JPEG")
    Image.new("RGB", (6, 8), "blue").save(root / "media" / "b.png", "PNG")
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


def _kind_of(path: str) -> str:
    return "video" if path.endswith(".mp4") else "image"


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

# Strategies are built once at import: hypothesis re-derives a strategy's properties whenever it meets a
# new strategy object, which costs more than drawing from it.
moments = st.builds(
    lambda d, minutes: d.replace(tzinfo=timezone(timedelta(minutes=minutes))),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    st.integers(-14 * 60, 14 * 60),
).map(datetime.isoformat)


def _text(**kwargs: Any) -> st.SearchStrategy[str]:
    """Any text but NUL (a NUL anywhere makes a line bad: the "nul" kind of bad line)."""
    return st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), **kwargs)


ITEMS = st.lists(
    st.one_of(
        st.builds(lambda t: {"kind": "text", "text": t}, _text(max_size=30)),
        st.builds(lambda u: {"kind": "link", "url": u}, _text(min_size=1, max_size=20)),
        st.sampled_from(sorted(GOOD_PATHS)).map(lambda p: {"kind": _kind_of(p), "path": p}),
    ),
    min_size=1,
    max_size=3,
)
ACCOUNTS = st.fixed_dictionaries(
    {
        "platform": st.sampled_from(["photoapp", "chat", "vidz"]),
        "handle": _text(min_size=1, max_size=12),
        "risk_flags": st.lists(_text(min_size=1, max_size=8), max_size=2),
        "risk_score": st.floats(0.0, 1.0),
    }
)
SLA = st.one_of(
    st.just({}),
    st.integers(1, 60 * 24 * 90).map(lambda m: {"sla_minutes": m}),
    moments.map(lambda d: {"sla_deadline": d}),
)
# A case the importer must accept (its id is filled in later, unique per file).
VALID = st.builds(
    lambda base, sla: {**base, **sla},
    st.fixed_dictionaries(
        {
            "channel": st.sampled_from(["partner", "media", "staff", "user", "ü-ńet"]),
            "category": st.sampled_from(CATEGORIES),
            "items": ITEMS,
        },
        optional={
            "priority": st.integers(1, 4),
            "created_at": moments,
            "account": ACCOUNTS,
            "reporter": _text(max_size=20),
            "report_text": _text(max_size=50),
            "scores": st.dictionaries(_text(min_size=1, max_size=10), st.floats(0.0, 1.0), max_size=4),
        },
    ),
    SLA,
)


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

NOT_OBJECT = json_values.filter(lambda v: not isinstance(v, dict))
NOT_LIST = json_values.filter(lambda v: not isinstance(v, list))


@dataclass
class Line:
    kind: str
    case: dict[str, Any] | None = None  # a case dict whose id is assigned later
    raw: bytes | None = None  # finished bytes (ids are irrelevant)
    mutate: str = ""  # how a case dict is spoiled, applied once the id is set
    param: Any = None


def _dumps(case: dict[str, Any], ascii_only: bool) -> bytes:
    return json.dumps(case, ensure_ascii=ascii_only).encode("utf-8")


BAD_KINDS = st.sampled_from(
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
        "escape",
        "escape",
        "random_path",
        "wrong_content",
        "nul",
    ]
)
NUL_TEXT = st.tuples(_text(max_size=5), _text(max_size=5)).map(lambda ab: ab[0] + "\x00" + ab[1])
NUL_FIELD = st.sampled_from(["reporter", "report_text", "id"])
WRONG_FIELD = st.one_of(
    [st.tuples(st.just(field), st.sampled_from(values)) for field, values in WRONG.items()]
)
REQUIRED_FIELD = st.sampled_from(REQUIRED)
UNKNOWN_NAME = st.text(max_size=12).map(lambda k: "x-" + k)  # no field of the schema starts with "x-"
HUGE = st.integers(MAX_LINE_BYTES, 2 << 20)
TOO_LONG = st.integers(50_001, 300_000)
BAD_UTF8 = st.tuples(
    st.floats(0, 1),
    st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf8\x88\x80\x80\x80", b"\x80"]),
)
NOT_JSON = st.binary(min_size=1, max_size=200)
NESTED = st.dictionaries(st.sampled_from(sorted(WRONG)), json_values, min_size=1, max_size=5)
DEPTH = st.integers(100, 100_000)
ESCAPE_PATH = st.sampled_from(ESCAPES)
RANDOM_PATH = st.text(min_size=1, max_size=30)
MEDIA_KIND = st.sampled_from(["image", "video"])
POSITION = st.integers(0, 3)


@st.composite
def bad_lines(draw: st.DrawFn) -> Line:
    kind = draw(BAD_KINDS)
    case = draw(VALID)
    if kind == "wrong_type":
        return Line(kind, case, mutate="set", param=draw(WRONG_FIELD))
    if kind == "missing":
        return Line(kind, case, mutate="drop", param=draw(REQUIRED_FIELD))
    if kind == "unknown":
        return Line(kind, case, mutate="set", param=(draw(UNKNOWN_NAME), draw(json_values)))
    if kind == "huge":  # past the line limit: refused without being held whole
        return Line(kind, case, mutate="set", param=("report_text", "x" * draw(HUGE)))
    if kind == "too_long_text":  # under the line limit, over a field limit
        return Line(kind, case, mutate="set", param=("report_text", "é" * draw(TOO_LONG)))
    if kind == "bad_utf8":
        return Line(kind, case, mutate="bytes", param=draw(BAD_UTF8))
    if kind == "not_json":
        raw = draw(NOT_JSON).replace(b"\n", b" ")
        try:
            if not raw.decode("utf-8").strip():
                raw = b"?" + raw
        except UnicodeDecodeError:
            pass
        return Line(kind, raw=raw)
    if kind == "not_object":
        return Line(kind, raw=json.dumps(draw(NOT_OBJECT)).encode())
    if kind == "nested":  # valid keys, garbage values
        garbage = draw(NESTED)
        garbage["items"] = draw(NOT_LIST)
        return Line(kind, raw=json.dumps(garbage).encode())
    if kind == "deep":
        depth = draw(DEPTH)
        return Line(kind, raw=b'{"id": ' + b"[" * depth + b"]" * depth + b"}")
    if kind == "duplicate":
        return Line(kind, case)
    if kind == "nul":  # refused on every backend (PostgreSQL cannot store it), with its line number
        if draw(st.booleans()):
            return Line(kind, case, mutate="set", param=(draw(NUL_FIELD), draw(NUL_TEXT)))
        item = {"kind": "text", "text": draw(NUL_TEXT)}
        return Line(kind, case, mutate="item", param=(min(draw(POSITION), len(case["items"])), item))
    if kind == "wrong_content":  # a real file inside the root, but not what its kind says
        path = draw(st.sampled_from(sorted(GOOD_PATHS)))
        item = {"kind": "image" if _kind_of(path) == "video" else "video", "path": path}
        return Line(kind, case, mutate="item", param=(min(draw(POSITION), len(case["items"])), item))
    item = {"kind": draw(MEDIA_KIND), "path": draw(ESCAPE_PATH if kind == "escape" else RANDOM_PATH)}
    return Line(kind, case, mutate="item", param=(min(draw(POSITION), len(case["items"])), item))


good_lines = st.one_of(
    VALID.map(lambda c: Line("valid", c)),
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


GOOD_LINES = st.lists(good_lines, max_size=8)
BAD_LINES = st.lists(bad_lines(), min_size=1, max_size=3)
INSERT_AT = st.integers(0, 11)


@st.composite
def files(draw: st.DrawFn) -> tuple[list[Line], bool, bool]:
    """(lines, ascii-only JSON?, newline after the last line?) — at least one bad line in about half."""
    lines = draw(GOOD_LINES)
    if draw(st.booleans()):
        for bad in draw(BAD_LINES):
            lines.insert(min(draw(INSERT_AT), len(lines)), bad)
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
            if "path" in item:
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
    counts = [select(func.count()).select_from(m).scalar_subquery() for m in TABLES.values()]
    with db.read() as s:
        return dict(zip(TABLES, s.execute(select(*counts)).one(), strict=True))


def _discard(db: Database) -> None:
    db.dispose()
    shutil.rmtree(db.media_dir, ignore_errors=True)
    assert db.file is not None
    for leftover in db.file.parent.glob(f"{db.file.name}*"):
        leftover.unlink()


def _store_listing(db: Database) -> list[str]:
    if not db.media_dir.exists():
        return []
    return sorted(str(p.relative_to(db.media_dir)) for p in db.media_dir.rglob("*"))


def test_hostile_import_files_write_all_or_nothing(tmp_path: Path, _template_db: Path) -> None:
    global _opened
    runs = {"n": 0, "imported": 0, "refused": 0, "bad_lines": 0}
    # The world around the root is read-only to the importer, so one serves every example.
    root, outside = _build_world(tmp_path / "world")
    source = root / "cases.jsonl"
    pristine: dict[str, Database | None] = {"db": None}

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
        rendered, valid, bad = _render(lines, ascii_only, outside)
        source.write_bytes(b"\n".join(rendered) + (b"\n" if final_newline and rendered else b""))
        # A fresh database per example: a copy of the migrated template (already at head, so the
        # Database is used directly instead of open_database's migration check). After a refused
        # import that provably wrote nothing, the same untouched database serves the next example.
        if pristine["db"] is None:
            db_file = tmp_path / f"ex{runs['n']}.sqlite3"
            shutil.copyfile(_template_db, db_file)
            pristine["db"] = Database(sqlite_url(db_file))
        db, keep = pristine["db"], False
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
            # The audit checkpoint written after an import: its sidecar file (and the folder, for fsync),
            # the workstation id and the keyring holding the signing key.
            sidecar = sidecar_path(db).resolve()
            workstation = (data_dir() / "workstation-id").resolve()
            keyring_home = Path(os.environ["XDG_DATA_HOME"]).resolve()
            for path in opened:
                target = Path(path).resolve()
                anchor = (
                    target == sidecar.parent
                    or (target.parent == sidecar.parent and target.name.startswith(sidecar.name))
                    or target.name.startswith(workstation.name)
                    or target.is_relative_to(keyring_home)
                    or path == os.devnull  # a decode worker's stdin, when the arrival pool starts one
                )
                assert any(target.is_relative_to(a) for a in allowed) or anchor or _python_internal(path), (
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
                keep = True
            elif not valid:  # nothing but blank lines, or nothing at all
                assert failure is not None and str(failure) == f"no cases in {source}", failure
                assert after == before and _store_listing(db) == store_before
                keep = True
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
                originals = [p for p in _store_listing(db) if "/" in p and not p.endswith(".preview")]
                assert len(originals) == len(media)  # and beside them their stored previews
                with db.read() as s:
                    stored = set(s.execute(select(Case.external_id)).scalars())
                assert stored == {c["id"].strip() for c in valid.values()}
                runs["imported"] += 1
        finally:
            if not keep:
                _discard(db)
                pristine["db"] = None

    try:
        run()
    finally:
        if pristine["db"] is not None:
            _discard(pristine["db"])
    print(
        f"\nimport fuzz: {runs['n']} examples — {runs['imported']} clean files imported whole, "
        f"{runs['refused']} hostile files refused ({runs['bad_lines']} bad lines), nothing written"
    )
    assert runs["n"] >= EXAMPLES
    assert runs["imported"] > EXAMPLES // 5 and runs["refused"] > EXAMPLES // 5


def test_every_listed_hostile_value_is_refused_on_its_line(tmp_path: Path, db: Database) -> None:
    """The whole table, not a sample: each escape path and each wrong value, after a valid first line."""
    global _opened
    root, outside = _build_world(tmp_path / "world")
    source = root / "cases.jsonl"
    first = {
        "id": "OK-1",
        "channel": "partner",
        "category": CATEGORIES[0],
        "items": [{"kind": "text", "text": "t"}],
    }
    hostile: list[dict[str, Any]] = []
    for path in ESCAPES:
        item = {"kind": "image", "path": path.replace("{outside}", str(outside))}
        hostile.append({**first, "id": "BAD-2", "items": [item]})
    for field, values in WRONG.items():
        hostile.extend({**first, "id": "BAD-2", field: value} for value in values)
    ensure_vault(db)  # made before any line is read (pass 1 seals): its key file is no case's business
    before = _counts(db)
    for case in hostile:
        source.write_bytes(json.dumps(first).encode() + b"\n" + json.dumps(case).encode() + b"\n")
        _opened = []
        try:
            import_file(db, source, media_root=root)
        except ImportFailed as exc:
            assert [e.split(":", 1)[0] for e in exc.errors] == ["line 2"], (case, exc.errors)
        else:
            raise AssertionError(f"accepted {case!r}")
        finally:
            opened, _opened = _opened, None
        for path in opened:
            assert Path(path).resolve().is_relative_to(root.resolve()) or _python_internal(path), path
    assert _counts(db) == before and _store_listing(db) == []
    print(f"\n{len(hostile)} listed hostile lines refused")


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
    """resolve_media runs again at write time, so a path swapped for an escaping symlink between a
    range's validation and its write is refused."""
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
    real_validate = importer.validate_file

    def validate_swapped(path: Path, media_root: Path, *rest: Any) -> Any:
        for validated in real_validate(path, media_root, *rest):  # each range validated: swap it now
            (root / "media" / "b.png").unlink()
            (root / "media" / "b.png").symlink_to(outside / "secret.jpg")
            yield validated

    before = _counts(db)
    importer.validate_file = validate_swapped  # type: ignore[assignment]
    try:
        try:
            import_file(db, source, media_root=root, now=datetime.now(UTC))
        except (ImportFailed, ValueError) as exc:
            assert "escapes" in str(exc) or "escapes" in " ".join(getattr(exc, "errors", []))
        else:
            raise AssertionError("the swapped symlink was followed")
    finally:
        importer.validate_file = real_validate  # type: ignore[assignment]
    assert _counts(db) == before
    assert _store_listing(db) == []
