"""Render the decision boxes for the docs: the bulk confirmation (Shift+D) and the escalation's rationale
box (target tier and reason). PNGs of the dialogs themselves.

Run from the repository root: ``QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_decision_shots.py``.
Builds a demo database in a temp folder (synthetic pictures only), decides one case whose picture other
open cases share, opens the real window on one of those and presses the keys; writes
``bulk-confirmation.png`` and ``rationale-box.png`` next to this script (or into the folder given).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("REVIEWER_USER", "reviewer")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from make_window_shots import _until
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtTest import QTest
from sqlalchemy import func, select

from reviewer.decisions import record_decision
from reviewer.demo import DemoSpec, build_demo
from reviewer.identity import ensure_reviewer
from reviewer.models import Item
from reviewer.paths import sqlite_url
from reviewer.policy import load_default_pack
from reviewer.storage.migrate import open_database
from ui.shell.app import ensure_qapp
from ui.shell.context import start_context
from ui.shell.main_window import MainWindow


def main(out_dir: Path) -> None:
    app = ensure_qapp()
    app.setFont(QFont("DejaVu Sans", 9))
    pack = load_default_pack()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["REVIEWER_DATA_DIR"] = tmp
        db = open_database(sqlite_url(Path(tmp) / "demo.sqlite3"))
        build_demo(db, DemoSpec(cases=300, seed=7, images=20))
        with db.read() as s:
            sha = (
                s.execute(
                    select(Item.media_sha256)
                    .where(Item.media_sha256.is_not(None))
                    .group_by(Item.media_sha256)
                    .order_by(func.count(func.distinct(Item.case_id)).desc())
                )
                .scalars()
                .first()
            )
            cases = list(
                dict.fromkeys(s.execute(select(Item.case_id).where(Item.media_sha256 == sha)).scalars())
            )
        reviewer = ensure_reviewer(db, os.environ["REVIEWER_USER"])
        record_decision(
            db, case_id=cases[0], reviewer=reviewer, action="restrict", policy_code="VIO-2", pack=pack
        )
        w = MainWindow(start_context(db, pack, backup=False))
        w.resize(1480, 900)
        w.show()
        review = w.review
        _until(lambda: review.selection.current is not None, "the first case")
        row = review.model.row_for_case(cases[1])
        assert row is not None, "the duplicate is not on the first page"
        review.selection.select_row(row, refresh=True)
        _until(lambda: review.duplicates.found is not None, "the duplicate banner")
        w.registry.trigger("decision.apply_to_duplicates")
        _until(lambda: review.duplicates.confirm_box is not None, "the bulk confirmation")
        box = review.duplicates.confirm_box
        box.grab().save(str(out_dir / "bulk-confirmation.png"))
        print(f"wrote {out_dir / 'bulk-confirmation.png'}")
        box.reject()
        _until(lambda: review.duplicates.confirm_box is None, "the confirmation to close")
        w.registry.trigger("decision.escalate")
        _until(lambda: review.flow.rationale_box is not None, "the rationale box")
        rationale = review.flow.rationale_box
        QTest.keyClicks(rationale.text, "Same picture reported by three partners; the account is new.")
        QTest.keyClick(rationale.text, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
        rationale.grab().save(str(out_dir / "rationale-box.png"))
        print(f"wrote {out_dir / 'rationale-box.png'}")
        rationale.reject()
        w.shutdown()
        db.dispose()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
