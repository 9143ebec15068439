"""Decodes in killable worker processes, each with a capped address space.

``DecodePool`` keeps up to ``DEFAULT_WORKERS`` worker processes (``reviewer.media.decode_worker``), each a
fresh interpreter started with ``subprocess`` (fork + exec: nothing is forked from the Qt process, and
the app's ``__main__`` is never re-imported). A caller hands over the media's *encoded bytes*, a
``PreviewSpec`` and the decode budget, and blocks (on its own thread, never the UI's) until the answer:

* the worker's ``PreviewResult`` / ``StoryboardResult`` (raw pixels at display size only);
* a placeholder "took too long to decode" after ``timeout_s``: the worker is SIGKILLed at that moment,
  so nothing keeps decoding behind the placeholder, and a fresh one takes its place on the next call;
* a placeholder "the decoder crashed (...)" when the worker dies (abort, segfault, out of memory); the
  pool recovers the same way.

Workers start on first use (nothing at app start), at most one decode runs per worker, and callers beyond
the worker count wait their turn (the wait counts against their timeout). They never outlive the app:
``shutdown``, an ``atexit`` hook and garbage collection kill them, and each worker exits by itself if its
parent dies (even by SIGKILL).
"""

from __future__ import annotations

import atexit
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, cast

from reviewer.media import budget, limits
from reviewer.media.decode_worker import DecodeJob
from reviewer.media.preview import PreviewResult, PreviewSpec, placeholder

if TYPE_CHECKING:  # PyAV (under storyboard) is loaded only where a storyboard is made: in the workers
    from reviewer.media.derived import Derived
    from reviewer.media.storyboard import StoryboardResult

DEFAULT_WORKERS = 2
#: Address space a worker may add to what its imports mapped (RLIMIT_AS). Measured (VmPeak over the mapped
#: size at the cap): a 4K H.264 storyboard adds 108 MiB, a WebP at the budget 87, an 8000x8000 greyscale
#: PNG 67, a 100 MP JPEG (decoded at 1/8) 15. The budget + 64 MiB holds all of them with a third to spare,
#: and bounds what a decode the estimate gets wrong can take.
ADDRESS_SPACE_HEADROOM: int = budget.DECODE_BUDGET_BYTES + 64 * 1024 * 1024
#: How long a new worker may take to import its decoders before it counts as broken.
START_TIMEOUT_S = 60.0
#: A storyboard stops itself at its timeout and returns the frames it has; this is how much longer the
#: parent waits for that answer before killing the worker.
STORYBOARD_GRACE_S = 2.0

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_DEFAULT_SPEC = PreviewSpec()


#: What a connection raises when its worker has died (or another thread stopped it mid-call).
_CONNECTION_LOST = (EOFError, OSError, ValueError, TypeError)


class _Lost(Exception):
    """The worker gave no answer: ``reason`` says why; the worker is gone."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Worker:
    def __init__(self, headroom: int) -> None:
        parent_end, child_end = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH", "")) if p)
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = "1"
        env["MALLOC_ARENA_MAX"] = "2"
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "reviewer.media.decode_worker",
                    str(child_end.fileno()),
                    str(os.getpid()),
                    str(headroom),
                ],
                pass_fds=(child_end.fileno(),),
                stdin=subprocess.DEVNULL,
                env=env,
            )
        finally:
            child_end.close()
        self.conn = Connection(parent_end.detach())
        self.ready = False
        self.address_space_cap = 0

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def call(self, job: DecodeJob, data: bytes, deadline: float) -> tuple[object, int]:
        """Send the job, wait until ``deadline`` (perf_counter) for ``(result, peak RSS KiB)``."""
        if not self.ready:
            self._wait_ready()
        try:
            self.conn.send(job)
            self.conn.send_bytes(data)
            if not self.conn.poll(max(0.0, deadline - time.perf_counter())):
                self.kill()
                raise _Lost("timeout")
            answer: tuple[object, int] = self.conn.recv()
        except _CONNECTION_LOST:
            raise _Lost(self._death()) from None
        return answer

    def _wait_ready(self) -> None:
        try:
            if not self.conn.poll(START_TIMEOUT_S):
                self.kill()
                raise _Lost("the decoder did not start")
            _, _, cap = self.conn.recv()
        except _CONNECTION_LOST:
            raise _Lost(self._death()) from None
        self.ready, self.address_space_cap = True, int(cap)

    def _death(self) -> str:
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            return "the decoder stopped answering"
        self.conn.close()
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return f"the decoder crashed ({name})"
        return f"the decoder crashed (exit status {code})"

    def stop_process(self) -> None:
        """SIGKILL the worker and reap it. Safe from any thread: the connection is left to its user."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def kill(self) -> None:
        """Stop the process and close the connection (only from the thread that uses the worker)."""
        self.stop_process()
        self.conn.close()


def _kill_all(workers: set[_Worker]) -> None:
    # A thread may be waiting on a worker's connection: it sees the end of the stream and closes it.
    for worker in list(workers):
        worker.stop_process()
    workers.clear()


