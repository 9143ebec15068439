"""``pack export``: lease cases in the source database to a new review session of the named reviewer
(one transaction, one audit event ``pack.export``), then write them, their media and the policy pack in
use into an encrypted work pack. Texts are written opened (the receiving database seals them again)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from reviewer.audit.chain import append_event_core, current_source, ensure_source, lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.audit.snapshots import jsonable, snapshot
from reviewer.clock import utcnow
from reviewer.identity import ensure_reviewer
from reviewer.leases import CaseState, read_state, write_state
from reviewer.models import (
    WORKABLE_STATUSES,
    Account,
    Case,
    Channel,
    Item,
    PolicyPackVersion,
    Reviewer,
    ReviewSession,
    table_of,
)
from reviewer.pack_versions import pack_version_row
from reviewer.packs.body import put_record
from reviewer.packs.cipher import PackError, PackWriter
from reviewer.policy import PolicyPack, default_pack_path, load_pack
from reviewer.storage.database import Database
from reviewer.sync.state import set_value
from reviewer.vault.opening import media_store_of, open_vault
from reviewer.vault.state import Vault, without_local
from reviewer.workstation import host_name

Progress = Callable[[str, int, int], None] | None
EXPORTED_KEY = "pack_export:"  # + pack id → JSON {session_id, reviewer, cases}
DEFAULT_HOURS = 24.0
NAMED_IN_ERROR = 5

_cases, _items = table_of(Case), table_of(Item)
_accounts, _channels = table_of(Account), table_of(Channel)


@dataclass(frozen=True)
class ExportReport:
    pack_id: uuid.UUID
    cases: int
    media: int
    expires_at: datetime
    size: int


def _row(conn: Connection, table: Any, key: Any) -> dict[str, Any]:
    found = conn.execute(select(table).where(table.c.id == key)).first()
    assert found is not None
    return dict(found._mapping)


def resolve_cases(db: Database, names: Sequence[str] | None, first: int | None) -> list[uuid.UUID]:
    """Case ids from ``--cases`` (ids or external ids) or the first ``first`` workable, unheld cases in
    queue order."""
    now = utcnow()
    with db.read() as session:
        conn = session.connection()
        if names is None:
            assert first is not None
            query = (
                select(_cases.c.id)
                .where(
                    _cases.c.status.in_(WORKABLE_STATUSES),
                    (_cases.c.claimed_by.is_(None)) | (_cases.c.claim_expires_at <= now),
                )
                .order_by(_cases.c.priority, _cases.c.sla_deadline, _cases.c.risk_rank, _cases.c.id)
                .limit(first)
            )
            return list(conn.execute(query).scalars())
        found: list[uuid.UUID] = []
        missing = []
        for name in names:
            try:
                by = _cases.c.id == uuid.UUID(name)
            except ValueError:
                by = _cases.c.external_id == name
            case_id = conn.execute(select(_cases.c.id).where(by)).scalar()
            if case_id is None:
                missing.append(name)
            elif case_id not in found:
                found.append(case_id)
        if missing:
            raise PackError(f"no such case: {', '.join(missing[:NAMED_IN_ERROR])}")
        return found


def _refused(conn: Connection, states: list[tuple[CaseState, str]], now: datetime) -> None:
    bad = [
        f"{ext} ({'decided' if s.status == 'decided' else 'held by another session'})"
        for s, ext in states
        if s.status not in WORKABLE_STATUSES or s.held_by_other(None, now)
    ]
    if bad:
        more = f" and {len(bad) - NAMED_IN_ERROR} more" if len(bad) > NAMED_IN_ERROR else ""
        raise PackError(f"cannot export: {', '.join(bad[:NAMED_IN_ERROR])}{more}")


def lease_for_pack(
    db: Database, case_ids: list[uuid.UUID], handle: str, pack: PolicyPack, expires_at: datetime
) -> tuple[uuid.UUID, dict[str, Any], dict[str, Any], list[CaseState]]:
    """One transaction: a review session of ``handle`` holding every case until ``expires_at``.
    Returns (pack id, reviewer row, policy pack version row, new states)."""
    reviewer = ensure_reviewer(db, handle)
    pack_id = uuid.uuid4()
    now = utcnow()
    with db.write() as session:
        conn = session.connection()
        source = lock_chain(conn, current_source())
        ensure_source(conn, source)
        states = []
        for case_id in case_ids:
            state = read_state(conn, case_id)
            assert state is not None
            ext = conn.execute(select(_cases.c.external_id).where(_cases.c.id == case_id)).scalar_one()
            states.append((state, ext))
        _refused(conn, states, now)
        # The session runs on no workstation of this database: the pack id is its source, so no app
        # session here ever adopts its leases.
        values = {
            "id": uuid.uuid4(),
            "reviewer_id": reviewer.id,
            "started_at": now,
            "ended_at": None,
            "host": host_name(),
            "source_id": pack_id,
        }
        conn.execute(insert(table_of(ReviewSession)), values)
        new = [write_state(conn, s, claimed_by=values["id"], claim_expires_at=expires_at) for s, _ in states]
        version_id = pack_version_row(session, conn, pack, actor=handle)
        append_event_core(
            conn,
            actor=handle,
            kind="pack.export",
            subject=str(pack_id),
            payload={"pack_id": str(pack_id), "session_id": str(values["id"])},
            rows={
                "review_session": [snapshot("review_session", values)],
                "case": [s.snapshot() for s in new],
            },
            locked=True,
        )
        set_value(
            conn,
            EXPORTED_KEY + str(pack_id),
            json.dumps({"session_id": str(values["id"]), "reviewer": handle, "cases": len(new)}),
        )
        reviewer_row = _row(conn, table_of(Reviewer), reviewer.id)
        version_row = _row(conn, table_of(PolicyPackVersion), version_id)
    note_appended(db)
    return pack_id, reviewer_row, version_row, new


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: jsonable(v) for k, v in values.items()}


def _opened(vault: Vault | None, table: str, row: dict[str, Any]) -> dict[str, Any]:
    return row if vault is None else vault.open_row(table, row)


def export_pack(
    db: Database,
    path: Path,
    case_ids: list[uuid.UUID],
    *,
    handle: str,
    passphrase: str,
    policy_file: Path | None = None,
    hours: float = DEFAULT_HOURS,
    progress: Progress = None,
) -> ExportReport:
    """Lease the cases, then write the pack (texts opened, media read through the source's store)."""
    if not case_ids:
        raise PackError("no cases to export")
    if not 0 < hours <= 24 * 366:
        raise PackError("--hours must be more than 0 and at most a year")
    vault = open_vault(db)
    store = media_store_of(db)
    policy_file = policy_file or default_pack_path()
    pack = load_pack(policy_file)
    pack_bytes = policy_file.read_bytes()
    expires_at = utcnow() + timedelta(hours=hours)
    with PackWriter(path, "work", passphrase) as out:  # before the lease: a bad target costs nothing
        pack_id, reviewer, version, states = lease_for_pack(db, case_ids, handle, pack, expires_at)
        put_record(
            out,
            {
                "t": "pack",
                "pack_id": str(pack_id),
                "created_at": jsonable(utcnow()),
                "expires_at": jsonable(expires_at),
                "reviewer": _plain(reviewer),
                "policy_pack_version": _plain(version),
                "cases": len(case_ids),
            },
        )
        put_record(out, {"t": "policy_file", "name": policy_file.name, "sha256": pack.sha256}, pack_bytes)
        media: set[str] = set()
        seen_channels: set[uuid.UUID] = set()
        seen_accounts: set[uuid.UUID] = set()
        by_id = {s.id: s for s in states}
        for done, case_id in enumerate(case_ids):
            with db.read() as session:
                conn = session.connection()
                case = _row(conn, _cases, case_id)
                if case["channel_id"] not in seen_channels:
                    seen_channels.add(case["channel_id"])
                    put_record(out, {"t": "channel", **_plain(_row(conn, _channels, case["channel_id"]))})
                if case["account_id"] is not None and case["account_id"] not in seen_accounts:
                    seen_accounts.add(case["account_id"])
                    put_record(out, {"t": "account", **_plain(_row(conn, _accounts, case["account_id"]))})
                case = without_local("case", _opened(vault, "case", case))
                state = by_id[case_id]
                case.update(state.__dict__)
                put_record(out, {"t": "case", **_plain(case)})
                items = conn.execute(
                    select(_items).where(_items.c.case_id == case_id).order_by(_items.c.position)
                ).all()
                for item in items:
                    row = _opened(vault, "item", dict(item._mapping))
                    put_record(out, {"t": "item", **_plain(row)})
            for item in items:
                sha = item.media_sha256
                if sha and sha not in media and store.has(sha):
                    media.add(sha)
                    put_record(out, {"t": "media", "sha256": sha}, store.read(sha))
            if progress:
                progress("export", done + 1, len(case_ids))
        put_record(out, {"t": "end", "cases": len(case_ids), "media": len(media)})
        out.commit()
    return ExportReport(pack_id, len(case_ids), len(media), expires_at, out.size)
