"""Four executors, results by signal (after Anki's taskman, which has two).

- ``db``: one worker for every write, in submission order, so writes never race and an "end" job always
  runs after its "start" job.
- ``db-read``: one worker for reads that may take a while (queue pages, counts, case loads, duplicate
  search); WAL lets them run beside a commit, so a slow read never delays a decision.
- ``media``: a small pool for decoding, blurring and hashing.
- ``io``: one worker for long file work (backups, WAL checkpoints) that must never sit in front of the
  database queue.

Results come back to the UI thread through a queued signal, so callbacks may touch widgets. A job gets
values, not widgets or models: what it returns is handed over, and the UI thread applies it.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal

T = TypeVar("T")
log = logging.getLogger(__name__)


class _Bridge(QObject):
    deliver = Signal(object)


class TaskManager(QObject):
    def __init__(self, media_workers: int = 2, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db")
        # Reads that may take a while (duplicate search, counts, pages, case loads) run beside the writer:
        # WAL lets them proceed while a decision commits, so a slow read never delays a decision.
        self._read = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-read")
        self.media_workers = media_workers
        self._media = ThreadPoolExecutor(max_workers=media_workers, thread_name_prefix="media")
        # Long file work (backups) that must never sit in front of the database queue.
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="io")
        self._bridge = _Bridge()
        self._bridge.deliver.connect(self._on_deliver, Qt.ConnectionType.QueuedConnection)
        self._closed = False

    def run_db(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Future[T]:
        return self._submit(self._db, fn, on_done, on_error)

    def run_read(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Future[T]:
        return self._submit(self._read, fn, on_done, on_error)

    def run_media(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Future[T]:
        return self._submit(self._media, fn, on_done, on_error)

    def run_io(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Future[T]:
        return self._submit(self._io, fn, on_done, on_error)

    def _submit(
        self, pool: ThreadPoolExecutor, fn: Callable[[], T], on_done: Any, on_error: Any
    ) -> Future[T]:
        if self._closed:  # the window is closing: late timers and callbacks start nothing new
            dropped: Future[T] = Future()
            dropped.cancel()
            return dropped
        future = pool.submit(fn)

        def finished(f: Future[T]) -> None:
            if not self._closed:
                self._bridge.deliver.emit((f, on_done, on_error))

        future.add_done_callback(finished)
        return future

    def _on_deliver(self, packet: tuple[Future[Any], Any, Any]) -> None:
        future, on_done, on_error = packet
        if future.cancelled() or self._closed:
            return
        exc = future.exception()
        if exc is not None and on_error is None:
            log.error("background task failed: %s", "".join(traceback.format_exception(exc)))
            return
        try:
            if exc is not None:
                on_error(exc)
            elif on_done is not None:
                on_done(future.result())
        except RuntimeError as err:
            if not _widget_gone(err):
                raise
            # The result of work started for a window or panel deleted since (closed while a read ran,
            # a test's window closed without shutting its tasks down): nothing is left to show it.
            log.debug("result dropped, its widget is gone: %s", err)

    @property
    def closed(self) -> bool:
        """Shut down: nothing new starts."""
        return self._closed

    def wait_db_idle(self, timeout: float = 10.0) -> None:
        """Block until queued database work is done (used at shutdown and in tests)."""
        if self._closed:
            return
        self._db.submit(lambda: None).result(timeout)

    def shutdown(self) -> None:
        self._closed = True
        self._db.shutdown(wait=True)
        self._read.shutdown(wait=False, cancel_futures=True)
        self._io.shutdown(wait=True)  # a backup in progress finishes rather than leaving half a file
        self._media.shutdown(wait=False, cancel_futures=True)


def _widget_gone(err: RuntimeError) -> bool:
    """Whether ``err`` is Qt's "Internal C++ object (…) already deleted": a callback reached a widget
    that no longer exists. Any other RuntimeError is a real failure and propagates."""
    return "already deleted" in str(err) and "C++ object" in str(err)
