"""Render a report page for the docs: the first page of an investigation report as PDF, drawn to PNG.

Run from the repository root: ``QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_report_shot.py``.
Builds a demo database in a temp folder (synthetic pictures only), an investigation over its two busiest
accounts with findings and a note, exports the PDF (``reviewer.reports.export``) and writes page 1 with
``pdftoppm`` (poppler-utils) to ``screenshots/report-page.png`` next to this script (or the folder given).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("REVIEWER_USER", "dana")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FINDINGS = (
    "## Pattern\n\nThe accounts post the **same pictures** within minutes of each other:\n\n"
    "- partner escalations name the first account;\n- press escalations the second.\n\n"
    "## Evidence\n\nThumbnails below are *blurred*; see the timeline for each decision and its policy version.\n"
)


def main(out_dir: Path) -> Path:
    from sqlalchemy import func, select

    from reviewer.demo import DemoSpec, build_demo
    from reviewer.identity import ensure_reviewer
    from reviewer.investigations import (
        Findings,
        add_account,
        add_note,
        create_investigation,
        get_investigation,
        save_findings,
    )
    from reviewer.models import Case
    from reviewer.paths import sqlite_url
    from reviewer.reports.export import export_report
    from reviewer.storage.migrate import open_database
    from ui.reports.pdf import render_pdf

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["REVIEWER_DATA_DIR"] = tmp
        db = open_database(sqlite_url(Path(tmp) / "demo.sqlite3"), create=True)
        build_demo(db, DemoSpec(cases=400, seed=5, images=40, history_days=10))
        with db.read() as s:
            busiest = s.execute(
                select(Case.account_id)
                .where(Case.account_id.is_not(None))
                .group_by(Case.account_id)
                .order_by(func.count().desc())
                .limit(2)
            ).scalars()
            accounts = list(busiest)
        me = ensure_reviewer(db, "dana")
        inv = create_investigation(db, me, "Coordinated graphic reposts across partner and media channels")
        for account in accounts:
            add_account(db, me, inv, account)
        add_note(db, me, inv, "Both accounts repost the same three pictures within minutes of each other.")
        findings = Findings(
            summary="Two accounts repost the same graphic pictures across channels, shortly after each report.",
            risk_assessment="High: coordinated, repeated, and escalated by a partner and by press.",
            recommended_actions="Suspend both accounts; add the pictures to the hash bank.",
            policy_gaps="VIO-2 does not say how to treat coordinated reposts of already-removed content.",
            findings_md=FINDINGS,
        )
        save_findings(db, me, inv, findings, expected_updated_at=get_investigation(db, inv).updated_at)
        pdf = Path(tmp) / "report.pdf"
        export_report(db, inv, pdf, actor="dana", render_pdf=render_pdf)
        db.dispose()
        out_dir.mkdir(parents=True, exist_ok=True)
        stem = out_dir / "report-page"
        subprocess.run(
            ["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", "1", "-l", "1", str(pdf), str(stem)],
            check=True,
        )
    return stem.with_suffix(".png")


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "screenshots"
    print(main(target))
