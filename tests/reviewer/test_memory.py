"""Freed memory is given back to the system where glibc allows it, and nothing happens elsewhere."""

from __future__ import annotations

import sys

import pytest

from reviewer import memory


@pytest.mark.skipif(memory._glibc("malloc_trim") is None, reason="not glibc")
def test_on_glibc_free_pages_are_returned_and_large_blocks_mapped() -> None:
    assert memory.release_free_memory()
    assert memory.map_large_blocks()


def test_without_glibc_nothing_is_done(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    memory._glibc.cache_clear()
    try:
        assert not memory.release_free_memory()
        assert not memory.map_large_blocks()
    finally:
        monkeypatch.undo()
        memory._glibc.cache_clear()
