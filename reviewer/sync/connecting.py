"""``reviewer connect``: check the server and the reviewer, store the config and password, pull reviewers.

A workstation connects as one reviewer the server knows. Its local working copy must not already hold
another reviewer of that handle (another id): rows merge by id, so the two would never be one person;
a fresh data dir is the way out. The reviewers are pulled at once (written locally with ONE
``sync.pull`` event of this workstation's chain holding their snapshots, so the local ``audit verify``
stays OK); the full pull (cases, decisions, leases) is part of every sync (``reviewer.sync.pull``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update

from reviewer.audit.chain import append_event_core, lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.audit.snapshots import snapshot
from reviewer.models import Reviewer, table_of
from reviewer.storage.database import Database
from reviewer.sync.apply import Progress
from reviewer.sync.pull import pull
from reviewer.sync.remote import (
    ServerConfig,
    ServerError,
    forget_config,
    open_server,
    require_keyring,
    save_config,
    store_password,
    strip_password,
)
from reviewer.sync.rows import PULL_KIND
from reviewer.workstation import workstation_id

_reviewers = table_of(Reviewer)
COLUMNS = ("id", "handle", "display_name", "role", "created_at")


class ConnectRefused(ServerError):
    """The server answers but this workstation cannot connect as asked (one line saying what to do)."""


@dataclass(frozen=True)
class Connected:
    config: ServerConfig
    reviewers_pulled: int
    skipped_handles: tuple[str, ...]  # local reviewers of the same handle but another id: left alone
    cases_pulled: int = 0


def _row(r: Any) -> dict[str, Any]:
    return {c: getattr(r, c) for c in COLUMNS}


def pull_reviewers(server_db: Database, local_db: Database, *, actor: str) -> tuple[int, tuple[str, ...]]:
    """Write the server's reviewers into ``local_db`` (new or changed ones only), with ONE ``sync.pull``
    event of this workstation's chain holding their snapshots. Returns (rows written, handles skipped
    because the local copy has that handle under another id)."""
    with server_db.read() as session:
        remote = [_row(r) for r in session.execute(select(Reviewer)).scalars()]
    written: list[dict[str, Any]] = []
    skipped: list[str] = []
    with local_db.write() as session:
        conn = session.connection()
        lock_chain(conn)
        local = {r.id: r for r in conn.execute(select(_reviewers))}
        by_handle = {r.handle: r.id for r in local.values()}
        for values in remote:
            mine = local.get(values["id"])
            if mine is None:
                if values["handle"] in by_handle:
                    skipped.append(values["handle"])
                    continue
                conn.execute(insert(_reviewers), values)
            elif any(getattr(mine, c) != values[c] for c in COLUMNS if c != "created_at"):
                conn.execute(update(_reviewers).where(_reviewers.c.id == values["id"]).values(**values))
            else:
                continue
            written.append(values)
        if written:
            append_event_core(
                conn,
                actor=actor,
                kind=PULL_KIND,
                subject="reviewers",
                payload={"reviewers": len(written)},
                rows={"reviewer": [snapshot("reviewer", v) for v in written]},
                locked=True,
            )
    if written:
        note_appended(local_db)
    return len(written), tuple(skipped)


def check_reviewer(server_db: Database, local_db: Database, handle: str) -> uuid.UUID:
    """The server's id of ``handle``; ConnectRefused when the server does not know it or the local copy
    has that handle under another id."""
    with server_db.read() as session:
        server_id = session.execute(select(Reviewer.id).where(Reviewer.handle == handle)).scalar()
    if server_id is None:
        raise ConnectRefused(
            f"the server has no reviewer {handle!r}; a lead adds it with: reviewer server add-reviewer {handle}"
        )
    with local_db.read() as session:
        local_id = session.execute(select(Reviewer.id).where(Reviewer.handle == handle)).scalar()
    if local_id is not None and local_id != server_id:
        raise ConnectRefused(
            f"this working copy already has a reviewer {handle!r} that is not the server's; "
            "connect from a fresh data dir (set REVIEWER_DATA_DIR to an empty folder)"
        )
    return server_id


def connect(
    url: str,
    handle: str,
    local_db: Database,
    *,
    password: str | None = None,
    queues: tuple[str, ...] = (),
    timeout_s: float = 3.0,
    progress: Progress | None = None,
) -> Connected:
    """Connect this workstation to the server at ``url`` as ``handle``: the server must answer, be at this
    app's schema and know ``handle``; then the config (no password) and the password (keyring) are
    stored, the reviewers pulled, then the cases of its queues (``reviewer.sync.pull``). The password: ``password``, else the one in ``url``, else none.
    Nothing is written when a check fails (ServerUnavailable, ServerError, ConnectRefused,
    NoKeyringForPassword)."""
    bare, in_url = strip_password(url)
    secret = password if password is not None else (in_url or "")
    cfg = ServerConfig(url=bare, handle=handle, queues=queues)
    require_keyring()  # no keyring: refuse before anything is written
    server_db = open_server(bare_with(bare, secret), timeout_s=timeout_s)
    try:
        check_reviewer(server_db, local_db, handle)
        store_password(cfg, secret)
        save_config(cfg)
        pulled, skipped = pull_reviewers(server_db, local_db, actor=handle)
        cases = pull(
            local_db, server_db, source_id=workstation_id(), queues=cfg.queues, progress=progress
        ).cases
    finally:
        server_db.dispose()
    return Connected(cfg, pulled, skipped, cases)


def bare_with(bare: str, password: str) -> str:
    """``bare`` with ``password`` put back, for opening in memory (never written anywhere)."""
    from sqlalchemy.engine import make_url

    if not password:
        return bare
    return make_url(bare).set(password=password).render_as_string(hide_password=False)


def disconnect() -> ServerConfig | None:
    """Forget the server: its config file and the password in the keyring. Returns what was stored."""
    return forget_config()
