"""Render the response composer offscreen for the docs (a 720x560 PNG) with a fake, abstract case.

Run from the repository root: ``.venv/bin/python docs/make_response_shot.py [out_dir]``.
Writes ``response-composer.png`` (default: ``docs/screenshots``). Nothing touches the user's data.
"""

from __future__ import annotations

import os
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from reviewer.policy import load_default_pack
from reviewer.responses.compose import ComposeContext, Requester, StandingDecision, placeholder_values
from reviewer.responses.templates import shipped_templates
from ui.responses.composer import ResponseComposer


def main(out_dir: Path) -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    app.setFont(QFont("DejaVu Sans", 10))
    out_dir.mkdir(parents=True, exist_ok=True)
    decided = datetime(2026, 12, 2, 10, 42, tzinfo=UTC)
    ctx = ComposeContext(
        case_id=uuid.uuid4(),
        external_id="DEMO-7-000042",
        channel="partner",
        status="decided",
        requester=Requester("Partner Desk A", "Example Safety NGO", "desk-a@ngo.example", "PAR-4821"),
        requester_locked=False,
        response_due_at=decided + timedelta(hours=24),
        decision=StandingDecision(uuid.uuid4(), "remove", "VIO-2", "2026.11", decided, "reviewer-1"),
    )
    composer = ResponseComposer(
        ctx,
        shipped_templates()["partner"],
        placeholder_values(ctx, load_default_pack(), "reviewer-1"),
        save=lambda _d: None,
        finalise=lambda _d: None,
    )
    composer.resize(720, 560)
    composer.show()
    app.processEvents()
    path = out_dir / "response-composer.png"
    composer.grab().save(str(path))
    composer.close()
    print(f"wrote {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "screenshots")
