"""Evidence thumbnails for a report: small PNGs made from the decode workers' pixels, blurred by default.

The stored media are read through the one reader (``media_store_of(db).read(sha)``: decrypted, every
chunk and the content hash checked) and decoded only in a decode worker process
(``reviewer.media.decode_guard.DecodePool``: budget-checked, memory-capped, killed on timeout), exactly
as the case panel's thumbnails are; this process only re-encodes the worker's raw display-size pixels as
PNG. A thumbnail is the worker's *blurred* image (a video's first storyboard frame) unless the report
was explicitly asked for clear images. The blur radius applies at the thumbnail's own size, so a report
thumbnail is blurred more strongly than the preview it is cut from, never less.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from PIL import Image

from reviewer.media.decode_guard import DecodePool
from reviewer.media.preview import DEFAULT_BLUR_PX, PreviewSpec, RenderedImage

EDGE = 240  # px, the longer side of the PNG (shown at 160 on the page)
DECODE_TIMEOUT_S = 8.0
MEDIA_KINDS = ("image", "video")

#: Reads one stored media file's plaintext by its SHA-256 (``media_store_of(db).read``).
MediaRead = Callable[[str], bytes]


@dataclass(frozen=True)
class Thumb:
    png: bytes | None
    reason: str = ""  # why there is no picture


def to_png(image: RenderedImage) -> bytes:
    """The worker's raw pixels as PNG (encoding our own pixels; nothing imported is decoded here)."""
    out = io.BytesIO()
    Image.frombytes(image.mode, (image.width, image.height), image.data).save(out, "PNG", compress_level=6)
    return out.getvalue()


def _unreadable(exc: BaseException) -> str:
    from reviewer.vault.errors import KeyUnavailable, VaultError
    from reviewer.vault.media import MediaIntegrityError

    if isinstance(exc, FileNotFoundError | KeyError):
        return "media file not found"
    if isinstance(exc, MediaIntegrityError):
        return "the stored file failed its integrity check"
    if isinstance(exc, KeyUnavailable):
        return "this database's key is not available here"
    if isinstance(exc, VaultError):
        return str(exc)
    return f"cannot read the media ({getattr(exc, 'strerror', None) or type(exc).__name__})"


class Thumbnailer:
    """Makes thumbnails of stored media in decode workers; reuses one per (media, clear) pair."""

    def __init__(
        self,
        read: MediaRead,
        *,
        pool: DecodePool | None = None,
        greyscale: bool = True,
        blur_px: float = DEFAULT_BLUR_PX,
        edge: int = EDGE,
    ) -> None:
        self._read = read
        self._own_pool = pool is None
        self.pool = pool or DecodePool()
        self.greyscale = greyscale
        self.spec = PreviewSpec(max_width=edge, max_height=edge, blur_px=blur_px, greyscale=greyscale)
        self._made: dict[tuple[str, str, bool], Thumb] = {}

    def make(self, sha: str, kind: str, *, clear: bool = False) -> Thumb:
        """One thumbnail; never raises for bad or missing media (``Thumb(None, reason)``)."""
        key = (sha, kind, clear)
        if key not in self._made:
            self._made[key] = self._make(sha, kind, clear)
        return self._made[key]

    def make_all(
        self,
        wanted: Iterable[tuple[str, str]],
        *,
        clear: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, Thumb]:
        """Thumbnails of ``(sha, kind)`` pairs, as many at once as the pool has workers; by sha.
        ``progress(done, total)`` after each one (from the calling thread)."""
        todo = list(dict.fromkeys(w for w in wanted if w[1] in MEDIA_KINDS))
        made: dict[str, Thumb] = {}
        with ThreadPoolExecutor(max_workers=self.pool.workers, thread_name_prefix="report-thumbs") as ex:
            futures = {ex.submit(self.make, sha, kind, clear=clear): sha for sha, kind in todo}
            for n, future in enumerate(as_completed(futures), start=1):
                made[futures[future]] = future.result()
                if progress is not None:
                    progress(n, len(todo))
        return made

    def _make(self, sha: str, kind: str, clear: bool) -> Thumb:
        try:
            data = self._read(sha)
        except Exception as exc:  # a missing or damaged file is a line in the report, not a failure
            return Thumb(None, _unreadable(exc))
        if kind == "video":
            board = self.pool.storyboard(data, self.spec, frames=1, timeout_s=DECODE_TIMEOUT_S)
            if not board.ok or not board.frames:
                return Thumb(None, board.reason or "cannot display this video")
            frame = board.frames[0]
            return Thumb(to_png(frame.sharp if clear else frame.blurred))
        result = self.pool.preview(data, self.spec, timeout_s=DECODE_TIMEOUT_S)
        picture = result.sharp if clear else result.blurred
        if not result.ok or picture is None:
            return Thumb(None, result.reason or "cannot display this item")
        return Thumb(to_png(picture))

    def close(self) -> None:
        """Stop the decode workers this thumbnailer started (a pool handed in is left to its owner)."""
        if self._own_pool:
            self.pool.shutdown()
