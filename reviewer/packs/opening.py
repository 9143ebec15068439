"""``pack open`` of a work pack: check every chunk first, then import in one local transaction.

The reviewer, channels, accounts, cases and items (texts sealed by the local vault and indexed, through
the importer's sink), the policy pack version, and the lease: a local review session of the pack's
reviewer on this workstation holding every case until the pack's expiry, so the app's next session of
that reviewer adopts them. One audit event ``pack.open`` holds the snapshots of every audited row
written. Media are checked against their hash and stored sealed in the local media store.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import SQLAlchemyError

from reviewer.audit.chain import append_event_core, current_source, ensure_source, lock_chain
from reviewer.audit.checkpoints import note_appended
from reviewer.audit.snapshots import snapshot
from reviewer.clock import utcnow
from reviewer.importing.writing import sink_for
from reviewer.leases import CaseState, write_state
from reviewer.media.arrival import derive_missing
from reviewer.media.store import MediaStore
from reviewer.models import (
    WORKABLE_STATUSES,
    Account,
    Case,
    Channel,
    PolicyPackVersion,
    Reviewer,
    ReviewSession,
    table_of,
)
from reviewer.packs.body import records
from reviewer.packs.cipher import PackDamaged, PackError, PackReader
from reviewer.paths import data_dir
from reviewer.storage.database import Database
from reviewer.sync.state import get_value, set_value
from reviewer.vault.opening import ensure_vault
from reviewer.workstation import host_name

OPENED_KEY = "pack_opened:"  # + pack id → JSON {session_id, reviewer, expires_at, cases}
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class AlreadyOpened(PackError):
    pass


@dataclass
class WorkPack:
    """What a work pack holds (media are stored as they are read, not kept)."""

    meta: dict[str, Any] = field(default_factory=dict)
    policy_file: tuple[str, bytes] | None = None
    channels: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    media: int = 0
    media_shas: list[str] = field(default_factory=list)
    ended: bool = False


@dataclass(frozen=True)
class OpenReport:
    pack_id: uuid.UUID
    reviewer: str
    cases: int
    media: int
    expires_at: datetime


def _when(value: Any) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("naive time")
    return moment.astimezone(UTC)


def _already(conn: Connection, pack_id: str) -> None:
    if get_value(conn, OPENED_KEY + pack_id) is not None:
        raise AlreadyOpened(f"work pack {pack_id} was already opened here; nothing written")


def read_work(db: Database, reader: PackReader) -> WorkPack:
    """Second pass over a checked pack: records collected, media stored sealed (checked by hash)."""
    got = WorkPack()
    store: MediaStore | None = None
    for record, blob in records(reader.plain_chunks()):
        kind = record["t"]
        if got.ended:
            raise PackDamaged("the pack's content is damaged (records after its end)")
        if not got.meta and kind != "pack":
            raise PackDamaged("the pack's content is damaged (it does not start with its description)")
        if kind == "pack":
            got.meta = record
            with db.read() as session:
                _already(session.connection(), str(record.get("pack_id")))
        elif kind == "policy_file" and blob is not None:
            got.policy_file = (str(record.get("name")), blob)
        elif kind in ("channel", "account", "case", "item"):
            getattr(got, kind + "s").append(record)
        elif kind == "media" and blob is not None:
            sha = record.get("sha256")
            if not isinstance(sha, str) or not SHA256.match(sha):
                raise PackDamaged("the pack's content is damaged (a media name)")
            store = store or MediaStore(db.media_dir, ensure_vault(db))
            if store.put_bytes(blob) != sha:
                raise PackDamaged("the pack's content is damaged (a media file does not match its hash)")
            got.media += 1
            got.media_shas.append(sha)
        elif kind == "end":
            got.ended = record.get("cases") == len(got.cases)
            if not got.ended:
                raise PackDamaged("the pack's content is damaged (its case count)")
        else:
            raise PackDamaged(f"the pack's content is damaged (an unknown record {kind[:20]!r})")
    if not got.ended:
        raise PackDamaged("the pack's content is damaged (no end record)")
    return got


def _hex(value: Any) -> str:
    return uuid.UUID(str(value)).hex


def _iso(value: Any) -> str:
    return _when(value).isoformat()


def _local_ids(
    conn: Connection, pack: WorkPack
) -> tuple[dict[str, str], dict[str, str], list[Any], list[Any]]:
    """Channel and account ids here for the pack's (by code / platform+handle), and the rows to add."""
    ch_t, acc_t = table_of(Channel), table_of(Account)
    channels, accounts, new_ch, new_acc = {}, {}, [], []
    for ch in pack.channels:
        local = conn.execute(select(ch_t.c.id).where(ch_t.c.code == ch["code"])).scalar()
        channels[_hex(ch["id"])] = local.hex if local else _hex(ch["id"])
        if local is None:
            new_ch.append((_hex(ch["id"]), str(ch["code"]), str(ch.get("name", ""))))
    for a in pack.accounts:
        local = conn.execute(
            select(acc_t.c.id).where(acc_t.c.platform == a["platform"], acc_t.c.handle == a["handle"])
        ).scalar()
        accounts[_hex(a["id"])] = local.hex if local else _hex(a["id"])
        if local is None:
            flags = json.dumps(list(a.get("risk_flags") or []))
            new_acc.append(
                (
                    _hex(a["id"]),
                    str(a["platform"]),
                    str(a["handle"]),
                    flags,
                    float(a["risk_score"]),
                    _iso(a["created_at"]),
                )
            )
    return channels, accounts, new_ch, new_acc


