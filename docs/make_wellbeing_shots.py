"""Render the break screen and the session summary offscreen for the docs (1000x650 PNGs).

Run from the repository root: ``.venv/bin/python docs/make_wellbeing_shots.py [out_dir]``.
Writes ``break-screen.png`` and ``session-summary.png`` (default: next to this script).
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

from reviewer.session_figures import SessionFigures
from reviewer.wellbeing.exposure import ExposureTotals
from reviewer.wellbeing.settings import DEFAULT_SUPPORT_TEXT
from reviewer.wellbeing.summary import SessionSummary
from ui.wellbeing.break_screen import BreakScreen
from ui.wellbeing.summary_dialog import SummaryDialog

SIZE = (1000, 650)


def sample_summary() -> SessionSummary:
    return SessionSummary(
        figures=SessionFigures(
            decided=53, escalated=4, skipped=4, undone=3, actions={"remove": 24, "keep": 18, "restrict": 9, "escalate": 4, "warn": 2, "skip": 4},
            median_handle_s=38.0, mean_handle_s=52.4, timed=55, bulk=6,
        ),
        exposure=ExposureTotals(seconds=1134.0, weighted=2460.5, reveals=83),
        breaks=3,
        breaks_by_kind={"reminder": 1, "enforced": 1, "voluntary": 1},
        break_time=timedelta(minutes=34, seconds=20),
        duration=timedelta(hours=3, minutes=47),
    )


def _shot(widget: QWidget, path: Path) -> None:
    widget.resize(*SIZE)
    widget.show()
    QApplication.processEvents()
    widget.grab().save(str(path))
    widget.close()
    print(f"wrote {path}")


def main(out_dir: Path) -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    app.setFont(QFont("DejaVu Sans", 10))
    out_dir.mkdir(parents=True, exist_ok=True)

    now = datetime(2026, 11, 30, 14, 20, 18, tzinfo=UTC)
    screen = BreakScreen()
    screen.show_break(
        "enforced", "hour_cap", now + timedelta(minutes=9, seconds=42), DEFAULT_SUPPORT_TEXT, now=now
    )
    _shot(screen, out_dir / "break-screen.png")

    dialog = SummaryDialog(sample_summary(), DEFAULT_SUPPORT_TEXT)
    _shot(dialog, out_dir / "session-summary.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
