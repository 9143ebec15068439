"""``verify``: walk every chain, compare every audited row with its newest snapshot, check checkpoints.

Reported as problems (``ok`` is False): a missing, edited, moved or re-linked event; a row that differs
from its audit record, has none, or was deleted while its record remains; a case whose status, tier or
claim is not what its last event says; a checkpoint whose signature fails, whose head the chain no longer
reaches (cut, wiped, lost ``-wal`` tail) or holds with another hash (rewritten); a sidecar file that is
missing or unreadable while the database has checkpoints. Warnings do not fail: unsigned checkpoints, a
signer whose key is not on this machine, events not yet covered by a checkpoint.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from reviewer.audit.chain import GENESIS, canonical, current_source, event_hash
from reviewer.audit.checkpoints import Checkpoint, SidecarError, read_sidecar, sidecar_path
from reviewer.audit.keys import key_id, signature_ok, signing_key
from reviewer.audit.legacy import legacy_event_hash
from reviewer.audit.snapshots import (
    AUDITED_COLUMNS,
    INITIAL_CASE_STATE,
    audited_table,
    covered_by,
    snapshot,
)
from reviewer.models import AuditCheckpoint, AuditEvent, table_of
from reviewer.storage.database import Database

_events = table_of(AuditEvent)
_checkpoints = table_of(AuditCheckpoint)
_MAX_PROBLEMS = 50


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    events: int
    decisions: int
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    chains: int = 0
    checkpoints: int = 0

    @property
    def problem(self) -> str | None:
        return self.problems[0] if self.problems else None

    def lines(self) -> list[str]:
        """One line per problem or warning, the summary first."""
        if self.ok:
            head = (
                f"OK: {self.events} audit events in {self.chains} chain(s) and {self.decisions} decisions "
                f"verified against {self.checkpoints} checkpoint(s)"
            )
            return [head, *(f"WARNING: {w}" for w in self.warnings)]
        return [f"BROKEN: {p}" for p in self.problems] + [f"WARNING: {w}" for w in self.warnings]

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _short(source: str) -> str:
    return source[:8]


@dataclass
class _Expected:
    """The newest snapshot of one row: its digest and where it was read (to name differing columns)."""

    digest: bytes
    order: tuple[Any, ...]
    where: tuple[str, int]
    seen_as: str = ""
    columns: frozenset[str] = frozenset()  # the columns the snapshot holds


@dataclass
class _Walk:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    events: int = 0
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)
    wanted: dict[tuple[str, int], str | None] = field(default_factory=dict)  # (source, seq) → hash seen
    expected: dict[str, dict[str, _Expected]] = field(default_factory=dict)
    broken_sources: set[str] = field(default_factory=set)

    def fail(self, message: str) -> None:
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(message)


def _digest(snap: dict[str, Any]) -> bytes:
    return hashlib.sha256(canonical(snap).encode("utf-8")).digest()


def _events_in_order(conn: Connection) -> Iterator[Any]:
    stmt = select(_events).order_by(_events.c.source_id, _events.c.seq).execution_options(yield_per=5000)
    yield from conn.execute(stmt)


def _walk_chains(conn: Connection, walk: _Walk) -> None:
    source, expected_seq, prev = None, 1, GENESIS
    for ev in _events_in_order(conn):
        walk.events += 1
        src = str(ev.source_id)
        if src != source:
            source, expected_seq, prev = src, 1, GENESIS
        if (src, ev.seq) in walk.wanted:
            walk.wanted[(src, ev.seq)] = ev.hash
        walk.heads[src] = (ev.seq, ev.hash)
        if src in walk.broken_sources:
            _collect(walk, ev, src)  # rows still count, so one cut does not make every later row "unaudited"
            continue
        where = f"chain {_short(src)}: event #{ev.seq}"
        if ev.seq != expected_seq:
            walk.fail(f"chain {_short(src)}: event #{expected_seq} is missing (next found is #{ev.seq})")
            walk.broken_sources.add(src)
            _collect(walk, ev, src)
            continue
        if ev.prev_hash != prev:
            walk.fail(f"{where} does not follow #{ev.seq - 1} (link broken)")
            walk.broken_sources.add(src)
            _collect(walk, ev, src)
            continue
        if ev.format == 1:
            h = legacy_event_hash(
                ev.seq, ev.created_at, ev.actor, ev.kind, ev.subject, ev.payload, ev.prev_hash
            )
        else:
            h = event_hash(
                ev.source_id, ev.seq, ev.created_at, ev.actor, ev.kind, ev.subject, ev.payload, ev.prev_hash
            )
        if h != ev.hash:
            walk.fail(f"{where} ({ev.kind}) was altered after it was written")
            walk.broken_sources.add(src)
        expected_seq, prev = ev.seq + 1, ev.hash
        _collect(walk, ev, src)


def _collect(walk: _Walk, ev: Any, src: str) -> None:
    if ev.format == 1:
        return  # first-release payloads: their rows were sealed again by the 0003 migration
    try:
        payload = json.loads(ev.payload)
    except ValueError:
        return  # a hashed payload that is not JSON was written that way; nothing to compare
    if isinstance(payload, dict) and payload.get("legacy_problem"):
        walk.fail(
            f"the audit log was already broken before the upgrade to schema 0003: {payload['legacy_problem']}"
        )
    rows = payload.get("rows") if isinstance(payload, dict) else None
    if not isinstance(rows, dict):
        return
    for table, snaps in rows.items():
        if table not in AUDITED_COLUMNS:
            continue
        bucket = walk.expected.setdefault(table, {})
        for snap in snaps:
            order: tuple[Any, ...] = (
                (snap.get("state_seq", 0),) if table == "case" else (ev.created_at, src, ev.seq)
            )
            known = bucket.get(snap["id"])
            if known is None or order >= known.order:
                bucket[snap["id"]] = _Expected(_digest(snap), order, (src, ev.seq), columns=frozenset(snap))


def _recorded_snapshot(conn: Connection, where: tuple[str, int], table: str, row_id: str) -> dict[str, Any]:
    ev = conn.execute(
        select(_events.c.payload).where(_events.c.source_id == uuid.UUID(where[0]), _events.c.seq == where[1])
    ).first()
    if ev is None:
        return {}
    for snap in json.loads(ev.payload).get("rows", {}).get(table, []):
        if snap.get("id") == row_id:
            return dict(snap)
    return {}


def _label(table: str, row: Any) -> str:
    if table == "case":
        return f"case {getattr(row, 'external_id', row.id)}"
    return f"{table.replace('_', ' ')} {row.id}"


def _check_rows(conn: Connection, walk: _Walk) -> int:
    decisions = 0
    for table in AUDITED_COLUMNS:
        t = audited_table(table)
        expected = walk.expected.get(table, {})
        seen: set[str] = set()
        columns = [t.c[name] for name in AUDITED_COLUMNS[table]]
        if table == "case":
            columns.append(t.c.external_id)
        for row in conn.execute(select(*columns).execution_options(yield_per=5000)):
            mapping = row._mapping
            snap = snapshot(table, dict(mapping))
            row_id = snap["id"]
            seen.add(row_id)
            if table == "decision":
                decisions += 1
            known = expected.get(row_id)
            if known is None:
                if table == "case" and {k: v for k, v in snap.items() if k != "id"} == INITIAL_CASE_STATE:
                    continue
                walk.fail(f"{_label(table, row)} has no audit event")
                continue
            snap = covered_by(table, snap, known.columns)
            if _digest(snap) != known.digest:
                recorded = _recorded_snapshot(conn, known.where, table, row_id)
                differing = sorted(k for k in snap if recorded.get(k, object()) != snap[k]) or ["?"]
                walk.fail(f"{_label(table, row)} differs from its audit record ({', '.join(differing)})")
        for missing in sorted(set(expected) - seen):
            walk.fail(f"{table.replace('_', ' ')} {missing} was deleted (its audit event remains)")
    return decisions


def _load_checkpoints(conn: Connection, db: Database, walk: _Walk) -> list[Checkpoint]:
    stored = [Checkpoint.from_row(r) for r in conn.execute(select(_checkpoints))]
    in_db = {c.id for c in stored}
    path = sidecar_path(db)
    try:
        side = read_sidecar(path)
    except SidecarError as exc:
        walk.fail(str(exc))
        side = []
    # Each workstation keeps the file for the checkpoints it signed; another's may verify without it.
    own = [c for c in stored if c.signer_id == current_source()]
    if own and not path.exists():
        walk.fail(
            f"the checkpoint file {path} is missing, but the database has {len(own)} checkpoint(s) from "
            "this workstation; if the database was copied or moved, copy its .checkpoints file with it"
        )
    for c in side:
        if c.id not in in_db:
            walk.fail(
                f"the checkpoint of {c.created_at:%Y-%m-%d %H:%M:%S} UTC is in {path.name} but not in the "
                "database (checkpoints deleted, or the database lost its last writes)"
            )
    # Both copies are checked: a checkpoint edited in one place only fails its signature there.
    merged = stored + [c for c in side if c not in stored]
    return sorted(merged, key=lambda c: c.created_at)


def _check_signatures(checkpoints: list[Checkpoint], walk: _Walk) -> None:
    unsigned = [c for c in checkpoints if not c.signature]
    if unsigned:
        walk.warnings.append(
            f"{len(unsigned)} checkpoint(s) are not signed (no usable OS keyring when they were written): "
            "they show cuts, wipes and lost -wal tails, but not a forger who rewrites the chain and the "
            "checkpoints together"
        )
    no_key: set[str] = set()
    keys: dict[uuid.UUID, bytes | None] = {}  # one keyring lookup per signer, however many checkpoints
    for c in checkpoints:
        if not c.signature:
            continue
        if c.signer_id not in keys:
            keys[c.signer_id] = signing_key(c.signer_id, create=False)
        key = keys[c.signer_id]
        if key is None:
            no_key.add(str(c.signer_id))
            continue
        if key_id(key) != c.key_id or not signature_ok(key, c.body(), c.signature):
            walk.fail(
                f"the checkpoint of {c.created_at:%Y-%m-%d %H:%M:%S} UTC has a bad signature (forged or altered)"
            )
    for signer in sorted(no_key):
        walk.warnings.append(
            f"checkpoints signed by workstation {_short(signer)} not checked: its key is not in this keyring"
        )


def _check_heads(checkpoints: list[Checkpoint], walk: _Walk) -> None:
    reported: set[str] = set()
    for c in reversed(checkpoints):  # newest first: it names the most that went missing
        when = f"{c.created_at:%Y-%m-%d %H:%M:%S} UTC"
        for source, (seq, expected_hash) in c.heads.items():
            if source in reported:
                continue
            have = walk.heads.get(source, (0, GENESIS))[0]
            if have < seq:
                reported.add(source)
                walk.fail(
                    f"chain {_short(source)}: events #{have + 1}..#{seq} are missing; the checkpoint of {when} "
                    f"vouched for #{seq} (chain cut, wiped, or a lost -wal tail)"
                )
            elif walk.wanted.get((source, seq)) != expected_hash:
                reported.add(source)
                walk.fail(
                    f"chain {_short(source)}: event #{seq} is not the one the checkpoint of {when} vouched for "
                    "(chain rewritten)"
                )


def _legacy_seals(conn: Connection) -> list[tuple[str, int, str]]:
    """The old chain's head as the 0003 migration found it: ``(legacy source, seq, hash)``."""
    found = []
    for ev in conn.execute(select(_events.c.payload).where(_events.c.kind == "legacy_seal")):
        try:
            payload = json.loads(ev.payload)
            if payload.get("legacy_source") and payload.get("legacy_head"):
                seq, h = payload["legacy_head"]
                found.append((payload["legacy_source"], int(seq), str(h)))
        except (ValueError, TypeError, AttributeError):
            continue  # an edited seal event fails its own chain's hash check
    return found


