"""Standard-library modules the start imports without using, made real when first touched.

SQLAlchemy imports ``asyncio`` (for its asyncio extension) and ``importlib.metadata`` (for plugin entry
points) when it is imported, and this app uses neither to show its first case: 16-26 ms and 13-20 ms of
the start (``asyncio`` alone, after what the app imports anyway; measured here). The vault key's first
read imports keyring, which imports two more that the read never uses (``START_UNUSED``). :func:`defer` puts a
stand-in module in ``sys.modules`` under each name, with what the import system sets on a module (spec,
loader, file, a package's path), so reading those imports nothing. The first other attribute read from a
stand-in (``asyncio.wait_for``, ``importlib.metadata.entry_points``) imports the real module, which then
replaces the stand-in in ``sys.modules``; the stand-in gets the real module's attributes, so references
taken earlier (SQLAlchemy's ``import asyncio``) work on. A function that a module takes a reference to
while it is imported (SQLAlchemy: ``iscoroutine = asyncio.iscoroutine``) is a forwarder on the stand-in
that imports the module when called. A submodule imported first (``import asyncio.coroutines``, as
typing_extensions does) imports the package first, as Python itself would, through a finder first on
``sys.meta_path``; the submodule the package imported is then handed back, not executed twice.

So nothing behaves differently, only later. The standard library's ``importlib.util.LazyLoader`` does the
same for one module, but on Python 3.11 it is not safe when two threads touch the module first at the
same time (CPython gh-114763, fixed in 3.12). Here the import system's own per-module lock orders two
threads: the stand-in leaves ``sys.modules`` under a short lock of its own, and whoever imports second
waits for the first import to finish, as for any import.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any

#: What the launcher defers, each with the functions that modules importing it take a reference to
#: while they are imported (see the module's docstring). ``urllib.request`` and ``importlib_metadata``
#: (the backport) are what keyring's imports pull in for functions the key read never calls: jaraco.context
#: imports urllib.request (with http.client, email, ssl: 41 ms) for a download helper, keyring's compat
#: module the backport (25 ms) for plugin discovery, which a configured backend skips.
START_UNUSED: dict[str, tuple[str, ...]] = {
    "asyncio": ("iscoroutine",),
    "importlib.metadata": (),
    "importlib_metadata": (),
    "urllib.request": (),
}

_swap = threading.Lock()  # held only to take a stand-in out of sys.modules (no import under it)
_stand_ins: dict[str, types.ModuleType] = {}  # name → stand-in not made real yet


class _StandIn(types.ModuleType):
    """A module not imported yet: any attribute it does not have imports the real one."""

    def __getattr__(self, name: str) -> Any:
        return getattr(make_real(self), name)


def make_real(stand_in: types.ModuleType) -> types.ModuleType:
    """Import the module ``stand_in`` stands for (once) and return it."""
    name = stand_in.__name__
    with _swap:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        first = _stand_ins.pop(name, None) is not None  # the package's own submodule imports: as usual
    real = importlib.import_module(name)  # a second thread here waits for the first one's import
    if first:
        _set_on_parent(name, real)
        vars(stand_in).update(vars(real))  # references taken earlier now read the real attributes
    return real


def _set_on_parent(name: str, module: types.ModuleType) -> None:
    parent, _, child = name.rpartition(".")
    if parent and parent in sys.modules:
        setattr(sys.modules[parent], child, module)


def _forwarder(stand_in: types.ModuleType, attr: str) -> Callable[..., Any]:
    def forward(*args: Any, **kwargs: Any) -> Any:
        return getattr(make_real(stand_in), attr)(*args, **kwargs)

    forward.__name__ = forward.__qualname__ = attr
    return forward


class _Loaded(importlib.abc.Loader):
    """Hands back a submodule its package already imported (the import system would run it again)."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.spec = module.__spec__

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return self.module

    def exec_module(self, module: types.ModuleType) -> None:
        module.__spec__ = self.spec  # the import system set this loader's spec on it


class _SubmoduleFirst(importlib.abc.MetaPathFinder):
    """``import package.sub`` while ``package`` is a stand-in: the package is imported first."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        parent = fullname.rpartition(".")[0]
        while parent and parent not in _stand_ins:
            parent = parent.rpartition(".")[0]
        stand_in = _stand_ins.get(parent) if parent else None
        if stand_in is None:
            return None
        make_real(stand_in)
        module = sys.modules.get(fullname)
        if module is None:  # the package did not import it: the usual finders load it
            return None
        return importlib.util.spec_from_loader(fullname, _Loaded(module))


_finder = _SubmoduleFirst()


def defer(names: Mapping[str, tuple[str, ...]] = START_UNUSED) -> list[str]:
    """Stand in for each module of ``names`` not imported yet; returns the names deferred."""
    deferred = []
    for name, functions in names.items():
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None:
            continue
        stand_in = _StandIn(name)
        stand_in.__spec__ = spec
        stand_in.__loader__ = spec.loader
        stand_in.__package__ = spec.parent
        stand_in.__file__ = spec.origin  # PySide's import check reads it (``ui.shell.feature_check``)
        if spec.submodule_search_locations is not None:
            stand_in.__path__ = list(spec.submodule_search_locations)
        for attr in functions:
            setattr(stand_in, attr, _forwarder(stand_in, attr))
        _stand_ins[name] = stand_in
        sys.modules[name] = stand_in
        _set_on_parent(name, stand_in)
        deferred.append(name)
    if deferred and _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    return deferred


def is_real(name: str) -> bool:
    """Whether ``name`` is imported for real (never deferred, or touched since)."""
    return name in sys.modules and name not in _stand_ins
