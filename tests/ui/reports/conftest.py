"""A seeded investigation (tests/support/report_data.py) for the report UI and PDF tests."""

from __future__ import annotations

import pytest

from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from tests.support.report_data import Seeded, seed_investigation


@pytest.fixture
def seeded(db: Database, pack: PolicyPack) -> Seeded:
    """Enough cases for a report of several pages."""
    return seed_investigation(db, pack, cases=24, images=6)
