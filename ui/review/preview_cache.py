"""Prepared previews, off the UI thread: decode + downscale + blur in worker processes, kept in an LRU.

The window asks for the current case's media and prefetches the next few cases, so moving on shows a
ready blurred image. A media thread (``TaskManager.run_media``) reads the file's bytes through
``read_media`` (the one place media are read for display) and hands them to the ``DecodePool``, whose
worker processes decode under the decode budget and an address-space cap and are killed on timeout.
The media threads are as many as the pool's workers, so prefetch never queues more decodes than there
are workers. QImages are built on the media thread (QImage, unlike QPixmap, is thread-safe to create).

With a store of stored previews (``StoredPreviews``: the window's), an image is shown from its
derivatives (``reviewer.media.derived``: made once when the media arrived): read, decrypted, checked and
two small JPEGs decoded on the media thread, in this process: they are our own bytes, written by our decode
worker and authenticated by AES-GCM, not imported data. Media without them (stored before, or a damaged
derivative) get them made by the worker on first show, and stored. The original is decoded again only on
an explicit request (``request_original``), through the worker as before.
"""

from __future__ import annotations

import stat
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from reviewer.media import derived as stored
from reviewer.media import limits
from reviewer.media.decode_guard import DecodePool
from reviewer.media.preview import PreviewResult, PreviewSpec, RenderedImage
from reviewer.media.store import MediaStore
from reviewer.memory import map_large_blocks, release_free_memory
from reviewer.vault.errors import KeyUnavailable, VaultError
from reviewer.vault.media import MediaIntegrityError
from ui.shell.tasks import TaskManager

DECODE_TIMEOUT_S = 8.0
#: Freed preview memory is given back to the system (``reviewer.memory``) this long after the last
#: eviction of a burst of stored previews.
TRIM_AFTER_MS = 150
STORYBOARD_FRAMES = 6


class LazyImage:
    """A QImage made once, on first use, by whichever thread asks first (the others wait for it).

    A stored preview's clear image is one: the case paints blurred without it, a media thread makes it
    right after (``PreviewCache``), and a reveal pressed before that makes it on the spot (~3 ms).
    """

    def __init__(self, make: Callable[[], QImage]) -> None:
        self._make: Callable[[], QImage] | None = make
        self._image: QImage | None = None
        self._lock = threading.Lock()

    @property
    def made(self) -> bool:
        return self._image is not None

    def get(self) -> QImage:
        with self._lock:
            if self._image is None:
                assert self._make is not None
                self._image, self._make = self._make(), None
            return self._image


@dataclass(frozen=True, init=False)
class PreparedPreview:
    ok: bool
    blurred: QImage | None
    reason: str | None
    frames: int
    nbytes: int  # both images, the sharp one counted before it is made
    # A video's storyboard: one prepared still per sampled frame (muted, never played), with its time.
    storyboard: tuple[PreparedPreview, ...]
    times: tuple[float, ...]
    _sharp: QImage | LazyImage | None
    source_size: tuple[int, int] | None  # the original's (width, height), when a zoom decoded it

    def __init__(
        self,
        ok: bool,
        blurred: QImage | None,
        sharp: QImage | LazyImage | None,
        reason: str | None,
        frames: int,
        nbytes: int,
        storyboard: tuple[PreparedPreview, ...] = (),
        times: tuple[float, ...] = (),
        source_size: tuple[int, int] | None = None,
    ) -> None:
        for name, value in (
            ("ok", ok), ("blurred", blurred), ("_sharp", sharp), ("reason", reason), ("frames", frames),
            ("nbytes", nbytes), ("storyboard", storyboard), ("times", times), ("source_size", source_size),
        ):  # fmt: skip
            object.__setattr__(self, name, value)

    @property
    def sharp(self) -> QImage | None:
        """The clear image (what a reveal paints); made here if it was not made yet (``LazyImage``)."""
        return self._sharp.get() if isinstance(self._sharp, LazyImage) else self._sharp

    @property
    def sharp_pending(self) -> LazyImage | None:
        """The clear image still to make, if it is (a stored preview shown before its clear image)."""
        return self._sharp if isinstance(self._sharp, LazyImage) and not self._sharp.made else None


def to_qimage(img: RenderedImage) -> QImage:
    fmt = QImage.Format.Format_RGB888 if img.mode == "RGB" else QImage.Format.Format_Grayscale8
    # .copy() detaches from the Python bytes so the QImage owns its pixels.
    return QImage(img.data, img.width, img.height, img.bytes_per_line, fmt).copy()


