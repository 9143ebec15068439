"""The sync thread: one worker of its own for everything that talks to the team server.

A sync may take seconds (a slow network, a first pull of thousands of cases), so it never runs on the UI
thread nor on the review's database workers (``ui/shell/tasks.py``), where it would hold up decisions and
case loads. Every job here (the periodic sync, "Sync now", a checkout) runs on this one thread in turn, so
two never overlap; a sync asked for while one runs is run once more after it, not twice.

Results and progress come back to the UI thread through queued signals. A failure is handed to the
callback as a value and never raises into Qt. At quit :meth:`stop` makes the running job end at its next
progress report (each push batch and pull batch is one transaction, so stopping between them loses
nothing) and waits for it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal

T = TypeVar("T")
Progress = Callable[[str, int, int], None]
log = logging.getLogger(__name__)


class SyncStopped(Exception):
    """Raised inside a job's progress report when the app is quitting."""


class SyncRunner(QObject):
    """A one-thread executor whose results and progress reach the UI thread by signal."""

    progressed = Signal(str, int, int)  # what, done, total (from the running job)
    _deliver = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync")
        self._stopping = threading.Event()
        self._deliver.connect(self._on_deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def stopped(self) -> bool:
        return self._stopping.is_set()

    def progress(self, what: str, done: int, total: int) -> None:
        """The progress callback handed to core functions (runs on the sync thread)."""
        if self._stopping.is_set():
            raise SyncStopped("the app is quitting")
        self.progressed.emit(what, done, total)

    def run(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Future[T] | None:
        """Queue ``fn`` on the sync thread; ``on_done(result)`` / ``on_error(exc)`` run on the UI thread.

        Returns None when the runner is stopped (nothing is started at quit)."""
        if self._stopping.is_set():
            return None
        future = self._pool.submit(fn)

        def finished(f: Future[T]) -> None:
            if not self._stopping.is_set():
                self._deliver.emit((f, on_done, on_error))

        future.add_done_callback(finished)
        return future

    def _on_deliver(self, packet: tuple[Future[Any], Any, Any]) -> None:
        future, on_done, on_error = packet
        if future.cancelled() or self._stopping.is_set():
            return
        exc = future.exception()
        try:
            if exc is not None:
                if on_error is not None:
                    on_error(exc)
                else:
                    log.warning("sync job failed: %s", exc)
            elif on_done is not None:
                on_done(future.result())
        except Exception:  # a callback's bug must not raise into Qt's event loop
            log.exception("sync callback failed")

    def stop(self, timeout: float = 30.0) -> None:
        """Start nothing more, make the running job stop at its next progress report, and wait for it."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        done = threading.Event()

        def drain() -> None:
            self._pool.shutdown(wait=True)
            done.set()

        threading.Thread(target=drain, name="sync-stop", daemon=True).start()
        if not done.wait(timeout):
            log.warning("a sync was still running at quit; it is left to end on its own")
