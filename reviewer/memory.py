"""Giving freed heap memory back to the system after large transient work.

glibc keeps memory that was freed inside its heaps (one per thread that allocates) until the top of a
heap is free: preview pixels decoded on the media thread and dropped later leave holes that stay in the
process's resident set. ``malloc_trim(0)`` returns every free page of every heap. And glibc's mmap
threshold is dynamic: once a large mmapped block (a decoded image) is freed, blocks up to its size come
from the heaps from then on, where a freed one is not returned; ``map_large_blocks`` fixes the threshold
so pixel buffers are mapped on their own and returned to the system when freed. Elsewhere (no glibc)
these do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable
from functools import cache

_M_MMAP_THRESHOLD = -3  # mallopt's parameter (malloc.h)
#: Blocks from this size up are mapped on their own (a 960x720 RGB image is 2 MB, its blurred one 0.7 MB).
LARGE_BLOCK = 512 * 1024


@cache
def _glibc(name: str) -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        # glibc's soname first: find_library runs ``ldconfig -p`` in a subprocess (~10 ms, and this is
        # called while the window is built, on the way to the first case).
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c"))
        except OSError:
            return None
    try:
        function: Callable[..., int] = getattr(libc, name)
    except AttributeError:  # not glibc (musl has neither function)
        return None
    return function


def map_large_blocks(threshold: int = LARGE_BLOCK) -> bool:
    """Fix glibc's mmap threshold at ``threshold`` bytes for the whole process (no dynamic raise);
    False where that is not possible."""
    mallopt = _glibc("mallopt")
    return mallopt is not None and mallopt(_M_MMAP_THRESHOLD, threshold) == 1


def release_free_memory() -> bool:
    """Return the free pages of every malloc heap to the system; False where that is not possible."""
    trim = _glibc("malloc_trim")
    if trim is None:
        return False
    trim(0)
    return True