def _reviewer(conn: Connection, raw: dict[str, Any]) -> dict[str, Any]:
    table = table_of(Reviewer)
    values = {
        "id": uuid.UUID(raw["id"]),
        "handle": str(raw["handle"]),
        "display_name": str(raw.get("display_name", "")),
        "role": str(raw.get("role", "reviewer")),
        "created_at": _when(raw["created_at"]),
    }
    local = conn.execute(select(table).where(table.c.handle == values["handle"])).first()
    if local is None:
        conn.execute(insert(table), values)
        return values
    if local.id != values["id"]:
        raise PackError(
            f"reviewer {values['handle']!r} exists here under another id: open the pack in a fresh data folder"
        )
    return dict(local._mapping)


def _pack_version(conn: Connection, raw: dict[str, Any]) -> dict[str, Any]:
    table = table_of(PolicyPackVersion)
    values = {
        "id": uuid.UUID(raw["id"]),
        "pack_id": str(raw["pack_id"]),
        "version": str(raw["version"]),
        "sha256": str(raw["sha256"]),
        "loaded_at": _when(raw["loaded_at"]),
    }
    local = conn.execute(
        select(table).where(table.c.pack_id == values["pack_id"], table.c.version == values["version"])
    ).first()
    if local is None:
        conn.execute(insert(table), values)
        return values
    if local.sha256 != values["sha256"]:
        raise PackError(f"policy pack {values['pack_id']} {values['version']} here has other content")
    return dict(local._mapping)


