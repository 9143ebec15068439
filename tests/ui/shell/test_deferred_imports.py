"""Modules the start imports without using (asyncio, importlib.metadata: SQLAlchemy imports both) are
stand-ins until first touched, and then behave exactly as if imported at once. Each case runs in a fresh
interpreter: this test process imported them long ago."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _run(code: str, **env: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen", **env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.split()


def test_sqlalchemy_imports_without_making_them_real_and_the_first_use_does() -> None:
    assert _run(
        """
        import sys
        from ui.shell import deferred
        print(*deferred.defer())
        import sqlalchemy.orm
        from sqlalchemy.util import concurrency
        print(deferred.is_real("asyncio"), deferred.is_real("importlib.metadata"))
        import asyncio

        async def answer():
            return 42

        print(asyncio.run(answer()), deferred.is_real("asyncio"))
        print(asyncio.run is sys.modules["asyncio"].run)  # the stand-in now holds the real attributes
        print(concurrency.iscoroutine(asyncio.sleep(0)) is True)  # SQLAlchemy's reference, forwarded
        from importlib import metadata  # the stand-in (the package's attribute)
        print(metadata.version("sqlalchemy") == sqlalchemy.__version__, deferred.is_real("importlib.metadata"))
        import importlib.metadata
        real = sys.modules["importlib.metadata"]
        print(importlib.metadata is real and metadata.entry_points is real.entry_points)
        """
    ) == [
        "asyncio",
        "importlib.metadata",
        "importlib_metadata",
        "urllib.request",
        "False",
        "False",
        "42",
        "True",
        "True",
        "True",
        "True",
        "True",
        "True",
    ]


def test_a_stand_in_taken_earlier_reads_the_real_module_afterwards() -> None:
    assert _run(
        """
        import sys
        from ui.shell import deferred
        deferred.defer()
        import asyncio as early  # the stand-in, as SQLAlchemy's module holds it
        loop = early.new_event_loop()  # makes it real
        loop.close()
        print(early is not sys.modules["asyncio"], early.Future is sys.modules["asyncio"].Future)
        """
    ) == ["True", "True"]


def test_a_submodule_imported_first_imports_its_package_first_and_runs_once() -> None:
    """typing_extensions does ``import asyncio.coroutines`` inside a function."""
    assert _run(
        """
        import sys
        from ui.shell import deferred
        deferred.defer()
        runs = []
        import builtins
        import asyncio.coroutines as co
        import asyncio
        print(deferred.is_real("asyncio"), co is sys.modules["asyncio.coroutines"] is asyncio.coroutines)
        print(co.__spec__.name, type(co.__spec__.loader).__name__)
        print(asyncio.events.get_event_loop_policy() is asyncio.get_event_loop_policy())
        """
    ) == ["True", "True", "asyncio.coroutines", "SourceFileLoader", "True"]


def test_two_threads_touching_it_first_at_once_get_the_same_module() -> None:
    assert _run(
        """
        import sys, threading
        from ui.shell import deferred
        deferred.defer()
        import asyncio
        start = threading.Barrier(4)
        seen, errors = [], []

        def touch():
            start.wait()
            try:
                seen.append(asyncio.Future)
            except Exception as exc:
                errors.append(repr(exc))

        threads = [threading.Thread(target=touch) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(len(set(seen)), len(seen), errors == [], seen[0] is sys.modules["asyncio"].Future)
        """
    ) == ["1", "4", "True", "True"]


def test_the_app_start_builds_its_window_and_reads_the_key_without_them(tmp_path: Path) -> None:
    """What the ``reviewer`` command imports to open the app (the launcher, then the window's modules),
    and the vault key's first read through keyring (a configured backend, as in the tests)."""
    assert _run(
        """
        import ui.shell.launcher as launcher
        from ui.shell import deferred
        launcher.prepare_app_start()
        import ui.shell.main_window
        import keyring
        keyring.get_password("reviewer-test-deferred", "nobody")
        print(*(deferred.is_real(name) for name in deferred.START_UNUSED))
        """,
        XDG_DATA_HOME=str(tmp_path),
        PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring",
    ) == ["False"] * 4
