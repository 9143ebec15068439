"""Where data lives: the platformdirs user data dir, or what the environment or ``--db`` says."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from sqlalchemy.engine import make_url

from reviewer.storage.errors import DataLocationError, describe_os_error

APP_NAME = "reviewer-workstation"
ENV_DB = "REVIEWER_DB"
ENV_DATA_DIR = "REVIEWER_DATA_DIR"
#: The audit checkpoints kept beside a SQLite file (``x.sqlite3.checkpoints``); backups carry theirs.
CHECKPOINTS_SUFFIX = ".checkpoints"


def checkpoints_file(db_file: Path) -> Path:
    return db_file.with_name(db_file.name + CHECKPOINTS_SUFFIX)


def data_dir() -> Path:
    """The user data directory (created on demand, 0700). ``REVIEWER_DATA_DIR`` overrides it.

    DataLocationError (one sentence naming the folder and ``REVIEWER_DATA_DIR`` if it came from there)
    when it is a file or cannot be created.
    """
    override = os.environ.get(ENV_DATA_DIR)
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    source = f" (set by {ENV_DATA_DIR})" if override else ""
    if path.exists() and not path.is_dir():
        raise DataLocationError(f"the data folder {path}{source} is a file, not a folder")
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise DataLocationError(describe_os_error(exc, f"create the data folder {path}{source}")) from None
    return path


def configured_db_url() -> str | None:
    """``REVIEWER_DB`` (a SQLAlchemy URL or a file path) as a URL, or None when it is not set."""
    configured = os.environ.get(ENV_DB)
    return normalize_db_url(configured) if configured else None


def default_db_path() -> Path:
    """The embedded SQLite file every command and the app use when no database is named."""
    return data_dir() / "reviewer.sqlite3"


def default_db_url() -> str:
    """``REVIEWER_DB`` or the embedded SQLite file."""
    return configured_db_url() or sqlite_url(default_db_path())


def demo_db_path() -> Path:
    return data_dir() / "demo.sqlite3"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def normalize_db_url(value: str) -> str:
    """Accept a SQLAlchemy URL or a plain file path (taken as a SQLite file).

    DataLocationError for a URL no installed driver understands (``notaurl://x``, a typo in a scheme).
    """
    if "://" not in value:
        return sqlite_url(Path(value).expanduser())
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        make_url(value).get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError, ImportError):
        scheme = value.split("://", 1)[0]
        raise DataLocationError(
            f"{scheme!r} is not a database this app can use: give a SQLite file path or a URL such as "
            "sqlite:///reviews.sqlite3 or postgresql+psycopg://user@host/db"
        ) from None
    return value


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
