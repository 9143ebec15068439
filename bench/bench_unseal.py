"""Benchmark: what decryption costs on the preview path and when a case is opened (``reviewer.vault``).

Media: a typical demo image (a 1280x960-class JPEG drawn like ``reviewer demo`` draws them) and the 12 MP
JPEG of ``bench_preview``, stored sealed; the median ms of ``MediaStore.read(sha)`` (read + AES-GCM
decrypt + chunk and SHA-256 checks) against reading the same plaintext file. Texts: the median ms of
``load_case`` on a sealed database (report text and item texts opened) and the µs to open one value.

    .venv/bin/python bench/bench_unseal.py

The bench keeps its key in a keyrings.alt file keyring in a temporary folder (chosen explicitly, as the
tests do): a benchmark machine may have no OS keyring.
"""

from __future__ import annotations

import io
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

RUNS = 30
CASES = 2000


def _demo_jpeg() -> bytes:
    from reviewer.demo_images import draw_scene

    buf = io.BytesIO()
    draw_scene(random.Random(7), "violence").save(buf, "JPEG", quality=82)  # as ``reviewer demo`` does
    return buf.getvalue()


def _source(folder: Path) -> Path:
    lines = [
        {
            "id": f"B-{n}",
            "channel": "partner",
            "category": "violence",
            "report_text": f"Footage of a street fight shared with threats against a named group, report {n}",
            "items": [{"kind": "text", "text": f"post text {n} " * 8}, {"kind": "text", "text": "second"}],
        }
        for n in range(CASES)
    ]
    path = folder / "cases.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-unseal-") as tmp:
        folder = Path(tmp)
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
        os.environ["XDG_DATA_HOME"] = str(folder / "xdg")
        os.environ["REVIEWER_DATA_DIR"] = str(folder / "data")
        from bench_preview import make_source
        from bench_queue import _median_ms
        from sqlalchemy import select

        from reviewer.casefile import load_case
        from reviewer.importing.importer import import_file
        from reviewer.media.store import MediaStore
        from reviewer.models import Case
        from reviewer.paths import sqlite_url
        from reviewer.storage.migrate import open_database
        from reviewer.vault.opening import ensure_vault

        db = open_database(sqlite_url(folder / "bench.sqlite3"))
        vault = ensure_vault(db)
        store = MediaStore(db.media_dir, vault)
        out: dict[str, float] = {}
        for name, data in (("demo_image", _demo_jpeg()), ("12mp_jpeg", make_source().read_bytes())):
            plain = folder / f"{name}.plain"
            plain.write_bytes(data)
            sha = store.put_file(plain)
            assert store.read(sha) == data
            out[f"unseal_{name}_kb"] = round(len(data) / 1024, 1)
            out[f"unseal_{name}_read_plain_ms"] = _median_ms(plain.read_bytes)
            out[f"unseal_{name}_read_decrypt_ms"] = _median_ms(lambda sha=sha: store.read(sha))  # type: ignore[misc]
        import_file(db, _source(folder))
        with db.read() as s:
            ids = list(s.scalars(select(Case.id).limit(200)))
            value, row = s.execute(select(Case.report_text, Case.id).limit(1)).one()
        it = iter(ids * (RUNS + 1))
        out["unseal_load_case_ms"] = _median_ms(lambda: load_case(db, next(it)), runs=RUNS * 5)
        t0 = time.perf_counter()
        for _ in range(10_000):
            vault.open_text(value, "case", "report_text", row.hex)
        out["unseal_one_text_us"] = round((time.perf_counter() - t0) * 100, 2)  # 10k runs: µs each
        db.dispose()
        return out


def main() -> None:
    for key, value in run().items():
        print(f"{key:40} {value}")


if __name__ == "__main__":
    from _util import busy_load, load_requested

    with busy_load(load_requested()):  # --load: one busy process beside it
        main()
