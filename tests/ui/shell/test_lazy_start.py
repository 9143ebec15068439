"""Cold start: what the first case does not need is imported on first use, and every action is still
registered with its key from the start. In a child process, so nothing imported by other tests counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from reviewer.paths import sqlite_url
from reviewer.storage.migrate import open_database

ROOT = Path(__file__).resolve().parents[3]

#: Imported only when first used: the sync engine (with the first sync, after the first case is shown)
#: and the dialogs of features the first case never shows.
DEFERRED = (
    "reviewer.sync.engine",
    "reviewer.sync.pull",
    "ui.sync.conflicts_view",
    "ui.sync.offline_dialog",
    "ui.investigations.window",
    "ui.metrics.dialog",
    "ui.policy_updates.changes_view",
    "ui.policy_updates.gaps_view",
    "ui.reports.dialog",
    "ui.reports.pdf",
    "reviewer.reports.gather",
    "ui.responses.list_view",
    "ui.wellbeing.settings_dialog",
    "reviewer.qa.reviews",
    "reviewer.appeals.outcomes",
    "ui.commands.cheatsheet",
    "ui.commands.palette",
    "ui.commands.keymap_editor",
    "sqlalchemy.dialects.postgresql",
    "alembic",
    "reviewer.investigations",
    "reviewer.policy_gaps",
    "reviewer.models.metrics",  # the rollups are read in SQL; their models only describe the schema
)

FIRST_USE_MODULES = (
    "ui.metrics.dialog",
    "ui.policy_updates.changes_view",
    "ui.policy_updates.gaps_view",
    "ui.investigations.window",
    "ui.responses.list_view",
    "ui.reports.dialog",
    "ui.sync.conflicts_view",
    "ui.sync.offline_dialog",
)

CHILD = r"""
import json, sys
from pathlib import Path
from PySide6.QtCore import QEventLoop, QTimer
from reviewer.paths import sqlite_url
from reviewer.policy import load_default_pack
from reviewer.storage.migrate import open_database
from ui.shell.app import ensure_qapp
from ui.shell.main_window import MainWindow, action_specs, start_context

from ui.commands.registry import ActionRegistry
from ui.wellbeing.panic import PanicKeys

FILTERED = {"n": 0}
def counted(cls):
    original = cls.eventFilter
    def event_filter(self, watched, event):
        FILTERED["n"] += 1
        return original(self, watched, event)
    cls.eventFilter = event_filter
for cls in (ActionRegistry, PanicKeys):
    counted(cls)

app = ensure_qapp()
db = open_database(sqlite_url(Path(sys.argv[1])))
w = MainWindow(start_context(db, load_default_pack(), backup=False))
out = {"filtered_while_built": FILTERED["n"]}
w.show()
out["filtered_by_show"] = FILTERED["n"]
out["at_start"] = sorted(m for m in DEFERRED if m in sys.modules)
app.processEvents()
out["filtered_once_shown"] = FILTERED["n"]
out["unbound"] = [s.id for s in action_specs() if not w.registry.keys_for(s.id)]
out["registered"] = sorted(s.id for s in w.registry.specs())
out["all"] = sorted(s.id for s in action_specs())
loop = QEventLoop()
def check():
    if w._late_started:
        loop.quit()
    else:
        QTimer.singleShot(20, check)
QTimer.singleShot(0, check)
QTimer.singleShot(20000, loop.quit)
loop.exec()
out["filtered_after_first_case"] = FILTERED["n"]
out["sync_engine_after_first_case"] = "reviewer.sync.engine" in sys.modules
from PySide6.QtWidgets import QDialog
FIRST_USE = {
    "app.metrics": "ui.metrics.dialog",
    "policy.changes": "ui.policy_updates.changes_view",
    "policy.gaps": "ui.policy_updates.gaps_view",
    "investigation.open": "ui.investigations.window",
    "response.list": "ui.responses.list_view",
    "report.export": "ui.reports.dialog",
    "sync.conflicts": "ui.sync.conflicts_view",
    "sync.take_offline": "ui.sync.offline_dialog",
}
for action, module in FIRST_USE.items():
    w.registry.trigger(action)
    loop = QEventLoop()
    def wait(module=module, loop=loop):
        if module in sys.modules:
            loop.quit()
        else:
            QTimer.singleShot(20, wait)
    QTimer.singleShot(0, wait)
    QTimer.singleShot(10000, loop.quit)
    loop.exec()
    for d in app.topLevelWidgets():
        if isinstance(d, QDialog) and d.isVisible():
            d.reject()
    app.processEvents()
out["after_use"] = sorted(m for m in DEFERRED if m in sys.modules)
print("RESULT " + json.dumps(out), flush=True)
w.hide()
w.shutdown()
db.dispose()
"""


def test_deferred_modules_load_on_first_use_and_every_action_is_bound_at_start(tmp_path: Path) -> None:
    db_file = tmp_path / "lazy.sqlite3"
    open_database(sqlite_url(db_file)).dispose()  # at the schema head, as at an everyday start
    code = f"DEFERRED = {DEFERRED!r}\n" + CHILD
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", code, str(db_file)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert line is not None, proc.stderr[-3000:]
    out = json.loads(line[7:])
    assert out["at_start"] == []
    # The application-wide key filters start once the first case is on screen (each event of the build
    # and of the first paint would be a Python call), and do filter from then on.
    assert out["filtered_while_built"] == 0
    assert out["filtered_by_show"] == 0  # show() sends dozens of events (show, polish, resize)
    assert out["filtered_after_first_case"] > out["filtered_once_shown"]
    assert out["registered"] == out["all"]  # every action registered at start (keymap, palette)
    assert out["unbound"] == []
    assert out["sync_engine_after_first_case"], proc.stderr[-3000:]
    assert set(out["after_use"]) >= {*FIRST_USE_MODULES}