#: Reads one stored item for display: its SHA-256 and the path of its file in the store → plaintext bytes.
MediaReader = Callable[[str, Path], bytes]


def read_media(sha: str, path: Path) -> bytes:
    """The bytes of a plain (unsealed) file; the window uses the vault's decrypting reader
    (``ReviewFeature``: ``MediaStore.read``), which checks every chunk and the content hash."""
    return path.read_bytes()


def _read(sha: str, path: Path, read: MediaReader) -> bytes | str:
    """``read(sha, path)``, or the reason it could not be read (checked first: a FIFO would block the
    read, and a file over the size limit is not read into memory at all)."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            return "Cannot display: not a regular file"
        size_reason = limits.file_size_reason(st.st_size)
        if size_reason:
            return "Cannot display: " + size_reason
        return read(sha, path)
    except FileNotFoundError:
        return "Cannot display: file not found"
    except MediaIntegrityError:
        return "Cannot display: the stored file failed its integrity check (damaged or replaced)"
    except KeyUnavailable:
        return "Cannot display: this database's key is not available here"
    except VaultError as exc:
        return f"Cannot display: {exc}"
    except (OSError, ValueError) as exc:
        return f"Cannot display: cannot read file ({getattr(exc, 'strerror', None) or type(exc).__name__})"


def _failed(reason: str) -> PreparedPreview:
    return PreparedPreview(False, None, None, reason, 0, 0)


class StoredPreviews:
    """The derivatives of a media store, looked up at first use (on a media thread). A store that keeps
    none (a team server's ``media_blob``) answers None: its media are decoded on show, as before."""

    def __init__(self, store_of: Callable[[], object]) -> None:
        self._store_of = store_of
        self._store: list[MediaStore | None] = []

    def _media_store(self) -> MediaStore | None:
        if not self._store:
            store = self._store_of()
            self._store.append(store if isinstance(store, MediaStore) else None)
        return self._store[0]

    def get(self, sha: str) -> stored.Derived | None:
        """The stored derivatives of ``sha``; None if none (or damaged: they are made again)."""
        store = self._media_store()
        if store is None:
            return None
        try:
            payload = store.read_derived(sha)
            return None if payload is None else stored.unpack(sha, payload)
        except (OSError, MediaIntegrityError, VaultError):
            return None

    def make(self, sha: str, data: bytes, pool: DecodePool) -> stored.Derived | None:
        """Derivatives of ``sha`` by one decode in a worker, stored if worth keeping; None: no store."""
        store = self._media_store()
        if store is None:
            return None
        made = pool.derive(data, timeout_s=DECODE_TIMEOUT_S)
        if made.keep:
            try:
                store.put_derived(sha, stored.pack(sha, made))
            except (OSError, VaultError):
                pass  # shown anyway; made again next time
        return made


def from_derived(made: stored.Derived, spec: PreviewSpec) -> PreparedPreview:
    """A prepared preview from stored derivatives (our own bytes: decoded in this process). Only the
    blurred image is decoded when the stored one is what ``spec`` shows: the clear one is a
    ``LazyImage`` (made by ``PreviewCache`` on a media thread right after, or by the first reveal)."""
    if not made.ok:
        return PreparedPreview(False, None, None, made.reason or "Cannot display this item", made.frames, 0)
    blurred_px = stored.show_blurred(made, spec)
    if blurred_px is not None:
        blurred = to_qimage(blurred_px)
        sharp = LazyImage(lambda: _clear_qimage(made, spec))
        # The stored blur is the clear image's size, greyscale: the sharp image's bytes are the same.
        return PreparedPreview(True, blurred, sharp, None, made.frames, 2 * blurred.sizeInBytes())
    blurred_px, sharp_px = stored.show(made, spec)
    blurred, sharp_image = to_qimage(blurred_px), to_qimage(sharp_px)
    return PreparedPreview(
        True, blurred, sharp_image, None, made.frames, blurred.sizeInBytes() + sharp_image.sizeInBytes()
    )


def _clear_qimage(made: stored.Derived, spec: PreviewSpec) -> QImage:
    """The stored clear image as a QImage; a null one if it cannot be decoded (a reveal paints nothing
    rather than raise in a paint: authenticated bytes our worker wrote, so only a bug gets here)."""
    try:
        return to_qimage(stored.show_sharp(made, spec))
    except (OSError, ValueError, MemoryError):
        return QImage()


def prepare(
    sha: str,
    path: Path,
    spec: PreviewSpec,
    pool: DecodePool,
    read: MediaReader = read_media,
    previews: StoredPreviews | None = None,
) -> PreparedPreview:
    """Media-thread side: the stored previews if there are, else read, decode in a worker process,
    convert (and store what the decode made). Never raises for bad media."""
    if previews is not None:
        made = previews.get(sha)
        if made is not None:
            return from_derived(made, spec)
    data = _read(sha, path, read)
    if isinstance(data, str):
        return _failed(data)
    if previews is not None:
        made = previews.make(sha, data, pool)
        if made is not None and (made.ok or made.reason):  # not a video: shown (or refused) as made
            return from_derived(made, spec)
    return decode_original(data, spec, pool)


def decode_original(data: bytes, spec: PreviewSpec, pool: DecodePool) -> PreparedPreview:
    """The original's bytes decoded in a worker at ``spec``'s size (the path before stored previews)."""
    result: PreviewResult = pool.preview(data, spec, timeout_s=DECODE_TIMEOUT_S)
    if not result.ok or result.blurred is None or result.sharp is None:
        return PreparedPreview(
            False, None, None, result.reason or "Cannot display this item", result.frames, 0
        )
    blurred, sharp = to_qimage(result.blurred), to_qimage(result.sharp)
    size = blurred.sizeInBytes() + sharp.sizeInBytes()
    return PreparedPreview(True, blurred, sharp, None, result.frames, size)


def prepare_video(
    sha: str, path: Path, spec: PreviewSpec, pool: DecodePool, read: MediaReader = read_media
) -> PreparedPreview:
    """Media-thread side: a few blurred stills of a video (no audio is ever decoded). Never raises."""
    data = _read(sha, path, read)
    if isinstance(data, str):
        return _failed(data)
    result = pool.storyboard(data, spec, frames=STORYBOARD_FRAMES, timeout_s=DECODE_TIMEOUT_S)
    if not result.ok or not result.frames:
        return PreparedPreview(False, None, None, result.reason or "Cannot display this video", 0, 0)
    images = [(to_qimage(f.blurred), to_qimage(f.sharp)) for f in result.frames]
    stills = tuple(PreparedPreview(True, blurred, sharp, None, 1, 0) for blurred, sharp in images)
    size = sum(blurred.sizeInBytes() + sharp.sizeInBytes() for blurred, sharp in images)
    first = stills[0]
    return PreparedPreview(
        True, first.blurred, first.sharp, None, len(stills), size, stills, tuple(f.t_s for f in result.frames)
    )


#: The box an explicit request for the original decodes it in (the full resolution, up to the limit).
ORIGINAL_BOX = (limits.MAX_PREVIEW_EDGE, limits.MAX_PREVIEW_EDGE)
#: A zoom smaller than this (the preview canvas's width) shows nothing the preview does not.
ORIGINAL_MIN_EDGE = 960


def prepare_original(
    sha: str, path: Path, spec: PreviewSpec, pool: DecodePool, read: MediaReader = read_media
) -> PreparedPreview:
    """Media-thread side of an explicit request (zoom): the original decoded in a worker at full size,
    unblurred (a zoom shows only the clear image: ``blurred`` is the same QImage, shared, not a copy).

    An original too large to decode at full size within the decode budget (a 12 MP photo needs ~150 MB
    at full size; the budget is 96) is decoded at 1/2, 1/4 or 1/8 of its size instead, the largest that
    fits (the worker refuses from the header alone, before any pixel, so each refused step is cheap);
    ``source_size`` says what the original is, so the view can say so."""
    data = _read(sha, path, read)
    if isinstance(data, str):
        return _failed(data)
    box, result = ORIGINAL_BOX, None
    for _ in range(4):
        full = PreviewSpec(max_width=box[0], max_height=box[1], blur_px=0.0, greyscale=spec.greyscale)
        result = pool.preview(data, full, timeout_s=DECODE_TIMEOUT_S)
        size = result.source_size
        if result.ok or size is None or not result.over_budget:
            break
        box = (max(1, max(size) // 2), max(1, max(size) // 2)) if box == ORIGINAL_BOX else (box[0] // 2,) * 2
        if box[0] < ORIGINAL_MIN_EDGE:
            break
    del data
    assert result is not None
    if not result.ok or result.sharp is None:
        return PreparedPreview(
            False, None, None, result.reason or "Cannot display this item", result.frames, 0
        )
    sharp = to_qimage(result.sharp)
    return PreparedPreview(
        True, sharp, sharp, None, result.frames, sharp.sizeInBytes(), source_size=result.source_size
    )


class PreviewCache(QObject):
    ready = Signal(str, object)  # media sha256, PreparedPreview
    original_ready = Signal(str, object)  # media sha256, PreparedPreview at full resolution (not cached)

    def __init__(
        self,
        tasks: TaskManager,
        spec: PreviewSpec,
        budget_bytes: int = 32 << 20,
        pool: DecodePool | None = None,
        read: MediaReader = read_media,
        previews: StoredPreviews | None = None,
    ) -> None:
        super().__init__()
        self._tasks = tasks
        self._read = read
        self._previews = previews
        # Workers start on the first request, not with the window (cold start stays as it was).
        self.pool = pool or DecodePool(workers=tasks.media_workers)
        self._spec = spec
        self._budget = budget_bytes
        self._items: OrderedDict[str, PreparedPreview] = OrderedDict()
        self._bytes = 0
        self._pending: set[str] = set()
        self._generation = 0
        self.hits = 0
        self.misses = 0
        map_large_blocks()  # decoded pixels go back to the system when freed (``reviewer.memory``)
        self._trim = QTimer(self)
        self._trim.setSingleShot(True)
        self._trim.setInterval(TRIM_AFTER_MS)
        self._trim.timeout.connect(self._release_evicted)

    @property
    def spec(self) -> PreviewSpec:
        return self._spec

    def set_spec(self, spec: PreviewSpec) -> None:
        """New blur/greyscale settings: everything prepared so far is stale."""
        if spec == self._spec:
            return
        self._spec = spec
        self._generation += 1
        self._items.clear()
        self._pending.clear()
        self._bytes = 0

    def get(self, sha: str) -> PreparedPreview | None:
        item = self._items.get(sha)
        if item is not None:
            self._items.move_to_end(sha)
        return item

    def lookup(self, sha: str) -> PreparedPreview | None:
        """Like get, but counts a hit or a miss (the window calls this when it shows a case)."""
        item = self.get(sha)
        if item is None:
            self.misses += 1
        else:
            self.hits += 1
        return item

    def request(self, sha: str, path: Path, kind: str = "image") -> None:
        if sha in self._items or sha in self._pending:
            return
        self._pending.add(sha)
        generation, spec = self._generation, self._spec
        pool, read, previews = self.pool, self._read, self._previews
        if kind == "video":
            self._tasks.run_media(
                lambda: prepare_video(sha, path, spec, pool, read),
                lambda prepared: self._store(generation, sha, prepared),
            )
            return
        self._tasks.run_media(
            lambda: prepare(sha, path, spec, pool, read, previews),
            lambda prepared: self._store(generation, sha, prepared),
        )

    def request_original(self, sha: str, path: Path) -> None:
        """Decode the original of an image at full resolution, through a worker (an explicit request:
        zoom); ``original_ready`` carries it. Not cached: it is large and asked for rarely."""
        spec, pool, read = self._spec, self.pool, self._read
        self._tasks.run_media(
            lambda: prepare_original(sha, path, spec, pool, read),
            lambda prepared: self.original_ready.emit(sha, prepared),
        )

    def _store(self, generation: int, sha: str, prepared: PreparedPreview) -> None:
        if generation != self._generation:
            return
        self._pending.discard(sha)
        self._items[sha] = prepared
        self._bytes += prepared.nbytes
        pending = prepared.sharp_pending
        if pending is not None:  # shown blurred already; the clear image is made now, before a reveal
            self._tasks.run_media(pending.get)
        evicted = False
        while self._bytes > self._budget and len(self._items) > 1:
            _, old = self._items.popitem(last=False)
            self._bytes -= old.nbytes
            evicted = True
        if evicted:  # (re)started: the trim follows the last of a burst of previews
            self._trim.start()
        self.ready.emit(sha, prepared)

    def _release_evicted(self) -> None:
        """Evicted pixels were allocated on the media thread: their freed pages stay in its heap unless
        given back. Run on the media thread, after the queued previews (not in a switch's paint)."""
        self._tasks.run_media(release_free_memory)

    def clear(self) -> None:
        self._generation += 1
        self._items.clear()
        self._pending.clear()
        self._bytes = 0

    def shutdown(self) -> None:
        """Kill the decode workers (at window shutdown); decodes in progress end as placeholders."""
        self.clear()
        self.pool.shutdown()
