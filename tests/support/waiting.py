"""Waiting for a state, never for a fixed time.

Every wait in the suite is for a condition, bounded by a generous upper limit: the limit only decides
how long a broken test takes to fail, never how long a passing one takes, so it must hold on a loaded
machine (the suite is checked with busy-loop processes running beside it). Speed is measured in
``bench/``, not asserted here.
"""

from __future__ import annotations

import time
from collections.abc import Callable

UI_WAIT_MS = 30_000  # qtbot.waitUntil / waitSignal upper bound
PROCESS_WAIT_S = 60.0  # a subprocess reaching a state (the e2e app, a lock holder)


def wait_for(predicate: Callable[[], object], what: str, timeout: float = PROCESS_WAIT_S) -> None:
    """Poll ``predicate`` until it is true; fail naming ``what`` after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while True:
        if predicate():
            return
        if time.monotonic() >= end:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)  # a poll interval, not a wait for something to happen
