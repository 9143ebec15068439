"""Render the Investigations window offscreen for the docs (``docs/screenshots/investigation.png``).

Run from the repository root: ``.venv/bin/python docs/make_investigation_shot.py [out_dir]``. Builds a
small demo database in a temporary folder, gathers the riskiest account's cases into an investigation
with decisions, a note and findings, and grabs the window on its Timeline tab and its Findings tab.
Nothing is written to the user's data or settings.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

FINDINGS_MD = """# Coordinated reposting

The account reposted the same **graphic clip** through three channels within a day.

## Evidence
- Partner escalation, then a media enquiry about the same upload
- Decisions cite VIO-1 (removal) and an escalation to tier 2

## Next steps
1. Watch the account's new uploads for 30 days
2. Ask policy to cover re-uploads with cropped frames
"""


def main(out_dir: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["REVIEWER_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ["XDG_DATA_HOME"] = str(Path(tmp) / "xdg")
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
        from reviewer import investigations as inv
        from reviewer.clock import utcnow
        from reviewer.decisions import record_decision
        from reviewer.demo import DemoSpec, build_demo
        from reviewer.identity import ensure_reviewer
        from reviewer.models import Case
        from reviewer.paths import sqlite_url
        from reviewer.policy import load_default_pack
        from reviewer.storage.migrate import open_database
        from ui.investigations.window import FINDINGS, TIMELINE, InvestigationsWindow, Requests

        app = QApplication.instance() or QApplication(sys.argv[:1])
        assert isinstance(app, QApplication)
        app.setStyle("Fusion")
        app.setFont(QFont("DejaVu Sans", 10))
        db = open_database(sqlite_url(Path(tmp) / "demo.sqlite3"))
        build_demo(db, DemoSpec(cases=300, seed=5, images=4, videos=0))
        pack, me = load_default_pack(), ensure_reviewer(db, "alex")
        with db.read() as s:
            account_id = s.execute(
                select(Case.account_id).group_by(Case.account_id).order_by(func.count().desc()).limit(1)
            ).scalar_one()
            cases = (
                s.execute(select(Case.id).where(Case.account_id == account_id).order_by(Case.created_at))
                .scalars()
                .all()
            )
        inv_id = inv.create_investigation(db, me, "Coordinated reposting of a graphic clip")
        inv.add_account(db, me, inv_id, account_id, note="the account behind the partner escalation")
        inv.add_case(db, me, inv_id, cases[0], note="first report")
        now = utcnow()
        for i, (case_id, action) in enumerate(zip(cases, ("remove", "escalate", "keep"), strict=False)):
            code = "VIO-1" if action == "remove" else None
            record_decision(db, case_id=case_id, reviewer=me, action=action, policy_code=code, pack=pack,
                            rationale="same clip as before" if action != "keep" else "",
                            now=now + timedelta(minutes=5 + 7 * i))  # fmt: skip
        inv.add_note(
            db, me, inv_id, "Media enquiry names the same upload; checking the partner's report.", cases[0]
        )
        view = inv.get_investigation(db, inv_id)
        inv.save_findings(
            db, me, inv_id,
            inv.Findings(
                summary="One account reposted a graphic clip through partner, media and user channels.",
                risk_assessment="High: the clip keeps returning within hours of each removal.",
                recommended_actions="Suspend on the next re-upload; hash the clip into the known-content bank.",
                policy_gaps="Cropped re-uploads are not named in VIO-1.",
                findings_md=FINDINGS_MD,
            ),
            expected_updated_at=view.updated_at,
        )  # fmt: skip
        noop = Requests(lambda _i: None, lambda: None, lambda _i, _m: None, lambda _i, _b: None,
                        lambda _v, _f: None, lambda _v, _o: None)  # fmt: skip
        window = InvestigationsWindow(noop)
        window.set_list(inv.list_investigations(db), inv_id)
        window.show_investigation(inv.get_investigation(db, inv_id), inv.investigation_timeline(db, inv_id))
        window.resize(1280, 760)
        window.show()
        out_dir.mkdir(parents=True, exist_ok=True)
        for tab, name in ((TIMELINE, "investigation.png"), (FINDINGS, "investigation-findings.png")):
            window.tabs.setCurrentIndex(tab)
            window.findings.render_preview()
            app.processEvents()
            path = out_dir / name
            window.grab().save(str(path))
            print(f"wrote {path}")
        window.close()
        db.dispose()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "screenshots")
