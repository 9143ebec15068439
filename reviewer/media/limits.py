"""Deliberate resource limits for decoding untrusted images with Pillow.

Importing this module configures Pillow process-wide:

* ``Image.MAX_IMAGE_PIXELS`` is raised to ~110 megapixels so a valid 100 MP photo still
  previews, while anything larger is refused *before* pixel buffers are allocated.
* ``DecompressionBombWarning`` (between 1x and 2x the limit) is turned into an error; Pillow
  itself raises ``DecompressionBombError`` beyond 2x. The preview pipeline additionally checks
  the declared size itself, so it does not depend on the global warning filter (which test
  runners and other code may reset).
* ``ImageFile.LOAD_TRUNCATED_IMAGES`` is kept ``False``: truncated files are errors, never
  half-decoded garbage.

No Qt here: ``reviewer`` is a pure-Python core.
"""

from __future__ import annotations

import warnings

from PIL import Image, ImageFile

#: Largest image (width * height) we agree to decode. 10000x10000 = 100 MP fits.
MAX_IMAGE_PIXELS: int = 110_000_000

#: Largest file we agree to open at all (bytes).
MAX_FILE_BYTES: int = 200 * 1024 * 1024

#: Only the first frame of animations (GIF, WebP, APNG, multi-page TIFF) is ever decoded.
MAX_FRAMES_READ: int = 1

#: Largest output edge a PreviewSpec may ask for; protects against absurd display sizes.
MAX_PREVIEW_EDGE: int = 8192

#: Default wall-clock bound for one decode (seconds), used by ``decode_guard``.
DEFAULT_DECODE_TIMEOUT_S: float = 5.0


def file_size_reason(n_bytes: int) -> str | None:
    """Why a file of ``n_bytes`` is not decoded at all (empty, or over ``MAX_FILE_BYTES``), or None."""
    if n_bytes == 0:
        return "empty file"
    if n_bytes > MAX_FILE_BYTES:
        mb = 1024 * 1024
        return f"file too large ({n_bytes / mb:,.0f} MB, limit {MAX_FILE_BYTES // mb} MB)"
    return None


def apply() -> None:
    """(Re-)apply the Pillow limits. Idempotent; called once at import."""
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    warnings.filterwarnings("error", category=Image.DecompressionBombWarning)


apply()
