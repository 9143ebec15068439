"""Fresh uuid4 ids for imported rows, ascending (no SQLAlchemy here: the validation workers draw them).

An import's ids are drawn per byte range of its file while that range is validated: range ``slot`` of
``slots`` takes its ids from its own slice of the id space (the first 32 bits scaled into the slot's
share), drawn at random and sorted, so the ids of the whole file still ascend in file order without the
ranges knowing each other's counts. Every id keeps the uuid4 version and variant bits and at least 115
random bits (the slice takes fewer than ``log2(slots)`` of them).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any


def uuid4_bytes(n: int) -> Any:
    """``n`` random uuid4s as an (n, 16) uint8 array."""
    import numpy as np

    raw = np.frombuffer(os.urandom(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    return raw


def ascending_uuid4_bytes(n: int, slot: int = 0, slots: int = 1) -> Any:
    """``n`` random uuid4s in ascending order, all inside slice ``slot`` of ``slots`` of the id space."""
    import numpy as np

    if not 0 <= slot < slots:
        raise ValueError(f"slot {slot} outside 0..{slots - 1}")
    raw = uuid4_bytes(n)
    if not n:
        return raw
    if slots > 1:
        low = (slot << 32) // slots
        width = (((slot + 1) << 32) // slots) - low
        top = np.ascontiguousarray(raw[:, :4]).view(">u4").reshape(n).astype(np.uint64)
        scaled = (top * np.uint64(width)) >> np.uint64(32)  # < width: stays inside the slice
        raw[:, :4] = (scaled + np.uint64(low)).astype(">u4").view(np.uint8).reshape(n, 4)
    halves = raw.view(">u8")  # (n, 2) big-endian: numeric order is byte order
    return raw[np.lexsort((halves[:, 1], halves[:, 0]))]


def hex_ids(raw: Any) -> list[str]:
    """The rows of a uuid array as 32 lowercase hex digits each (as SQLAlchemy's ``Uuid`` stores them)."""
    text = raw.tobytes().hex()
    return [text[at : at + 32] for at in range(0, len(text), 32)]


def ascending_uuid4_hex(n: int, slot: int = 0, slots: int = 1) -> list[str]:
    """``ascending_uuid4_bytes`` as 32 hex digits each."""
    return hex_ids(ascending_uuid4_bytes(n, slot, slots))


def uuid4_hex_stream(block: int = 1024) -> Iterator[str]:
    """Fresh uuid4s (32 hex digits), without end, drawn ``block`` at a time."""
    while True:
        yield from hex_ids(uuid4_bytes(block))
