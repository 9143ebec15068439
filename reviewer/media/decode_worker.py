"""The decode worker: a separate Python process that turns encoded bytes into a preview or a storyboard.

Started by ``decode_guard.DecodePool`` as ``python -m reviewer.media.decode_worker FD PARENT_PID HEADROOM``
(a fresh interpreter: nothing is forked from the Qt process). It imports the decoders, caps its own
address space (``RLIMIT_AS`` = what the imports mapped + ``HEADROOM`` bytes), says it is ready, then
answers jobs on the connection ``FD`` until it closes: a ``DecodeJob`` (pickled), then the media's bytes,
answered by ``(PreviewResult | StoryboardResult, peak RSS (VmHWM) in KiB)``. A decode that needs more memory than
the cap fails inside the worker (a placeholder "out of memory"), or kills it; either way the app lives.

It exits by itself when the app goes away, even if the app was SIGKILLed: a watchdog thread checks that
its parent is still ``PARENT_PID`` five times a second.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from reviewer.media.preview import PreviewResult, PreviewSpec, placeholder

if TYPE_CHECKING:  # the app imports this module for DecodeJob: PyAV is loaded only in workers
    from reviewer.media.derived import Derived
    from reviewer.media.storyboard import StoryboardResult

#: Test-only behaviours a job may ask for, to prove the parent copes: a decode that never ends, a
#: crash, and an allocation far beyond the address-space cap.
TEST_HOOKS = ("sleep", "abort", "allocate")
_PARENT_POLL_S = 0.2
_M_ARENA_MAX = -8
#: Decodes prepare cases ahead of the reviewer; on a busy machine the app's UI thread (nice 0) must win
#: the CPU over them, so the next case paints in time (issue 17). Idle cores still run them at full speed.
WORKER_NICE = 5


@dataclass(frozen=True)
class DecodeJob:
    """What to do with the bytes that follow: ``kind`` is ``"image"``, ``"video"`` or ``"derive"`` (the
    stored previews of ``reviewer.media.derived``)."""

    kind: str
    spec: PreviewSpec
    decode_budget: int
    timeout_s: float
    frames: int = 6
    test_hook: str = ""


def run_job(job: DecodeJob, data: bytes) -> PreviewResult | StoryboardResult | Derived:
    """Decode ``data`` as ``job`` says. Never raises for bad media."""
    from reviewer.media.derived import derive_bytes
    from reviewer.media.preview import render_preview_bytes
    from reviewer.media.storyboard import storyboard_bytes

    _test_hook(job.test_hook)
    if job.kind == "derive":
        return derive_bytes(data, job.decode_budget)
    if job.kind == "video":
        return storyboard_bytes(data, job.spec, job.frames, job.timeout_s, job.decode_budget)
    return render_preview_bytes(data, job.spec, job.decode_budget)


def _test_hook(hook: str) -> None:
    if hook == "sleep":
        time.sleep(3600)
    elif hook == "abort":
        os.abort()
    elif hook == "allocate":
        bytearray(64 << 30)  # 64 GiB: refused by RLIMIT_AS -> MemoryError


def serve(conn: Connection) -> None:
    """Answer jobs until the connection closes."""
    while True:
        try:
            job = conn.recv()
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            result: PreviewResult | StoryboardResult | Derived = run_job(job, data)
        except MemoryError:
            result = _out_of_memory(job)
        del data
        try:
            conn.send((result, _status_kb("VmHWM:")))
        except (OSError, ValueError):
            return


def _out_of_memory(job: DecodeJob) -> PreviewResult | StoryboardResult | Derived:
    from reviewer.media.derived import Derived
    from reviewer.media.storyboard import StoryboardResult

    reason = "out of memory while decoding"
    if job.kind == "derive":
        return Derived(ok=False, reason="Cannot display: " + reason)
    if job.kind == "video":
        return StoryboardResult(ok=False, reason="Cannot display: " + reason, duration_s=None)
    return placeholder(reason, job.spec)


def _exit_with_parent(parent_pid: int) -> None:
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(_PARENT_POLL_S)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _few_malloc_arenas() -> None:
    """glibc reserves 64 MiB of address space per thread arena; two are plenty for one decode at a time."""
    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        ctypes.CDLL(name).mallopt(_M_ARENA_MAX, 2)
    except (OSError, AttributeError):
        pass


def lower_priority(nice: int = WORKER_NICE) -> int:
    """Run this process at ``nice`` (never raised back: only lowered); returns the niceness now."""
    try:
        now = os.nice(0)
        return os.nice(nice - now) if now < nice else now
    except OSError:  # not permitted here: decodes simply keep the default priority
        return os.nice(0)


def _status_kb(field: str) -> int:
    """A ``/proc/self/status`` figure in KiB (VmHWM = peak RSS since exec; ru_maxrss would include the
    parent's, as it survives exec); 0 if unknown."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def mapped_bytes() -> int:
    """This process's address space now (VmSize), in bytes; 0 if unknown."""
    return _status_kb("VmSize:") * 1024


def cap_address_space(headroom: int) -> int:
    """Limit this process's address space to what is mapped now + ``headroom``; returns the cap (0: none)."""
    base = mapped_bytes()
    if base <= 0 or headroom <= 0:
        return 0
    cap = base + headroom
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    return cap


def main(argv: list[str]) -> int:
    fd, parent_pid, headroom = int(argv[0]), int(argv[1]), int(argv[2])
    _exit_with_parent(parent_pid)
    _few_malloc_arenas()
    lower_priority()
    import av  # noqa: F401  (imported before the cap, so the cap is what decoding itself may add)
    import numpy  # noqa: F401

    conn = Connection(fd)
    cap = cap_address_space(headroom)
    conn.send(("ready", os.getpid(), cap))
    serve(conn)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
