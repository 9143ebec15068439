"""One sync (push, then pull) with the connected server, and what the status bar says about it.

The outcome of every attempt is kept in the working copy's ``sync_state`` (last contact, offline
since, the last error), so the indicator reads it without a server: "online", "offline since 12:04",
"37 decisions waiting". A sync never holds the local write lock for long: the pull writes in short
batches, and the review loop's decisions interleave with them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import InterfaceError, OperationalError

from reviewer.clock import utcnow
from reviewer.storage.database import Database
from reviewer.storage.errors import DatabaseOpenError
from reviewer.sync.apply import Progress
from reviewer.sync.checkout import CheckoutReport, checkout
from reviewer.sync.conflicts import open_count
from reviewer.sync.pull import PullReport, pull
from reviewer.sync.push import PushReport, push, waiting_decisions
from reviewer.sync.remote import ServerConfig, ServerUnavailable, load_config, open_server
from reviewer.sync.state import get_value, set_value
from reviewer.workstation import workstation_id

SYNC_EVERY = timedelta(seconds=5)
#: Events per push transaction; ``REVIEWER_SYNC_BATCH`` sets another (tests cut a sync between batches).
ENV_BATCH = "REVIEWER_SYNC_BATCH"
LAST_CONTACT = "last_contact"
OFFLINE_SINCE = "offline_since"
LAST_ERROR = "last_error"


class NotConnected(Exception):
    """No team server is configured on this workstation."""

    def __init__(self) -> None:
        super().__init__("not connected to a team server: connect with  reviewer connect URL")


@dataclass(frozen=True)
class SyncStatus:
    connected: bool
    online: bool = False
    last_contact: datetime | None = None
    offline_since: datetime | None = None
    waiting: int = 0
    conflicts: int = 0
    last_error: str = ""

    def label(self, now: datetime | None = None) -> str:
        """The indicator's text: "" when not connected."""
        if not self.connected:
            return ""
        if self.online:
            head = "online"
        elif self.offline_since is not None:
            head = f"offline since {_clock(self.offline_since, now or utcnow())}"
        else:
            head = "not synced yet"
        parts = [head]
        if self.waiting:
            parts.append(f"{self.waiting:,} decision{'s' if self.waiting != 1 else ''} waiting")
        if self.conflicts:
            parts.append(f"{self.conflicts} conflict{'s' if self.conflicts != 1 else ''}")
        return " · ".join(parts)


def _clock(moment: datetime, now: datetime) -> str:
    local = moment.astimezone()
    if now - moment < timedelta(hours=20):
        return local.strftime("%H:%M")
    return local.strftime("%d %b %H:%M")


@dataclass(frozen=True)
class SyncReport:
    pushed: PushReport
    pulled: PullReport
    seconds: float

    def summary(self) -> str:
        conflicts = f", {self.pushed.conflicts} conflict(s)" if self.pushed.conflicts else ""
        return (
            f"synced in {self.seconds:.1f} s: pushed {self.pushed.decisions} decision(s){conflicts}; "
            f"pulled {self.pulled.cases} case(s), {self.pulled.decisions} decision(s), "
            f"{self.pulled.media_files} media file(s)"
        )


def sync_status(local: Database, *, config: ServerConfig | None = None) -> SyncStatus:
    """What the indicator shows, read from the working copy only."""
    cfg = config or load_config()
    if cfg is None:
        return SyncStatus(connected=False)
    with local.read() as session:
        conn = session.connection()
        contact = _when(get_value(conn, LAST_CONTACT))
        offline = _when(get_value(conn, OFFLINE_SINCE))
        error = get_value(conn, LAST_ERROR) or ""
    return SyncStatus(
        connected=True,
        online=contact is not None and offline is None,
        last_contact=contact,
        offline_since=offline,
        waiting=waiting_decisions(local),
        conflicts=open_count(local),
        last_error=error,
    )


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _record(local: Database, *, ok: bool, error: str = "") -> None:
    now = utcnow()
    with local.write() as session:
        conn = session.connection()
        if ok:  # reached the server (``error``: what it then refused, if anything)
            set_value(conn, LAST_CONTACT, now.isoformat())
            set_value(conn, OFFLINE_SINCE, "")
            set_value(conn, LAST_ERROR, error[:300])
        else:
            if not get_value(conn, OFFLINE_SINCE):
                set_value(conn, OFFLINE_SINCE, now.isoformat())
            set_value(conn, LAST_ERROR, error[:300])


@contextmanager
def _connected(local: Database, config: ServerConfig | None) -> Iterator[tuple[ServerConfig, Database]]:
    """The configured server, open; the outcome (online, or offline since and why) recorded locally."""
    cfg = config or load_config()
    if cfg is None:
        raise NotConnected()
    try:
        server = open_server(cfg)
    except ServerUnavailable as exc:
        _record(local, ok=False, error=str(exc))
        raise
    try:
        yield cfg, server
    except (DatabaseOpenError, OperationalError, InterfaceError, OSError) as exc:  # the connection was lost
        _record(local, ok=False, error=_one_line(exc))
        raise
    except Exception as exc:  # the server answered, and something was refused
        _record(local, ok=True, error=_one_line(exc))
        raise
    finally:
        server.dispose()
    _record(local, ok=True)


def sync_once(
    local: Database, *, progress: Progress | None = None, config: ServerConfig | None = None
) -> SyncReport:
    """Push this workstation's record, then pull what changed on the server; the outcome is recorded.

    Raises NotConnected, ServerUnavailable (the server did not answer) or the push's and pull's own
    errors (one line each); a failure keeps everything already synced.
    """
    started = time.perf_counter()
    with _connected(local, config) as (cfg, server):
        source = workstation_id()
        pushed = push(local, server, source_id=source, progress=progress, batch=_batch())
        pulled = pull(local, server, source_id=source, queues=cfg.queues, progress=progress)
    return SyncReport(pushed, pulled, time.perf_counter() - started)


def take_offline(
    local: Database,
    *,
    cases: int,
    hours: float,
    progress: Progress | None = None,
    config: ServerConfig | None = None,
) -> CheckoutReport:
    """Lease ``cases`` cases to this workstation for ``hours`` and bring them here with their media."""
    with _connected(local, config) as (cfg, server):
        push(local, server, progress=progress)  # the server must know this workstation's sessions
        return checkout(
            local,
            server,
            handle=cfg.handle,
            cases=cases,
            hours=hours,
            source_id=workstation_id(),
            queues=cfg.queues,
        )


def _batch() -> int:
    try:
        return max(1, int(os.environ.get(ENV_BATCH, "500")))
    except ValueError:
        return 500


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
