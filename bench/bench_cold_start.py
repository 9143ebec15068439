"""Benchmark: cold start, process start -> first case shown, on the 1M-case database (offscreen Qt).

The parent records ``time.time()`` just before ``subprocess.Popen`` of ``python -c <child>``; the child
does what the ``reviewer`` console script, ``ui.shell.launcher.open_app`` and ``ui.shell.app.run_app`` do
(import the launcher, which imports the core CLI and SQLAlchemy; ``prepare_app_start``: the collector
paused, Qt, PySide's import check made cheap; QApplication, policy pack, ``open_database`` with the
migration check, ``start_context``, ``MainWindow``, ``show``), with one hook of this benchmark's own: it connects
the selection's ``case_shown`` and, at the first non-empty case, prints ``time.time()`` once that case is
painted, then exits. The selection announces a case after painting its pane when the window is on
screen; when the first case is read before the window's first expose (the read won the race with the
build), it is announced before any paint, and the hook waits for the expose, inside which the window
paints it (``case_announced`` is the announcement's time). Times of the child's milestones (imports
done, database open, context, window built, shown) are printed too.

Two variants, median of 5 each, on a temp copy of the cached 1M database (the app writes a reviewer
session and a claim; claims are cleared between runs so every run shows the same first case):

* ``cold_start`` — as shipped: ``start_context(db, pack)``, whose session-start backup starts on the io worker
  1.5 s after the first case (so up to the first case both variants run the same code: their difference
  is the run-to-run spread);
* ``cold_start_no_backup`` — ``backup=False``.

``cold_start_floor_ms``: the bare baseline, interleaved with the no-backup runs: a process that imports what
any such app imports (PySide6's widgets and SQLAlchemy's ORM), makes the QApplication and paints one
label, timed the same way (to its first expose). No start of this app can beat it, and it moves with the
machine: this VM's speed drifts by tens of per cent between hours, so ``cold_start_ratio_to_floor`` is
less moved by that drift than the milliseconds (though not free of it: 2.10–2.64× in one afternoon).

``cold_start_no_backup_cpu_ms``: the child's CPU time (user + system, all its threads) up to the first
case, a figure a busy machine does not distort. Target: < 1.0 s. The OS page cache is warm (the copy was just written): "cold" means a new process.

    .venv/bin/python bench/bench_cold_start.py
"""

from __future__ import annotations

import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import ROOT, busy_load, copy_million_db, env_offscreen, load_requested, med, r2

RUNS = 5

#: Both children's end: ``w`` painted, then the milestones ``T`` printed and the process gone.
PAINTED = r"""
def painted():
    # The window paints synchronously inside its expose event, so once it is exposed, a timer that runs
    # after that event sees the case painted. Until then the loop turns over (nothing else is waiting).
    handle = w.windowHandle()
    if handle is None or not handle.isExposed():
        QTimer.singleShot(0, painted)
        return
    T["case_shown"] = time.time()
    print("BENCH " + json.dumps(T), flush=True)
    os._exit(0)  # measure start-up only; a temp copy, nothing to save
"""

CHILD = r"""
import os, sys, time, json
T = {"proc": time.time()}
sys.path.insert(0, ROOT)
import ui.shell.launcher  # what the `reviewer` console script imports first (the core CLI, SQLAlchemy)
ui.shell.launcher.prepare_app_start()  # what open_app does before the app's imports
from ui.shell.app import ensure_qapp
from reviewer.paths import sqlite_url
from reviewer.policy import load_default_pack
from reviewer.storage.migrate import open_database
from ui.shell.context import start_context
from ui.shell.main_window import MainWindow
from PySide6.QtCore import QSettings, QTimer
T["imports"] = time.time()
app = ensure_qapp()
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, SETTINGS)
pack = load_default_pack()
db = open_database(sqlite_url(__import__("pathlib").Path(DB)))
T["db_open"] = time.time()
ctx = start_context(db, pack, backup=BACKUP)
T["context"] = time.time()
w = MainWindow(ctx)
T["window_built"] = time.time()
PAINTED
def shown(view):
    if view is not None and "case_announced" not in T:
        T["case_announced"] = time.time()
        painted()
w.review.selection.case_shown.connect(shown)
w.show()
T["shown"] = time.time()
QTimer.singleShot(60000, lambda: os._exit(3))
app.exec()
""".replace("PAINTED\n", PAINTED.lstrip("\n"))


FLOOR = r"""
import os, sys, time, json
T = {"proc": time.time()}
import sqlalchemy.orm  # noqa: F401
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel
T["imports"] = time.time()
app = QApplication([])
w = QLabel("first case")
w.resize(1480, 900)
PAINTED
w.show()
QTimer.singleShot(0, painted)
QTimer.singleShot(60000, lambda: os._exit(3))
app.exec()
""".replace("PAINTED\n", PAINTED.lstrip("\n"))


def _child(code: str) -> dict[str, float]:
    """Run one child (``CHILD`` or ``FLOOR``); its milestones in ms from just before its process started."""
    t0 = time.time()
    # Byte-code caches are written (the warm-up run writes them), as on a user's machine: a
    # PYTHONDONTWRITEBYTECODE in the bench's environment would have every run compile the app again.
    env = {k: v for k, v in env_offscreen().items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"child failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return {k: (v - t0) * 1000 for k, v in json.loads(line[6:]).items()}


def _floor() -> float:
    """One run of the bare baseline (``FLOOR``): process start to its label painted, ms."""
    return _child(FLOOR)["case_shown"]


def _one(db: Path, settings: Path, backup: bool) -> dict[str, float]:
    code = f"ROOT={str(ROOT)!r}; DB={str(db)!r}; SETTINGS={str(settings)!r}; BACKUP={backup!r}\n" + CHILD
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    marks = _child(code)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_ms = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    with sqlite3.connect(db) as con:  # the next run starts from the same state
        con.execute(
            'UPDATE "case" SET claimed_by = NULL, claim_expires_at = NULL WHERE claimed_by IS NOT NULL'
        )
    con.close()
    return marks | {"cpu": cpu_ms}


def run(runs: int = RUNS) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmpdir:
        tmp = Path(tmpdir)
        db = copy_million_db(tmp)
        out: dict[str, float] = {}
        for backup, name in ((False, "cold_start_no_backup"), (True, "cold_start")):
            _one(db, tmp / "qs", backup)  # warm-up: byte-compile caches, page cache
            samples, floors = [], []
            for _ in range(runs):
                samples.append(_one(db, tmp / "qs", backup))
                if not backup:
                    floors.append(_floor())
            out[f"{name}_ms"] = r2(med([s["case_shown"] for s in samples]))
            if not backup:
                out["cold_start_floor_ms"] = r2(med(floors))
                out["cold_start_ratio_to_floor"] = r2(out[f"{name}_ms"] / out["cold_start_floor_ms"])
                marks = ("proc", "imports", "db_open", "context", "window_built", "shown", "case_announced", "cpu")
                for mark in marks:
                    out[f"{name}_{mark}_ms"] = r2(med([s[mark] for s in samples]))
        return out


def main() -> None:
    print(run())


if __name__ == "__main__":
    with busy_load(load_requested()):  # --load: one busy process beside it
        main()
