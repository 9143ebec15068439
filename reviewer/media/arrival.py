"""Stored previews made when media arrive: import, sync pull, pack open, and the backfill of older stores.

``Deriver`` runs beside the work that brings media in: each distinct new media is read back from the
store (decrypted, checked), decoded ONCE in a decode worker process (``DecodePool.derive``: the bytes are
hostile) and its derivatives stored sealed beside it (``MediaStore.put_derived``). One thread per worker
feeds the pool, so both cores decode while the import goes on with its rows; ``finish`` waits for the rest.
A derivation never fails the arrival: a problem leaves the media without stored previews, and the
window makes them on first show (``ui/review/preview_cache.py``), as for media that arrived before.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from reviewer.media.decode_guard import DecodePool
from reviewer.media.derived import Derived, pack
from reviewer.media.sniff import HEAD_BYTES, is_video_head
from reviewer.media.store import MediaStore
from reviewer.vault.errors import VaultError
from reviewer.vault.media import MediaIntegrityError

log = logging.getLogger(__name__)

#: A derivation at arrival may take longer than one on screen (the machine is busy importing).
ARRIVAL_TIMEOUT_S = 30.0
#: The arrival workers stay this long after the last derivation (the next import, pull batch or pack
#: reuses them instead of starting interpreters again), then stop.
IDLE_STOP_S = 20.0


class _SharedPool:
    """One decode pool for every arrival in this process, started on first use, stopped when idle."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: DecodePool | None = None
        self._users = 0
        self._timer: threading.Timer | None = None

    def acquire(self) -> DecodePool:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._pool is None:
                self._pool = DecodePool()
            self._users += 1
            return self._pool

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0 and self._pool is not None:
                self._timer = threading.Timer(IDLE_STOP_S, self.stop_if_idle)
                self._timer.daemon = True
                self._timer.start()

    def stop_if_idle(self) -> None:
        with self._lock:
            if self._users == 0 and self._pool is not None:
                self._pool.shutdown()
                self._pool = None
            self._timer = None


_shared = _SharedPool()


@dataclass
class DeriveReport:
    made: int = 0  # stored with pixels
    refused: int = 0  # stored with the decoder's reason
    skipped: int = 0  # not stored: videos, timeouts, unreadable originals


def derive_stored(
    store: MediaStore, sha: str, pool: DecodePool, timeout_s: float = ARRIVAL_TIMEOUT_S
) -> Derived | None:
    """Decode the stored original ``sha`` once in a worker and store its previews (if worth keeping).
    None if the original cannot be read. Never raises for bad media; a failed write is logged."""
    try:
        data = store.read(sha)
    except (OSError, MediaIntegrityError, VaultError):
        return None
    if is_video_head(data[:HEAD_BYTES]):
        return Derived(ok=False, keep=False)  # videos keep their storyboard, made on show
    derived = pool.derive(data, timeout_s=timeout_s)  # a file over the size limit is refused unsent
    if derived.keep:
        try:
            store.put_derived(sha, pack(sha, derived))
        except (OSError, VaultError) as exc:
            log.warning("stored preview of %s not written: %s", sha[:12], exc)
    return derived


class Deriver:
    """Derivatives of media as they arrive, in the background, on ``pool``'s worker processes (by default
    the process's arrival pool: two workers, stopped ``IDLE_STOP_S`` after the last deriver)."""

    def __init__(self, store: MediaStore, pool: DecodePool | None = None) -> None:
        self.store = store
        self._shared = pool is None
        self.pool = pool or _shared.acquire()
        # Two feeders per worker: one reads or stores while the other's decode runs.
        self._threads = ThreadPoolExecutor(2 * self.pool.workers, thread_name_prefix="derive")
        self._futures: list[Future[Derived | None]] = []
        self._seen: set[str] = set()

    def submit(self, sha: str) -> None:
        """Make the previews of ``sha`` (stored already) unless asked before or stored before."""
        if sha in self._seen:
            return
        self._seen.add(sha)
        if self.store.has_derived(sha):
            return
        self._futures.append(self._threads.submit(derive_stored, self.store, sha, self.pool))

    def finish(self) -> DeriveReport:
        """Wait for every derivation asked for; stop the workers if this deriver started them."""
        report = DeriveReport()
        try:
            for future in self._futures:
                derived = future.result()
                if derived is None or not derived.keep:
                    report.skipped += 1
                elif derived.ok:
                    report.made += 1
                else:
                    report.refused += 1
        finally:
            self._close()
        return report

    def cancel(self) -> None:
        """Stop: nothing more is started; the derivations running end first."""
        for future in self._futures:
            future.cancel()
        self._close()

    def _close(self) -> None:
        self._threads.shutdown(wait=True)
        if self._shared:
            self._shared = False
            _shared.release()


def derive_missing(store: MediaStore, shas: Iterable[str], pool: DecodePool | None = None) -> DeriveReport:
    """Stored previews for each of ``shas`` that has none (pull, pack open, backfill); blocks until done."""
    deriver = Deriver(store, pool)
    try:
        for sha in shas:
            if store.has(sha):
                deriver.submit(sha)
    except BaseException:
        deriver.cancel()
        raise
    return deriver.finish()