def _check_legacy_heads(sealed: list[tuple[str, int, str]], walk: _Walk) -> None:
    for source, seq, expected_hash in sealed:
        have = walk.heads.get(source, (0, GENESIS))[0]
        if have < seq:
            walk.fail(
                f"chain {_short(source)} (before schema 0003): events #{have + 1}..#{seq} are missing; the "
                f"upgrade sealed it at #{seq}"
            )
        elif walk.wanted.get((source, seq)) != expected_hash:
            walk.fail(
                f"chain {_short(source)} (before schema 0003): event #{seq} is not the one the upgrade sealed"
            )


def verify(db: Database) -> VerifyReport:
    """Check the whole audit log of ``db``; never raises for what it finds (it reports it)."""
    walk = _Walk()
    with db.read() as session:
        conn = session.connection()
        checkpoints = _load_checkpoints(conn, db, walk)
        for c in checkpoints:
            for source, (seq, _h) in c.heads.items():
                walk.wanted[(source, seq)] = None
        sealed = _legacy_seals(conn)
        for source, seq, _h in sealed:
            walk.wanted[(source, seq)] = None
        _walk_chains(conn, walk)
        decisions = _check_rows(conn, walk)
    _check_signatures(checkpoints, walk)
    _check_heads(checkpoints, walk)
    _check_legacy_heads(sealed, walk)
    if checkpoints:
        covered = checkpoints[-1].heads
        fresh = sum(seq - covered.get(s, (0, ""))[0] for s, (seq, _h) in walk.heads.items())
        if fresh > 0:
            walk.warnings.append(f"{fresh} event(s) after the last checkpoint are not yet anchored")
    elif walk.events:
        walk.warnings.append(f"no checkpoint yet: the {walk.events} event(s) are not anchored")
    return VerifyReport(
        ok=not walk.problems,
        events=walk.events,
        decisions=decisions,
        problems=tuple(walk.problems),
        warnings=tuple(walk.warnings),
        chains=len(walk.heads),
        checkpoints=len(checkpoints),
    )
