"""The team server as a workstation knows it: its address, the reviewer's handle and password.

``data_dir()/server.json`` (0600, written atomically) holds ``{"url", "handle", "queues"}``; the URL
never holds a password. The password (empty for trust auth) is kept in the OS keyring only, service
``SERVICE``, username ``handle@host:port/database``, and is put into the connection in memory when the
server is opened (``open_server``).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from reviewer.paths import data_dir
from reviewer.storage.database import Database

SERVICE = "reviewer-workstation-server"
CONFIG_FILE = "server.json"
DEFAULT_PORT = 5432


class ServerError(Exception):
    """The server answered but cannot be used (not initialised, newer, not PostgreSQL); one line."""


class ServerUnavailable(ServerError):
    """The server does not answer; the message starts with "offline: "."""


class NoKeyringForPassword(ServerError):
    """No usable OS keyring: the password cannot be stored safely (nothing was written)."""


@dataclass(frozen=True)
class ServerConfig:
    url: str  # never with a password
    handle: str
    queues: tuple[str, ...] = field(default=())


def config_path() -> Path:
    return data_dir() / CONFIG_FILE


EXAMPLE_URL = "postgresql+psycopg://user@host:5432/database"


def _parse(url: str) -> URL:
    if "://" not in url:
        raise ServerError(
            f"a team server is a PostgreSQL database, not a file: give a URL such as {EXAMPLE_URL}"
        )
    try:
        return make_url(url)
    except (ArgumentError, ValueError):  # the rest of the URL is not echoed: it may hold a password
        raise ServerError(f"not a database URL ({url.split('://', 1)[0]}://…): use {EXAMPLE_URL}") from None


def strip_password(url: str) -> tuple[str, str | None]:
    """``url`` without its password, and the password it held (None if it held none)."""
    parsed = _parse(url)
    password = parsed.password
    if password is None:
        return url, None
    # URL.set() ignores None, so the field is replaced on the named tuple itself.
    return parsed._replace(password=None).render_as_string(hide_password=False), str(password)


def keyring_user(cfg: ServerConfig) -> str:
    """The keyring username of this reviewer on this server: ``handle@host:port/database``."""
    parsed = _parse(cfg.url)
    return f"{cfg.handle}@{parsed.host or 'localhost'}:{parsed.port or DEFAULT_PORT}/{parsed.database or ''}"


def require_keyring() -> None:
    """NoKeyringForPassword (one line) when no OS keyring can keep the password: check before writing."""
    _backend()


def _backend():  # type: ignore[no-untyped-def]
    from reviewer.audit.keys import NoUsableKeyring, usable_backend

    try:
        return usable_backend()
    except NoUsableKeyring as exc:
        raise NoKeyringForPassword(
            f"no OS keyring: the server password cannot be stored safely; {exc} "
            "(nothing was written; start a Secret Service / keychain session and connect again)"
        ) from None


def store_password(cfg: ServerConfig, password: str) -> None:
    """Keep ``password`` in the OS keyring; NoKeyringForPassword when there is none."""
    from keyring.errors import KeyringError

    try:
        _backend().set_password(SERVICE, keyring_user(cfg), password)
    except KeyringError as exc:
        raise NoKeyringForPassword(f"the OS keyring refused to store the server password ({exc})") from None


def read_password(cfg: ServerConfig) -> str:
    """The stored password, or "" when none is stored (a server with trust auth needs none)."""
    from keyring.errors import KeyringError

    try:
        stored = _backend().get_password(SERVICE, keyring_user(cfg))
    except KeyringError as exc:
        raise NoKeyringForPassword(f"the OS keyring refused to give the server password ({exc})") from None
    return stored or ""


def forget_password(cfg: ServerConfig) -> None:
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        _backend().delete_password(SERVICE, keyring_user(cfg))
    except (PasswordDeleteError, NoKeyringForPassword):
        pass
    except KeyringError:
        pass


def load_config() -> ServerConfig | None:
    """The stored server, or None when this workstation is not connected. ServerError if damaged."""
    path = config_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        queues = tuple(str(q) for q in raw.get("queues", ()))
        return ServerConfig(url=str(raw["url"]), handle=str(raw["handle"]), queues=queues)
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ServerError(f"{path} is damaged; connect again (reviewer connect URL)") from None


def save_config(cfg: ServerConfig) -> None:
    """Write ``server.json`` atomically, readable by its owner only. A URL holding a password is refused."""
    if strip_password(cfg.url)[1] is not None:
        raise ServerError("a server URL with a password is never written to disk")
    path = config_path()
    body = json.dumps({"url": cfg.url, "handle": cfg.handle, "queues": list(cfg.queues)}, indent=2)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".server-", suffix=".tmp")  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def forget_config() -> ServerConfig | None:
    """Remove the stored server and its password; returns what was stored."""
    cfg = load_config()
    if cfg is not None:
        forget_password(cfg)
    config_path().unlink(missing_ok=True)
    return cfg


def driver_args(url: str, password: str | None, timeout_s: float) -> dict[str, Any]:
    """The password and ``connect_timeout`` as driver arguments (in memory only, never in the URL).
    ServerError for a URL that is not PostgreSQL."""
    if _parse(url).get_backend_name() != "postgresql":
        raise ServerError("a team server is a PostgreSQL database (postgresql+psycopg://…), not SQLite")
    args: dict[str, Any] = {"connect_timeout": max(1, round(timeout_s))}
    if password:
        args["password"] = password
    return args


def probe(url: str, password: str | None, timeout_s: float) -> None:
    """Connect once; ServerUnavailable ("offline: …") when the server does not answer or refuses."""
    db = Database(url, connect_args=driver_args(url, password, timeout_s))
    try:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except (DBAPIError, OSError) as exc:
        raise ServerUnavailable(f"offline: {_one_line(exc)}") from None
    finally:
        db.dispose()


def _one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return " ".join(text.split())[:300]


def open_server(cfg: ServerConfig | str, *, timeout_s: float = 3.0) -> Database:
    """The team server as a ``Database`` at the current schema. The password comes from the keyring (or
    the URL, for a URL given directly) and lives in memory only.

    ServerUnavailable ("offline: …") when it does not answer or refuses the login; ServerError when it
    is not initialised (``reviewer server init``) or has a newer schema than this app.
    """
    from reviewer.storage.errors import DatabaseOpenError
    from reviewer.storage.migrate import current_revision, head_revision

    password: str | None
    if isinstance(cfg, ServerConfig):
        url, password = cfg.url, read_password(cfg)
    else:
        url, password = strip_password(cfg)
    probe(url, password, timeout_s)
    db = Database(url, connect_args=driver_args(url, password, timeout_s))
    try:
        revision = current_revision(db)
    except (DBAPIError, DatabaseOpenError, OSError) as exc:
        db.dispose()
        raise ServerUnavailable(f"offline: {_one_line(exc)}") from None
    except BaseException:
        db.dispose()
        raise
    if revision != head_revision():
        db.dispose()
        label = db.label
        if revision is None:
            raise ServerError(
                f"{label} is not an initialised team server: a lead runs `reviewer server init`"
            )
        raise ServerError(
            f"{label} has schema {revision}, not this app's {head_revision()}: "
            "update the app, or the server (`reviewer server init` migrates it)"
        )
    return db
