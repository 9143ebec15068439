"""The Python heap after start-up: what the window builds once is frozen out of the cyclic collector.

A running window holds hundreds of thousands of long-lived objects (widgets' wrappers, the ORM's
mappers, the policy pack, compiled statements). Every full collection of the cyclic garbage collector
walks all of them: on the UI thread that is a pause of tens of milliseconds, once up to 119 ms at load
11, landing on whatever case switch it meets. ``gc.freeze()`` moves every object alive at that moment to
a permanent generation that collections skip (CPython's documented use: after start-up); objects are
still freed by their reference counts. Done once, after the first case is on screen, and undone when
the window shuts down so a process that builds many windows (the tests) keeps collecting the cycles of
the ones it closed.

The app's start (``ui.shell.launcher``) also turns the collector off until then
(:func:`pause_collection`): imports and the window's build allocate ~150,000 long-lived container
objects, and each collection the allocations triggered walked them again, ~15 % of the start's CPU
(the imports alone: 1,114-1,171 ms CPU with the collector, 919-972 ms without, measured). Almost
nothing of it is garbage: a full collection at the first case found 1,129 unreachable objects and took
150 ms, so after a paused start the freeze comes without any collection (those few objects stay until
the thaw). Without the pause (a window built by the tests), only the two young generations are
collected before the freeze (~1 ms): a full collection there cost 105-147 ms on the UI thread and found
nothing more to free.
"""

from __future__ import annotations

import gc

_paused = False


def pause_collection() -> None:
    """Start-up: no cyclic collection until :func:`freeze_start_up` (call before the heavy imports)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def freeze_start_up() -> int:
    """Freeze what is alive (after collecting the young generations, unless the start paused the
    collector: then everything is young) and turn the collector back on. Returns the number frozen."""
    global _paused
    if not _paused:
        gc.collect(1)
    gc.freeze()
    if _paused:
        _paused = False
        gc.enable()
    return gc.get_freeze_count()


def thaw() -> None:
    """Give frozen objects back to the collector (window shutdown)."""
    gc.unfreeze()