def write_work(db: Database, pack: WorkPack) -> OpenReport:
    """Everything in one transaction, with one ``pack.open`` event; nothing if anything is refused."""
    meta = pack.meta
    vault = ensure_vault(db)
    now = utcnow()
    try:
        pack_id = str(uuid.UUID(meta["pack_id"]))
        expires_at = _when(meta["expires_at"])
        with db.write() as session:
            conn = session.connection()
            source = lock_chain(conn, current_source())
            ensure_source(conn, source)
            _already(conn, pack_id)
            reviewer = _reviewer(conn, meta["reviewer"])
            version = _pack_version(conn, meta["policy_pack_version"])
            channels, accounts, new_ch, new_acc = _local_ids(conn, pack)
            case_t = table_of(Case)
            cases, items, states = [], [], []
            for c in pack.cases:
                case_id = uuid.UUID(c["id"])
                clash = conn.execute(
                    select(case_t.c.external_id).where(
                        (case_t.c.id == case_id) | (case_t.c.external_id == c["external_id"])
                    )
                ).scalar()
                if clash is not None:
                    raise PackError(f"case {clash} is already in this database; nothing written")
                if c["status"] not in WORKABLE_STATUSES:
                    raise PackDamaged("the pack's content is damaged (a case status)")
                account = accounts[_hex(c["account_id"])] if c.get("account_id") else None
                cases.append(
                    (
                        case_id.hex, str(c["external_id"]), channels[_hex(c["channel_id"])], account,
                        str(c["category"]), int(c["priority"]), _iso(c["sla_deadline"]), int(c["risk_rank"]),
                        str(c.get("reporter", "")), str(c.get("report_text", "")),
                        json.dumps(c.get("scores") or {}), _iso(c["created_at"]),
                        # schema 0012 (a pack from an older version has neither): sealed by the sink
                        None if c.get("requester") is None else str(c["requester"]),
                        _iso(c["response_due_at"]) if c.get("response_due_at") else None,
                    )
                )  # fmt: skip
                states.append(
                    CaseState(case_id, str(c["status"]), int(c["tier"]), None, None, int(c["state_seq"]))
                )
            for i in pack.items:
                sha = i.get("media_sha256")
                if sha is not None and not SHA256.match(str(sha)):
                    raise PackDamaged("the pack's content is damaged (a media name)")
                items.append(
                    (
                        _hex(i["id"]), _hex(i["case_id"]), int(i["position"]), str(i["kind"]), sha,
                        i.get("media_ext"), i.get("text"), i.get("url"), i.get("phash"),
                    )
                )  # fmt: skip
            sink_for(session, vault, fast=False).write(new_ch, new_acc, cases, items)
            lease = {
                "id": uuid.uuid4(),
                "reviewer_id": reviewer["id"],
                "started_at": now,
                "ended_at": None,
                "host": host_name(),
                "source_id": source,
            }
            conn.execute(insert(table_of(ReviewSession)), lease)
            held = [write_state(conn, s, claimed_by=lease["id"], claim_expires_at=expires_at) for s in states]
            append_event_core(
                conn,
                actor=reviewer["handle"],
                kind="pack.open",
                subject=pack_id,
                payload={"pack_id": pack_id, "media": pack.media},
                rows={
                    "reviewer": [snapshot("reviewer", reviewer)],
                    "review_session": [snapshot("review_session", lease)],
                    "policy_pack_version": [snapshot("policy_pack_version", version)],
                    "case": [s.snapshot() for s in held],
                },
                locked=True,
            )
            set_value(
                conn,
                OPENED_KEY + pack_id,
                json.dumps(
                    {
                        "session_id": str(lease["id"]),
                        "reviewer": reviewer["handle"],
                        "expires_at": expires_at.isoformat(),
                        "cases": len(cases),
                    }
                ),
            )
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        if isinstance(exc, PackError):
            raise
        raise PackDamaged(
            "the pack's content is damaged (a record lacks a field or has a bad value)"
        ) from None
    except SQLAlchemyError as exc:
        raise PackError(f"the pack could not be written here: {type(exc).__name__}") from None
    note_appended(db)
    _keep_policy_file(pack)
    if pack.media_shas:  # stored previews of the pack's images (reviewer.media.arrival), made once here
        derive_missing(MediaStore(db.media_dir, vault), pack.media_shas)
    return OpenReport(uuid.UUID(pack_id), reviewer["handle"], len(cases), pack.media, expires_at)


def _keep_policy_file(pack: WorkPack) -> None:
    """The pack's policy file, for the record, under the data folder (named by its content)."""
    if pack.policy_file is None:
        return
    import hashlib

    _name, data = pack.policy_file
    folder = data_dir() / "policy-packs"
    folder.mkdir(mode=0o700, exist_ok=True)
    (folder / f"{hashlib.sha256(data).hexdigest()}.toml").write_bytes(data)
