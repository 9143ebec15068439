"""Wall-clock bound for preview decoding.

``render_with_timeout`` runs ``render_preview`` on a small shared pool of *daemon* threads and gives
up waiting after ``timeout_s``, returning a "took too long to decode" placeholder. Python cannot
kill a thread, so a timed-out decode finishes in the background; the pixel/file-size limits in
``limits`` bound how long and how much memory that can take, and daemon threads never block
interpreter exit (unlike ``concurrent.futures.ThreadPoolExecutor``, whose workers are joined).

Time spent queued behind other decodes counts against the timeout; a request that never started is
cancelled.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from reviewer.media import limits
from reviewer.media.preview import (
    PreviewResult,
    PreviewSpec,
    placeholder,
    render_preview,
    render_preview_bytes,
)

_DEFAULT_SPEC = PreviewSpec()


class DaemonPool:
    """Minimal executor whose workers are daemon threads, started lazily up to ``max_workers``."""

    def __init__(self, max_workers: int, name: str = "preview-decode") -> None:
        self._max_workers = max(1, max_workers)
        self._name = name
        self._queue: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]] = (
            queue.SimpleQueue()
        )
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._idle = 0

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        fut: Future[Any] = Future()
        with self._lock:
            if self._idle == 0 and len(self._threads) < self._max_workers:
                thread = threading.Thread(
                    target=self._work, name=f"{self._name}-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            else:
                self._idle = max(0, self._idle - 1)
        self._queue.put((fut, fn, args))
        return fut

    def _work(self) -> None:
        while True:
            fut, fn, args = self._queue.get()
            if fut.set_running_or_notify_cancel():
                try:
                    result = fn(*args)
                except BaseException as exc:
                    fut.set_exception(exc)
                else:
                    fut.set_result(result)
            with self._lock:
                self._idle += 1


_POOL = DaemonPool(max_workers=min(4, os.cpu_count() or 2))


def render_with_timeout(
    path: Path | str, spec: PreviewSpec = _DEFAULT_SPEC, timeout_s: float = limits.DEFAULT_DECODE_TIMEOUT_S
) -> PreviewResult:
    """``render_preview`` bounded by ``timeout_s`` seconds of wall-clock time. Never raises for bad files."""
    return _wait(_POOL.submit(render_preview, path, spec), spec, timeout_s, time.perf_counter())


def render_bytes_with_timeout(
    data: bytes, spec: PreviewSpec = _DEFAULT_SPEC, timeout_s: float = limits.DEFAULT_DECODE_TIMEOUT_S
) -> PreviewResult:
    """``render_preview_bytes`` bounded by ``timeout_s`` seconds of wall-clock time."""
    return _wait(_POOL.submit(render_preview_bytes, data, spec), spec, timeout_s, time.perf_counter())


def _wait(fut: Future[PreviewResult], spec: PreviewSpec, timeout_s: float, t0: float) -> PreviewResult:
    try:
        return fut.result(timeout=max(0.0, float(timeout_s)))
    except FutureTimeout:
        fut.cancel()  # only effective if it never started; otherwise it finishes in the background
        return placeholder(
            f"took too long to decode (limit {timeout_s:g} s)",
            spec,
            elapsed_ms=(time.perf_counter() - t0) * 1000.0,
        )
    except Exception as exc:
        return placeholder(
            f"preview failed ({type(exc).__name__})", spec, elapsed_ms=(time.perf_counter() - t0) * 1000.0
        )
