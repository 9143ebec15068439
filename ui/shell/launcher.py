"""The ``reviewer`` console command: the core CLI, with the desktop app plugged in to open.

Qt is imported only when the app actually opens, so ``reviewer demo`` and friends start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ui.shell import deferred

# Before the core CLI's imports: SQLAlchemy imports both modules and the first case uses neither.
deferred.defer(deferred.START_UNUSED)

from reviewer.cli import main as core_main  # noqa: E402 (after the deferral above)

if TYPE_CHECKING:
    from reviewer.reports.content import ReportContent


def prepare_app_start() -> None:
    """What opening the app does before its imports (``bench/bench_cold_start.py``'s child does it too)."""
    from ui.shell import feature_check, heap

    heap.pause_collection()  # until the first case is on screen (MainWindow freezes the start-up heap)
    import PySide6.QtCore  # noqa: F401 (Qt first, so that every later import meets the cheaper check)

    feature_check.speed_up()


def open_app(url: str) -> int:
    prepare_app_start()
    from ui.shell.app import run_app

    return run_app(url)


def render_pdf(content: ReportContent, sha256: str) -> bytes:
    from ui.reports.pdf import render_pdf as draw

    return draw(content, sha256)


def main(argv: Sequence[str] | None = None) -> int:
    return core_main(argv, open_app=open_app, render_pdf=render_pdf)


if __name__ == "__main__":
    sys.exit(main())
