"""Giving freed heap memory back to the system after large transient work.

glibc keeps memory that was freed inside its heaps (one per thread that allocates) until the top of a
heap is free: preview pixels decoded on the media thread and dropped later leave holes that stay in the
process's resident set. ``malloc_trim(0)`` returns every free page of every heap. Elsewhere (no glibc)
this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    return trim


def release_free_memory() -> bool:
    """Return the free pages of every malloc heap to the system; False where that is not possible."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
