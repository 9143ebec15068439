"""Is a media file what its kind says? Checked by content at import, before anything is stored.

An ``image`` must have a header Pillow identifies as one of the formats the preview decodes
(``Image.open`` reads the header only; no pixel is decoded here). A ``video`` must start like a container
the storyboard demuxes: the allow-list below is the storyboard's own (``video_demuxer``), so import and
display accept the same files. Anything else is refused with what it looks like, so a text file named
``.jpg`` fails at import, not when shown.
"""

from __future__ import annotations

import warnings
from pathlib import Path

HEAD_BYTES = 376  # enough for every magic number below (MPEG-TS needs 189)

#: offset, magic -> the FFmpeg demuxer the storyboard opens it with; anything else is refused before
#: FFmpeg sees it (besides AVI and MPEG-TS, checked in ``video_demuxer``).
VIDEO_CONTAINERS: tuple[tuple[int, bytes, str], ...] = (
    (4, b"ftyp", "mov"),
    (4, b"moov", "mov"),
    (4, b"mdat", "mov"),
    (4, b"free", "mov"),
    (4, b"wide", "mov"),
    (4, b"skip", "mov"),
    (0, b"\x1a\x45\xdf\xa3", "matroska"),  # Matroska / WebM
    (0, b"FLV", "flv"),
    (0, b"OggS", "ogg"),
    (0, b"\x00\x00\x01\xba", "mpeg"),  # MPEG program stream
    (0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", "asf"),  # ASF / WMV
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


def video_demuxer(head: bytes) -> str | None:
    """The demuxer for a file starting with ``head`` (its first ``HEAD_BYTES``), or None: not a video."""
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if len(head) >= 189 and head[0] == 0x47 and head[188] == 0x47:
        return "mpegts"
    for offset, magic, name in VIDEO_CONTAINERS:
        if head[offset : offset + len(magic)] == magic:
            return name
    return None


def is_video_head(head: bytes) -> bool:
    return video_demuxer(head) is not None


def is_plain_text(head: bytes) -> bool:
    """Whether the first bytes read as plain ASCII text (a BOM and leading blanks skipped)."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:64]
    return bool(text) and all(32 <= b < 127 or b in (9, 10, 13) for b in text)


def looks_like(head: bytes) -> str:
    """A few words on what the bytes look like: ``a PDF document``, ``plain text``, ``empty``."""
    if not head:
        return "an empty file"
    if is_video_head(head):
        return "a video"
    for magic, what in LOOKS_LIKE:
        if head.startswith(magic):
            return what
    return "plain text" if is_plain_text(head) else "an unknown format"


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
