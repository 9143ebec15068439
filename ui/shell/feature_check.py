"""PySide's per-import source check, made cheap.

PySide6 wraps ``__import__``: after every import it asks whether the imported module uses PySide (for
its ``from __feature__ import snake_case`` switching, which this app does not use) by calling
``inspect.getsource`` on the module and looking for "PySide6" in the text. ``inspect.getsource`` unwraps
the module (reading ``__wrapped__``, which a module's own ``__getattr__`` then answers: pydantic's
imports a submodule there, once while another thread was importing), finds its file, reads it through
``linecache`` (which keeps every line of every module checked: 9.6 MB of text for the ~450 modules the
window imports after Qt) and joins the lines again. Measured over the window's imports: 454 modules,
68-106 ms of the start.

:func:`speed_up` puts a check with the same answer in its place: the bytes of the module's ``.py`` file
searched for ``b"PySide6"``, read from the module's own ``__file__`` without touching its attributes; any
other module (built in, compiled, no file) goes to PySide's own check as before. Nothing happens when
PySide no longer has the function (another PySide version): its own check then runs.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable

_MARK = "_reviewer_fast_check"


def _fast(original: Callable[[types.ModuleType], bool]) -> Callable[[types.ModuleType], bool]:
    def uses_pyside(module: types.ModuleType) -> bool:
        path = vars(module).get("__file__")  # the module's own dict: no module __getattr__ runs
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return original(module)

    setattr(uses_pyside, _MARK, True)
    setattr(uses_pyside, "original", original)  # noqa: B010 (for the tests' comparison)
    return uses_pyside


def speed_up() -> bool:
    """Replace PySide's check (call once PySide6 is imported); True if it was replaced now."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(original) or getattr(original, _MARK, False):
        return False
    setattr(feature, "_mod_uses_pyside", _fast(original))  # noqa: B010 (PySide's private name)
    return True
