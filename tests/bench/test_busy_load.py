"""bench --load: the busy process runs only while the benchmark does, and is gone after, also on error."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _util() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_util_under_test", BENCH / "_util.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_busy_process_runs_during_the_block_and_is_killed_after() -> None:
    util = _util()
    with util.busy_load(True) as procs:
        assert len(procs) == 1
        proc = procs[0]
        assert proc.poll() is None  # spinning
        assert util.BUSY_CODE in proc.args
    assert proc.poll() is not None  # killed and reaped


def test_busy_process_is_killed_when_the_benchmark_fails() -> None:
    util = _util()
    seen = []
    with pytest.raises(RuntimeError), util.busy_load(True) as procs:
        seen.extend(procs)
        raise RuntimeError("benchmark failed")
    assert seen and all(p.poll() is not None for p in seen)


def test_no_process_without_load() -> None:
    util = _util()
    with util.busy_load(False) as procs:
        assert procs == []
    assert util.load_requested(["bench_next_case.py", "--load"])
    assert not util.load_requested([sys.executable])
