"""Record rows of a pushed batch, applied on the target (the rule is in ``reviewer.sync.records``).

Read up front with one ``IN`` query per table, decided in memory event by event (the newest write wins,
by ``updated_at`` where the table has it), written in bulk in foreign-key order, and re-asserted in the
target's own ``sync.apply`` event, so the newest snapshot of every row touched is what the target holds.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert, update

from reviewer.audit.snapshots import RECORD_TABLES, snapshot
from reviewer.models import Base
from reviewer.sync.records import map_columns, newer_kept, record_tables, referenced_ids, table
from reviewer.sync.rows import ChainMismatch, by_columns, fetch, present_ids, row_values

#: What records may refer to outside their own tables, checked before anything is written.
_CHECKED = ("case", "item", "account", "reviewer", "decision", "policy_pack_version", "review_session")


@dataclass
class RecordApplier:
    conn: Connection
    source: uuid.UUID
    #: The pusher's account ids → the target's (the same account held under another id).
    account_map: Mapping[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    held: dict[str, dict[uuid.UUID, dict[str, Any]]] = field(default_factory=dict)
    existing: dict[str, set[uuid.UUID]] = field(default_factory=dict)
    changed: dict[str, dict[uuid.UUID, None]] = field(default_factory=dict)  # ordered sets
    touched: dict[tuple[str, uuid.UUID], None] = field(default_factory=dict)
    #: Rows whose pushed snapshot was older than the row held: touched on write, so the change log names
    #: them and the pusher's next pull brings the newer row back.
    stale: dict[tuple[str, uuid.UUID], None] = field(default_factory=dict)

    @property
    def written(self) -> int:
        return sum(len(ids) for ids in self.changed.values())

    def prefetch(self, snaps: Iterable[Mapping[str, Sequence[Mapping[str, Any]]]]) -> None:
        """Read the target's rows every record snapshot of the batch names; check what they refer to."""
        named: dict[str, set[uuid.UUID]] = {t: set() for t in RECORD_TABLES}
        mapped: dict[str, list[dict[str, Any]]] = {t: [] for t in RECORD_TABLES}
        for rows in snaps:
            for name, table_snaps in rows.items():
                if name not in RECORD_TABLES:  # rows the batch itself brings (a session, a pack version)
                    named.setdefault(name, set()).update(uuid.UUID(str(s["id"])) for s in table_snaps)
                    continue
                for snap in table_snaps:
                    values = self._values(name, snap)
                    named[name].add(values["id"])
                    mapped[name].append(values)
        for name in RECORD_TABLES:
            ids, t = named[name], table(name)
            held = self.held.setdefault(name, {})
            held.update((r["id"], r) for r in fetch(self.conn, t, "id", sorted(ids)))
            self.existing[name] = set(held)
        for target in (*_CHECKED, *RECORD_TABLES):
            wanted = referenced_ids(mapped, target) - named.get(target, set())
            missing = wanted - present_ids(self.conn, Base.metadata.tables[target], wanted) if wanted else set()
            if missing:
                raise ChainMismatch(
                    f"a record sent by workstation {str(self.source)[:8]} refers to {target} "
                    f"{sorted(missing)[0]}, which is not in this database; nothing was written"
                )

    def _values(self, name: str, snap: Mapping[str, Any]) -> dict[str, Any]:
        values = row_values(name, snap)
        map_columns(name, values, "account", self.account_map)
        return values

    def take(self, name: str, snap: Mapping[str, Any], copy: bool) -> None:
        """One snapshot of an event, in chain order. A workstation's copy of a pulled row (``copy``)
        changes nothing: the target holds the original, and re-asserts it (the copy may name what the
        workstation holds under other ids, and it is newer than the target's own snapshot)."""
        values = self._values(name, snap)
        held = self.held.setdefault(name, {})
        found = held.get(values["id"])
        if copy:
            if found is not None:
                self.touched[(name, values["id"])] = None
            return
        self.touched[(name, values["id"])] = None
        if newer_kept(found, values):
            self.stale[(name, values["id"])] = None
            return
        merged = {**found, **values} if found is not None else values
        if found != merged:
            held[values["id"]] = merged
            self.changed.setdefault(name, {})[values["id"]] = None

    def write(self) -> None:
        """Inserts, then updates, table by table in foreign-key order."""
        for name in record_tables():
            ids = list(self.changed.get(name, {}))
            if not ids:
                continue
            t, held, existing = table(name), self.held[name], self.existing.get(name, set())
            new = [held[i] for i in ids if i not in existing]
            for group in by_columns(new):
                self.conn.execute(insert(t), group)
            for i in ids:
                if i in existing:
                    self.conn.execute(update(t).where(t.c.id == i).values(**held[i]))
            self.existing[name] = existing | set(ids)
        for name, row_id in self.stale:
            if row_id not in self.changed.get(name, {}):
                t = table(name)
                self.conn.execute(update(t).where(t.c.id == row_id).values(id=row_id))

    def snapshots(self) -> dict[str, list[dict[str, Any]]]:
        """Snapshots of every record row the batch touched, as the target now holds it."""
        out: dict[str, list[dict[str, Any]]] = {}
        for name, row_id in self.touched:
            row = self.held.get(name, {}).get(row_id)
            if row is not None:
                out.setdefault(name, []).append(snapshot(name, row))
        return out

