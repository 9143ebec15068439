"""End to end: the real app in an Xvfb window, real keys from xdotool, then the database is checked.

Skips (saying why) only where Xvfb or xdotool are not installed; `./dev setup` installs both.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.skipif(
        not (shutil.which("Xvfb") and shutil.which("xdotool")),
        reason="needs Xvfb and xdotool (installed by ./dev setup via apt-get)",
    ),
]


@pytest.fixture
def display() -> Iterator[str]:
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as fh:
        number = fh.readline().strip()
    assert number, "Xvfb did not report a display"
    yield f":{number}"
    server.terminate()
    server.wait(10)


def _decisions(db: Path) -> list[tuple[str, str | None]]:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT action, policy_code FROM decision ORDER BY created_at").fetchall()
    finally:
        con.close()


def _until(predicate, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the app")


def test_real_window_real_keys(display: str, tmp_path: Path) -> None:
    db = tmp_path / "e2e.sqlite3"
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "REVIEWER_DATA_DIR": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "REVIEWER_USER": "e2e",
    }
    subprocess.run(
        [sys.executable, "-m", "ui.shell.launcher", "--db", str(db), "demo", "--cases", "60", "--images", "9"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    app = subprocess.Popen(
        [sys.executable, "-m", "ui.shell.launcher", "--db", str(db)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        found = subprocess.run(
            ["xdotool", "search", "--sync", "--onlyvisible", "--name", "Reviewer Workstation"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        window = found.stdout.split()[0]
        time.sleep(1.0)  # let the first case and its preview arrive

        def key(*names: str, check: bool = True) -> None:
            subprocess.run(["xdotool", "key", "--window", window, *names], env=env, check=check, timeout=10)
            time.sleep(0.25)

        subprocess.run(["xdotool", "windowfocus", "--sync", window], env=env, check=False, timeout=10)
        key("k")
        _until(lambda: len(_decisions(db)) == 1)
        key("r")
        key("1")
        _until(lambda: len(_decisions(db)) == 2)
        key("e")
        _until(lambda: len(_decisions(db)) == 3)
        key("ctrl+z")
        _until(lambda: len(_decisions(db)) == 4)
        key("s")
        _until(lambda: len(_decisions(db)) == 5)
        actions = _decisions(db)
        assert [a for a, _ in actions] == ["keep", "remove", "escalate", "undo", "skip"]
        assert actions[0][1] == "NV-0" and actions[1][1] is not None
        key("ctrl+q")  # the session summary comes first…
        time.sleep(0.5)
        summary = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", "Session summary"],
            env=env,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.split()
        assert summary, "the end-of-session summary did not appear"
        subprocess.run(["xdotool", "key", "--window", summary[0], "Return"], env=env, check=False, timeout=10)
        assert app.wait(30) == 0
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    verify = subprocess.run(
        [sys.executable, "-m", "ui.shell.launcher", "--db", str(db), "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verify.stdout.startswith("OK"), verify.stdout + verify.stderr
