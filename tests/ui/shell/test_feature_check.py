"""PySide's per-import check ("does this module use PySide6?") is answered from the module's file bytes
instead of ``inspect.getsource``: same answers, no module attribute read, no source kept in linecache;
and the app's start puts it in place before the window's imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import PySide6.QtCore  # noqa: F401 (PySide's import hook and its feature module)
import pytest

from ui.shell import feature_check

ROOT = Path(__file__).resolve().parents[3]


def _feature() -> types.ModuleType:
    return sys.modules["shibokensupport.feature"]


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch):
    """The fast check in place for one test (PySide's own is put back afterwards)."""
    monkeypatch.setattr(_feature(), "_mod_uses_pyside", _feature()._mod_uses_pyside)
    feature_check.speed_up()
    check = _feature()._mod_uses_pyside
    assert getattr(check, "_reviewer_fast_check", False)
    return check


def test_it_gives_pyside_s_own_answers(fast) -> None:
    import _sqlite3  # an extension module: no source

    import reviewer.clock
    import ui.shell.plain

    original = fast.original
    for module in (ui.shell.plain, reviewer.clock, sys, _sqlite3, json, feature_check):
        assert fast(module) == original(module), module.__name__
    assert fast(ui.shell.plain) is True
    assert fast(reviewer.clock) is False


def test_it_reads_no_attribute_of_the_module(fast, tmp_path: Path) -> None:
    """A module's own ``__getattr__`` is not run (pydantic's imports a submodule there)."""
    source = tmp_path / "lazy_mod.py"
    source.write_text("import PySide6\n", encoding="utf-8")

    class Lazy(types.ModuleType):
        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"module attribute {name!r} was read")

    module = Lazy("lazy_mod")
    module.__file__ = str(source)
    assert fast(module) is True
    with pytest.raises(AssertionError, match="__wrapped__"):
        fast.original(module)  # PySide's own: inspect unwraps it


def test_a_second_call_changes_nothing(fast) -> None:
    assert feature_check.speed_up() is False
    assert _feature()._mod_uses_pyside is fast


def test_the_app_start_puts_it_in_place_before_the_window_s_imports() -> None:
    """What ``open_app`` runs before importing the app: afterwards the window's ~450 modules leave no
    source text in linecache (PySide's own check kept every line of each)."""
    code = (
        "import linecache, sys\n"
        "import ui.shell.launcher as launcher\n"
        "launcher.prepare_app_start()\n"
        "import ui.shell.main_window\n"
        "check = sys.modules['shibokensupport.feature']._mod_uses_pyside\n"
        "held = [f for f, v in linecache.cache.items() if len(v) > 2 and '/ui/' in f]\n"
        "print(getattr(check, '_reviewer_fast_check', False), len(held))\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    fast_in_place, ui_sources_held = out.stdout.split()
    assert fast_in_place == "True"
    assert ui_sources_held == "0"
