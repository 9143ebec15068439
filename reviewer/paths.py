"""Where data lives: the platformdirs user data dir, or what the environment or ``--db`` says."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from sqlalchemy.engine import make_url

APP_NAME = "reviewer-workstation"
ENV_DB = "REVIEWER_DB"
ENV_DATA_DIR = "REVIEWER_DATA_DIR"
#: The audit checkpoints kept beside a SQLite file (``x.sqlite3.checkpoints``); backups carry theirs.
CHECKPOINTS_SUFFIX = ".checkpoints"


def checkpoints_file(db_file: Path) -> Path:
    return db_file.with_name(db_file.name + CHECKPOINTS_SUFFIX)


def data_dir() -> Path:
    """The user data directory (created on demand). ``REVIEWER_DATA_DIR`` overrides it."""
    override = os.environ.get(ENV_DATA_DIR)
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_url() -> str:
    """``REVIEWER_DB`` (a SQLAlchemy URL or a file path) or the embedded SQLite file."""
    configured = os.environ.get(ENV_DB)
    if configured:
        return normalize_db_url(configured)
    return sqlite_url(data_dir() / "reviewer.sqlite3")


def demo_db_path() -> Path:
    return data_dir() / "demo.sqlite3"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def normalize_db_url(value: str) -> str:
    """Accept a SQLAlchemy URL or a plain file path (taken as a SQLite file)."""
    if "://" in value:
        return value
    return sqlite_url(Path(value).expanduser())


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL, or None for other backends and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def media_dir_for(url: str) -> Path:
    """The media store beside a SQLite file (``x.sqlite3`` → ``x.media/``), else in the data dir."""
    db_file = sqlite_file(url)
    if db_file is not None:
        return db_file.with_suffix(".media")
    return data_dir() / "media"
