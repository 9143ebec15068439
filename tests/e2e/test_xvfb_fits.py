"""End to end at 1280x720: the real window on a real X server (Xvfb, xcb) fills a 1280x720 screen, and no
label on it cuts its text without an elide mark and a tooltip. The window is built as ``run_app`` builds
it, in a child process, because the walk needs the widgets (xdotool only sees pixels)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.e2e.test_xvfb_session import app_env, start_display
from tests.e2e.test_xvfb_session import pytestmark as _xvfb_marks
from tests.support.waiting import PROCESS_WAIT_S

pytestmark = _xvfb_marks

CHILD = """
import json, sys, time
from pathlib import Path
from PySide6.QtCore import QEventLoop, QTimer
from reviewer.paths import sqlite_url
from reviewer.policy import load_default_pack
from reviewer.storage.migrate import open_database
from tests.support.labels import clipped_labels
from ui.shell.app import ensure_qapp
from ui.shell.context import start_context
from ui.shell.main_window import MainWindow

def spin(ms):
    loop = QEventLoop(); QTimer.singleShot(ms, loop.quit); loop.exec()

app = ensure_qapp()
db = open_database(sqlite_url(Path(sys.argv[1])))
w = MainWindow(start_context(db, load_default_pack(), backup=False))
w.setGeometry(app.primaryScreen().availableGeometry())
w.show()
deadline = time.monotonic() + float(sys.argv[3])
cases = []
while time.monotonic() < deadline and len(cases) < 3:
    spin(50)
    view = w.review.selection.current
    if view is not None and (not cases or cases[-1][0] != view.external_id) and not w.review.flow.busy:
        spin(300)  # the case panel's reads land
        cases.append((view.external_id, clipped_labels(w)))
        if len(cases) == 1:
            w.grab().save(sys.argv[2])
        w.review.queue.table.setFocus()
        w.registry.trigger("queue.next")
print("RESULT " + json.dumps({"size": [w.width(), w.height()], "cases": cases}), flush=True)
w.shutdown()
"""


@pytest.fixture
def small_display() -> Iterator[str]:
    yield from start_display("1280x720")


def test_the_window_fits_a_1280x720_screen_and_cuts_no_label(small_display: str, tmp_path: Path) -> None:
    db = tmp_path / "fits.sqlite3"
    env = app_env(small_display, tmp_path)
    subprocess.run(
        [sys.executable, "-m", "ui.shell.launcher", "--db", str(db), "demo", "--cases", "40", "--images", "6"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    shot = Path(os.environ.get("REVIEWER_E2E_SHOT", tmp_path / "fits.png"))
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(db), str(shot), str(PROCESS_WAIT_S)],
        env=env,
        capture_output=True,
        text=True,
        timeout=3 * PROCESS_WAIT_S,
        cwd=Path(__file__).resolve().parents[2],
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, done.stdout + done.stderr
    result = json.loads(lines[0][len("RESULT ") :])
    assert result["size"] == [1280, 720]
    assert len(result["cases"]) == 3, result  # three cases shown one after another
    for external_id, clipped in result["cases"]:
        assert clipped == [], external_id
    with Image.open(shot) as im:  # a real paint, not a blank window
        low, high = im.convert("L").getextrema()
        assert im.size == (1280, 720) and high - low > 100
