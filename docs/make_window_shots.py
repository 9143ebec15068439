"""Render the main window for the docs: blurred by default, and a spotlight reveal (1480x900 PNGs).

Run from the repository root: ``QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_window_shots.py``.
Builds a 3,000-case demo database in a temp folder (synthetic pictures only), opens the real window on
it, moves to the first case with a picture, and writes ``main-window-blurred.png``, ``case-panel.png``
(the case panel below the queue) and ``main-window-spotlight.png`` next to this script (or into the folder given as the first argument).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("REVIEWER_USER", "reviewer")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QPointF
from PySide6.QtGui import QFont
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from reviewer.demo import DemoSpec, build_demo
from reviewer.paths import sqlite_url
from reviewer.policy import load_default_pack
from reviewer.storage.migrate import open_database
from ui.review.policy_panel import CodeRole
from ui.shell.app import ensure_qapp
from ui.shell.context import start_context
from ui.shell.main_window import MainWindow

SIZE = (1480, 900)


def _until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise SystemExit(f"timed out waiting for {what}")
        QApplication.processEvents()
        time.sleep(0.01)


def main(out_dir: Path) -> None:
    app = ensure_qapp()
    app.setFont(QFont("DejaVu Sans", 9))
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["REVIEWER_DATA_DIR"] = tmp
        db = open_database(sqlite_url(Path(tmp) / "demo.sqlite3"))
        build_demo(db, DemoSpec(cases=3000, seed=7, images=60))
        w = MainWindow(start_context(db, load_default_pack(), backup=False))
        w.resize(*SIZE)
        w.show()
        review = w.review
        _until(lambda: review.selection.current is not None, "the first case")
        for _ in range(40):  # the first case whose picture is ready
            current = review.selection.current
            ready = current is not None and current.media_items() and review.preview.canvas.has_image()
            if ready and not review.preview.needs_confirmation():  # one key reveals it
                break
            review.selection.step(1)
            _until(lambda: review.selection.current is not None, "the next case")
            end = time.monotonic() + 3
            while time.monotonic() < end and not review.preview.canvas.has_image():
                QApplication.processEvents()
        policy = review.policy  # its detail follows the case just after the paint
        policy.picks()  # applies the case's category now rather than after the next paint
        _until(lambda: policy._shown_detail == policy.list.currentIndex().data(CodeRole), "the policy text")
        _until(lambda: w.case_panel.context is not None, "the case context")
        w.grab().save(str(out_dir / "main-window-blurred.png"))
        print(f"wrote {out_dir / 'main-window-blurred.png'}")
        w.case_panel.panel.grab().save(str(out_dir / "case-panel.png"))  # thumbnails: blurred only
        print(f"wrote {out_dir / 'case-panel.png'}")

        canvas = review.preview.canvas
        w.registry.trigger("view.spotlight")
        rect = canvas.image_rect()
        point = QPointF(rect.left() + rect.width() * 0.62, rect.top() + rect.height() * 0.45)
        QTest.mouseMove(canvas, point.toPoint())
        _until(lambda: canvas.reveal_mode == "spotlight", "the spotlight")
        QApplication.processEvents()
        w.grab().save(str(out_dir / "main-window-spotlight.png"))
        print(f"wrote {out_dir / 'main-window-spotlight.png'}")
        w.registry.trigger("view.spotlight")
        w.close()
        w.shutdown()
        db.dispose()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
