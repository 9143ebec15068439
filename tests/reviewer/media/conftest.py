"""Decode pools for the media tests: every pool is shut down after use, and leaves no worker behind."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from reviewer.media.decode_guard import DecodePool


@contextmanager
def running_pool(workers: int) -> Iterator[DecodePool]:
    pool = DecodePool(workers=workers)
    try:
        yield pool
    finally:
        pool.shutdown()
    assert pool.pids() == []


@pytest.fixture
def pool() -> Iterator[DecodePool]:
    with running_pool(2) as p:
        yield p


@pytest.fixture
def one_worker() -> Iterator[DecodePool]:
    """One worker, so every decode of a test runs in the same process (its peak RSS adds up)."""
    with running_pool(1) as p:
        yield p


@pytest.fixture(scope="module")
def module_pool() -> Iterator[DecodePool]:
    with running_pool(2) as p:
        yield p
