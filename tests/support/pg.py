"""PostgreSQL for tests: each test gets an empty schema of its own on the server, dropped at the end.

The server is the one at 127.0.0.1:5432 (database ``test``, trust auth) or ``REVIEWER_PG_URL``. Every
connection made through the URL lands in the schema (``options=-csearch_path=<schema>``), so tests and
runs never see each other's rows. Where no server answers (no driver, no server, login refused) the test
is skipped with :data:`SKIP_REASON`, never failed: PostgreSQL is the team server, not the app's default.

Its ``pg_url``, ``pg_db`` and ``server`` fixtures are registered for every test (``pytest_plugins`` in tests/conftest.py).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from reviewer.storage.database import Database

ENV_URL = "REVIEWER_PG_URL"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SKIP_REASON = "needs PostgreSQL at 127.0.0.1:5432 (set REVIEWER_PG_URL to use another)"


def base_url() -> str:
    return os.environ.get(ENV_URL) or DEFAULT_URL


def with_search_path(url: str, schema: str) -> str:
    """``url`` with ``options=-csearch_path=<schema>``: every connection (the app's too) lands there."""
    parsed = make_url(url)
    return parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


@contextmanager
def new_schema() -> Iterator[str]:
    """A URL whose connections land in a fresh, empty schema (dropped afterwards); skips the test when no
    server answers."""
    base = base_url()
    try:  # no driver, no server, refused login: skip, never fail
        admin = create_engine(base, connect_args={"connect_timeout": 3})
        with admin.connect():
            pass
    except Exception:
        pytest.skip(SKIP_REASON)
    schema = f"rw_test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield with_search_path(base, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty schema for each test (dropped afterwards); skips when no server answers."""
    with new_schema() as url:
        yield url


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[Database]:
    """The app's tables migrated into that schema, as a ``Database``."""
    from reviewer.storage.migrate import open_database

    db = open_database(pg_url)
    yield db
    db.dispose()


@pytest.fixture
def server(pg_db: Database) -> Database:
    """The team server of the sync tests: ``pg_db``, by the name they read best with."""
    return pg_db