class DecodePool:
    """At most ``workers`` decodes at once, each in its own killable process. Thread-safe."""

    def __init__(self, workers: int = DEFAULT_WORKERS, headroom: int = ADDRESS_SPACE_HEADROOM) -> None:
        self.workers = max(1, int(workers))
        self._headroom = headroom
        # Last in, first out: a warm worker is reused before an empty slot starts a second process.
        self._slots: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        for _ in range(self.workers):
            self._slots.put(None)
        self._live: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        #: Largest peak RSS (KiB) any worker reported after a decode: what one decode cost at most.
        self.peak_worker_rss_kb = 0
        self._finalizer = weakref.finalize(self, _kill_all, self._live)
        atexit.register(self._finalizer)

    # -- public ------------------------------------------------------------------------------------
    def preview(
        self,
        data: bytes,
        spec: PreviewSpec = _DEFAULT_SPEC,
        timeout_s: float = limits.DEFAULT_DECODE_TIMEOUT_S,
        decode_budget: int = budget.DECODE_BUDGET_BYTES,
    ) -> PreviewResult:
        """``render_preview_bytes`` in a worker, killed after ``timeout_s``. Never raises for bad media."""
        result = self.run(DecodeJob("image", spec, decode_budget, timeout_s), data)
        assert isinstance(result, PreviewResult)
        return result

    def storyboard(
        self,
        data: bytes,
        spec: PreviewSpec = _DEFAULT_SPEC,
        frames: int = 6,
        timeout_s: float = limits.DEFAULT_DECODE_TIMEOUT_S,
        decode_budget: int = budget.DECODE_BUDGET_BYTES,
    ) -> StoryboardResult:
        """``storyboard_bytes`` in a worker; it stops itself at ``timeout_s`` and is killed soon after."""
        result = self.run(DecodeJob("video", spec, decode_budget, timeout_s, frames), data)
        assert not isinstance(result, PreviewResult)
        return cast("StoryboardResult", result)  # a "video" job answers with a storyboard

    def derive(
        self,
        data: bytes,
        timeout_s: float = limits.DEFAULT_DECODE_TIMEOUT_S,
        decode_budget: int = budget.DECODE_BUDGET_BYTES,
    ) -> Derived:
        """The stored previews of an image (``reviewer.media.derived.derive_bytes``), made in a worker by
        one decode. A timeout or a stopped pool comes back not to be kept (``keep=False``)."""
        from reviewer.media.derived import Derived

        result = self.run(DecodeJob("derive", _DEFAULT_SPEC, decode_budget, timeout_s), data)
        assert isinstance(result, Derived)
        return result

    def run(self, job: DecodeJob, data: bytes) -> PreviewResult | StoryboardResult | Derived:
        """Run ``job`` on ``data`` in a worker; failures of the worker come back as placeholders."""
        t0 = time.perf_counter()
        wait = job.timeout_s + (STORYBOARD_GRACE_S if job.kind == "video" else 0.0)
        deadline = t0 + max(0.0, wait)
        size_reason = limits.file_size_reason(len(data))
        if size_reason:  # do not ship it to a worker at all
            return _failed(job, size_reason, t0)
        try:
            worker = self._slots.get(timeout=max(0.0, deadline - time.perf_counter()))
        except queue.Empty:
            return _failed(job, _too_long(job), t0, transient=True)
        try:
            worker = self._usable(worker)
            if worker is None:
                return _failed(job, "the decoder is shut down", t0, transient=True)
            result, peak_kb = worker.call(job, data, deadline)
        except _Lost as lost:
            self._forget(worker)
            worker = None
            transient = lost.reason == "timeout" or "start" in lost.reason or "answering" in lost.reason
            return _failed(job, _too_long(job) if lost.reason == "timeout" else lost.reason, t0, transient)
        finally:
            self._slots.put(worker)
        self.peak_worker_rss_kb = max(self.peak_worker_rss_kb, int(peak_kb))
        return cast(
            "PreviewResult | StoryboardResult | Derived", result
        )  # what the worker's run_job returned

    def pids(self) -> list[int]:
        """Process ids of the workers running now."""
        with self._lock:
            return [w.pid for w in self._live if w.alive()]

    def address_space_caps(self) -> list[int]:
        """RLIMIT_AS of each ready worker (bytes)."""
        with self._lock:
            return [w.address_space_cap for w in self._live if w.ready]

    def shutdown(self) -> None:
        """Kill every worker now (a decode in progress gets a placeholder); later calls get one too."""
        with self._lock:
            self._closed = True
        self._finalizer()

    # -- internals ---------------------------------------------------------------------------------
    def _usable(self, worker: _Worker | None) -> _Worker | None:
        if worker is not None and worker.alive():
            return worker
        self._forget(worker)
        with self._lock:
            if self._closed:
                return None
            try:
                fresh = _Worker(self._headroom)
            except OSError as exc:  # no processes or file descriptors left
                raise _Lost(f"the decoder could not start ({exc.strerror or type(exc).__name__})") from None
            self._live.add(fresh)
        return fresh

    def _forget(self, worker: _Worker | None) -> None:
        if worker is None:
            return
        worker.kill()
        with self._lock:
            self._live.discard(worker)


def _too_long(job: DecodeJob) -> str:
    return f"took too long to decode (limit {job.timeout_s:g} s)"


def _failed(
    job: DecodeJob, reason: str, t0: float, transient: bool = False
) -> PreviewResult | StoryboardResult | Derived:
    """A placeholder for ``job``; ``transient``: the failure says nothing about the file (not stored)."""
    elapsed_ms = (time.perf_counter() - t0) * 1000.0
    if job.kind == "derive":
        from reviewer.media.derived import Derived

        text = reason if reason.startswith("Cannot display: ") else "Cannot display: " + reason
        return Derived(ok=False, reason=text, keep=not transient)
    if job.kind == "video":
        from reviewer.media.storyboard import StoryboardResult

        text = reason if reason.startswith("Cannot display: ") else "Cannot display: " + reason
        return StoryboardResult(ok=False, reason=text, duration_s=None, elapsed_ms=elapsed_ms)
    return placeholder(reason, job.spec, elapsed_ms=elapsed_ms)
