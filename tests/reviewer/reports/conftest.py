"""A seeded investigation for the report tests (tests/support/report_data.py)."""

from __future__ import annotations

import pytest

from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from tests.support.report_data import Seeded, seed_investigation


@pytest.fixture
def seeded(db: Database, pack: PolicyPack) -> Seeded:
    return seed_investigation(db, pack)
