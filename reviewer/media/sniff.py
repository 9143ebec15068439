"""Is a media file what its kind says? Checked by content at import, before anything is stored.

An ``image`` must have a header Pillow identifies as one of the formats the preview decodes
(``Image.open`` reads the header only; no pixel is decoded here). A ``video`` must start like a container
the storyboard accepts (the same magic numbers as ``reviewer.media.storyboard``). Anything else is
refused with what it looks like, so a text file named ``.jpg`` fails at import, not when shown.
"""

from __future__ import annotations

import warnings
from pathlib import Path

HEAD_BYTES = 376  # enough for every magic number below (MPEG-TS needs 189)

#: offset, magic -> a video container the storyboard demuxes (copied from its allow-list).
VIDEO_MAGIC: tuple[tuple[int, bytes], ...] = (
    (4, b"ftyp"),
    (4, b"moov"),
    (4, b"mdat"),
    (4, b"free"),
    (4, b"wide"),
    (4, b"skip"),
    (0, b"\x1a\x45\xdf\xa3"),  # Matroska / WebM
    (0, b"FLV"),
    (0, b"OggS"),
    (0, b"\x00\x00\x01\xba"),  # MPEG program stream
    (0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"),  # ASF / WMV
)
#: What a refused file looks like, for the message.
LOOKS_LIKE: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"%PDF", "a PDF document"),
    (b"ID3", "MP3 audio"),
    (b"fLaC", "FLAC audio"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a program"),
)


class WrongContent(ValueError):
    """The file is not what its kind says; the message says what it looks like."""


def _head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(HEAD_BYTES)


def is_video_head(head: bytes) -> bool:
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return True
    if len(head) >= 189 and head[0] == 0x47 and head[188] == 0x47:  # MPEG-TS
        return True
    return any(head[offset : offset + len(magic)] == magic for offset, magic in VIDEO_MAGIC)


def looks_like(head: bytes) -> str:
    """A few words on what the bytes look like: ``a PDF document``, ``plain text``, ``empty``."""
    if not head:
        return "an empty file"
    if is_video_head(head):
        return "a video"
    for magic, what in LOOKS_LIKE:
        if head.startswith(magic):
            return what
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:64]
    if text and all(32 <= b < 127 or b in (9, 10, 13) for b in text):
        return "plain text"
    return "an unknown format"


def image_format(path: Path) -> str | None:
    """The format Pillow reads from the header (one the preview decodes), or None. Decodes no pixel."""
    from PIL import Image, UnidentifiedImageError

    from reviewer.media.preview import SUPPORTED_FORMATS

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path, formats=SUPPORTED_FORMATS) as im:
                return str(im.format)
    except Image.DecompressionBombError:
        return "oversized"  # a real image header, too big to show: the preview says so, not the import
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None


def check_kind(path: Path, kind: str) -> None:
    """WrongContent unless ``path`` is an image (``kind == "image"``) or a video (``"video"``) by content."""
    if kind == "image":
        if image_format(path) is None:
            raise WrongContent(f"not an image (looks like {looks_like(_head(path))})")
    elif kind == "video":
        head = _head(path)
        if not is_video_head(head):
            raise WrongContent(f"not a video (looks like {looks_like(head)})")
