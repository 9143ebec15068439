"""Pass 2 writes each range as soon as pass 1 has validated it, and a refusal found late still writes
nothing: the transaction is rolled back at once, the rest of the file is validated for its problems."""

from __future__ import annotations

import json
import multiprocessing.pool
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import reviewer.importing.parsing as parsing
import reviewer.importing.writing as writing
from reviewer.importing.importer import ImportFailed, import_file
from reviewer.models import Case, Item
from reviewer.storage.database import Database


def _case(n: int) -> dict[str, Any]:
    return {
        "id": f"OV-{n}",
        "channel": "partner",
        "category": "violence",
        "priority": 2,
        "report_text": f"report number {n}",
        "items": [{"kind": "text", "text": f"post {n}"}],
    }


def _file(folder: Path, lines: list[dict[str, Any] | bytes]) -> Path:
    path = folder / "cases.jsonl"
    with open(path, "wb") as fh:
        for line in lines:
            fh.write(line if isinstance(line, bytes) else (json.dumps(line) + "\n").encode())
    return path


def _counts(db: Database) -> tuple[int, int]:
    with db.read() as s:
        cases = s.execute(select(func.count()).select_from(Case)).scalar_one()
        return cases, s.execute(select(func.count()).select_from(Item)).scalar_one()


@pytest.fixture
def tiny_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ranges of a few lines, validated in this process (so the test sees their order)."""
    monkeypatch.setattr(parsing, "PARALLEL_MIN_BYTES", 1 << 40)
    monkeypatch.setattr(parsing, "CHUNK_BYTES", 400)


def _log_validations(monkeypatch: pytest.MonkeyPatch, log: list[str], after: Any = None) -> None:
    real = parsing.validate_range

    def validate(*args: Any, **kwargs: Any) -> Any:
        chunk = real(*args, **kwargs)
        log.append("validated")
        if after is not None:
            after(chunk)
        return chunk

    monkeypatch.setattr(parsing, "validate_range", validate)


def test_ranges_are_written_while_the_rest_of_the_file_is_still_validated(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_ranges: None
) -> None:
    path = _file(tmp_path, [_case(n) for n in range(30)])
    assert len(parsing.split_ranges(path, parsing.CHUNK_BYTES)) >= 5
    log: list[str] = []
    _log_validations(monkeypatch, log)
    real_write = writing.SqliteSink.write

    def write(self: writing.SqliteSink, *args: Any, **kwargs: Any) -> None:
        log.append("written")
        real_write(self, *args, **kwargs)

    monkeypatch.setattr(writing.SqliteSink, "write", write)
    report = import_file(db, path)
    assert report.cases == 30 and _counts(db) == (30, 30)
    # Range by range: each range is written before the next one is validated.
    assert log == ["validated", "written"] * len(parsing.split_ranges(path, parsing.CHUNK_BYTES))


def test_a_bad_line_late_in_the_file_rolls_back_at_once_and_every_problem_is_listed(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_ranges: None
) -> None:
    lines: list[dict[str, Any] | bytes] = [_case(n) for n in range(40)]
    lines[20] = b"{not json\n"
    lines[35] = {**_case(35), "priority": "urgent"}
    path = _file(tmp_path, lines)
    assert db.file is not None
    log: list[str] = []
    lock_free: list[bool] = []  # at each range's validation from the second on: may another writer write?

    def try_to_write(_chunk: Any) -> None:
        if len(log) == 1:
            return
        other = sqlite3.connect(db.file, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            lock_free.append(True)
        except sqlite3.OperationalError:  # "database is locked": the import still holds the write lock
            lock_free.append(False)
        finally:
            other.close()

    _log_validations(monkeypatch, log, try_to_write)
    with pytest.raises(ImportFailed) as info:
        import_file(db, path)
    assert [e.split(":")[0] for e in info.value.errors] == ["line 21", "line 36"]
    assert _counts(db) == (0, 0)
    # The write lock was held while the ranges before the bad line were written, and free again (the
    # transaction rolled back) from the range after it on, while the rest of the file was validated.
    assert len(log) == len(parsing.split_ranges(path, parsing.CHUNK_BYTES))
    held = lock_free.index(True)
    assert held >= 2 and not any(lock_free[:held]) and all(lock_free[held:])
    assert len(lock_free) - held >= 3


def test_known_ids_late_in_the_file_are_all_listed_and_bad_lines_come_first(
    db: Database, tmp_path: Path, tiny_ranges: None
) -> None:
    import_file(db, _file(tmp_path, [_case(5), _case(25)]))
    lines: list[dict[str, Any] | bytes] = [_case(n) for n in range(30)]
    with pytest.raises(ImportFailed) as info:
        import_file(db, _file(tmp_path, lines))
    assert info.value.errors == [
        "line 6: case id 'OV-5' is already in the database",
        "line 26: case id 'OV-25' is already in the database",
    ]
    assert _counts(db) == (2, 2)

    with pytest.raises(ImportFailed) as info:
        import_file(db, _file(tmp_path, [*lines, b"[]\n"]))  # a bad line too: it is what is reported
    assert [e.split(":")[0] for e in info.value.errors] == ["line 31"]
    assert _counts(db) == (2, 2)


def test_workers_validate_only_a_few_ranges_ahead_of_the_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parsing, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parsing, "CHUNK_BYTES", 300)
    monkeypatch.setattr(parsing, "_workers", lambda: 2)
    path = _file(tmp_path, [_case(n) for n in range(60)])
    ranges = len(parsing.split_ranges(path, parsing.CHUNK_BYTES))
    assert ranges > 3 * parsing.LOOKAHEAD * 2
    submitted: list[int] = []
    real = multiprocessing.pool.Pool.apply_async

    def apply_async(self: Any, *args: Any, **kwargs: Any) -> Any:
        submitted.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(multiprocessing.pool.Pool, "apply_async", apply_async)
    chunks = parsing.validate_file(path, tmp_path)
    seen = 0
    for chunk, size in chunks:
        seen += 1
        assert chunk.valid_lines and size > 0
        # What was handed to the workers: what was taken, plus at most LOOKAHEAD ranges per worker.
        assert len(submitted) == min(ranges, seen + parsing.LOOKAHEAD * 2)
    assert seen == ranges
