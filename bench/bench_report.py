"""Benchmark: an investigation report over 200 cases, as PDF (target: < 5 s).

Builds a migrated SQLite database in a temporary folder with 200 cases on two accounts (two channels),
each with a text item and a photo-like 1600x1200 JPEG (200 distinct, sealed in the media store), a
decision on each (VIO-1, pack version recorded), notes and findings; the investigation holds both
accounts. Then, three times (median reported), the whole export as the app and the CLI run it
(``reviewer.reports.export``): a signed audit checkpoint, gathering the content with 200 blurred
thumbnails made in warm decode workers (a fresh thumbnail cache each run, as each export has), the PDF
drawn by Qt (``ui.reports.pdf``), the file and its audit event. The render alone and the gathering
alone are reported too, and the HTML export for comparison.

    .venv/bin/python bench/bench_report.py

``run() -> dict``: ``report_pdf_200_cases_s`` (the target), ``report_pdf_render_s``,
``report_gather_s``, ``report_html_200_cases_s``, ``report_pdf_pages``.
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import busy_load, load_requested, r2  # also puts the project on sys.path

CASES = 200
RUNS = 3


def _photo(n: int) -> bytes:
    rng = np.random.default_rng(n)
    small = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    img = Image.fromarray(small).resize((1600, 1200), Image.Resampling.BICUBIC)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def _seed(db, pack):  # type: ignore[no-untyped-def]
    from reviewer.clock import utcnow
    from reviewer.decisions import record_decision
    from reviewer.identity import ensure_reviewer, start_session
    from reviewer.investigations import (
        Findings,
        add_account,
        add_note,
        create_investigation,
        get_investigation,
        save_findings,
    )
    from reviewer.models import Account, Case, Channel, Item
    from reviewer.vault.opening import ensure_vault, media_store_of

    ensure_vault(db)
    store = media_store_of(db)
    shas = [store.put_bytes(_photo(n)) for n in range(CASES)]
    now = utcnow()
    ids = []
    with db.write() as s:
        channels = [Channel(code="partner", name="Partner"), Channel(code="media", name="Media")]
        accounts = [Account(platform="photoapp", handle=f"@ring{n}", risk_score=0.8) for n in range(2)]
        s.add_all([*channels, *accounts])
        s.flush()
        for i in range(CASES):
            case = Case(
                external_id=f"B-{i:05d}",
                channel_id=channels[i % 2].id,
                account_id=accounts[i % 2].id,
                category="violence",
                priority=2,
                sla_deadline=now + timedelta(hours=2),
                risk_rank=200,
                reporter=f"partner-{i % 7}",
                report_text=f"report {i}: the account reposts the same graphic pictures",
                created_at=now - timedelta(minutes=CASES - i),
            )
            s.add(case)
            s.flush()
            s.add(Item(case_id=case.id, kind="text", text=f"caption {i}", position=0))
            s.add(Item(case_id=case.id, kind="image", media_sha256=shas[i], position=1))
            ids.append(case.id)
        account_ids = [a.id for a in accounts]
    me = ensure_reviewer(db, "bench")
    session_id = start_session(db, me)
    for i, case_id in enumerate(ids):
        record_decision(
            db, case_id=case_id, reviewer=me, action="remove", policy_code="VIO-1", pack=pack,
            session_id=session_id, note=f"decided {i}",
        )  # fmt: skip
    inv_id = create_investigation(db, me, "Benchmark ring")
    for account_id in account_ids:
        add_account(db, me, inv_id, account_id)
    for i in range(0, CASES, 20):
        add_note(db, me, inv_id, f"note {i}: same picture as before", case_id=ids[i])
    findings = "# Pattern\n\n" + "\n".join(f"- finding {n} with **emphasis**" for n in range(40))
    view = get_investigation(db, inv_id)
    save_findings(
        db,
        me,
        inv_id,
        Findings("summary", "high", "suspend", "none", findings),
        expected_updated_at=view.updated_at,
    )
    return inv_id


def run(runs: int = RUNS) -> dict[str, float]:
    from reviewer.media.decode_guard import DecodePool
    from reviewer.paths import sqlite_url
    from reviewer.policy import load_default_pack
    from reviewer.reports.content import content_sha256
    from reviewer.reports.export import anchor, export_report
    from reviewer.reports.gather import gather
    from reviewer.reports.thumbs import Thumbnailer
    from reviewer.storage.migrate import open_database
    from reviewer.vault.opening import media_store_of
    from ui.reports.pdf import ensure_gui_app, render_pdf

    ensure_gui_app()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(sqlite_url(Path(tmp) / "report.sqlite3"), create=True)
        inv_id = _seed(db, load_default_pack())
        pool = DecodePool()
        read = media_store_of(db).read
        pool.preview(_photo(0))  # warm workers, as in the running app
        pdf, html, render_only, gathered = [], [], [], []
        pages = 0
        for n in range(runs):
            t0 = time.perf_counter()
            export_report(db, inv_id, Path(tmp) / f"r{n}.pdf", actor="bench", render_pdf=render_pdf,
                          media=Thumbnailer(read, pool=pool))  # fmt: skip
            pdf.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            export_report(
                db, inv_id, Path(tmp) / f"r{n}.html", actor="bench", media=Thumbnailer(read, pool=pool)
            )
            html.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            content = gather(db, inv_id, media=Thumbnailer(read, pool=pool), checkpoint=anchor(db))
            gathered.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            data = render_pdf(content, content_sha256(content))
            render_only.append(time.perf_counter() - t0)
            pages = data.count(b"/Type /Page\n") or data.count(b"/Type /Page")
        pool.shutdown()
        db.dispose()
    return {
        "report_pdf_200_cases_s": r2(statistics.median(pdf)),
        "report_html_200_cases_s": r2(statistics.median(html)),
        "report_gather_s": r2(statistics.median(gathered)),
        "report_pdf_render_s": r2(statistics.median(render_only)),
        "report_pdf_pages": pages,
    }


if __name__ == "__main__":
    with busy_load(load_requested()):  # --load: one busy process beside it
        for key, value in run().items():
            print(f"{key}: {value}")
