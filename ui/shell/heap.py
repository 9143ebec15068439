"""The Python heap after start-up: what the window builds once is frozen out of the cyclic collector.

A running window holds hundreds of thousands of long-lived objects (widgets' wrappers, the ORM's
mappers, the policy pack, compiled statements). Every full collection of the cyclic garbage collector
walks all of them: on the UI thread that is a pause of tens of milliseconds, once up to 119 ms at load
11, landing on whatever case switch it meets. ``gc.freeze()`` moves every object alive at that moment to
a permanent generation that collections skip (CPython's documented use: after start-up); objects are
still freed by their reference counts. Done once, after the first case is on screen, and undone when
the window shuts down so a process that builds many windows (the tests) keeps collecting the cycles of
the ones it closed.

Before the freeze only the two young generations are collected (~1 ms): the start's last garbage is
there. A full collection first cost 105-147 ms on the UI thread (the demo database, this machine) and
found nothing more to free (0 unreachable objects after the young collection, measured), so it was the
very pause this module exists to avoid, once, right after the first case.
"""

from __future__ import annotations

import gc


def freeze_start_up() -> int:
    """Collect the young generations, then freeze what is alive. Returns the number of objects frozen."""
    gc.collect(1)
    gc.freeze()
    return gc.get_freeze_count()


def thaw() -> None:
    """Give frozen objects back to the collector (window shutdown)."""
    gc.unfreeze()
