"""What the queue model keeps of every fetched row: its queue key, packed in 28 bytes.

A queue of 850,000 fetched cases as ``QueueRow`` objects took ~400 MB; as packed keys it takes 24 MB.
Each record is ``(priority, sla_deadline in microseconds, risk_rank, id bytes)``: enough to page on (the
last key), to put an undone case back at its queue position (bisect over the keys) and to find a case's
row (a search of the id bytes). Priority and risk rank are 16-bit (1-4 and 0-1000 as imported); a key
whose values do not fit turns the store to 32-bit records (every record repacked once). Deadlines keep
the time zone of the rows they came from, so a key read back is equal to the one stored. Row texts are
built elsewhere, from a small cache of full rows.
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo

from reviewer.queue import QueueKey

_COMPACT = struct.Struct("<hqh16s")  # priority, deadline µs (wall time of its zone), risk_rank, id
_WIDE = struct.Struct("<iqi16s")  # the same, when a priority or risk rank does not fit 16 bits
SIZE = _COMPACT.size
_SMALL = range(-(2**15), 2**15)
_EPOCH = datetime(1970, 1, 1)  # naive: offsets are taken from wall times, the zone is kept aside


class RowStore:
    """Packed queue keys in queue order; row ``r`` is the record at ``r * record size``."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._tz: tzinfo | None = None
        self._record = _COMPACT
        self._size = _COMPACT.size
        self._id_at = self._size - 16

    def __len__(self) -> int:
        return len(self._buf) // self._size

    def clear(self) -> None:
        self._buf = bytearray()

    def _pack(self, key: QueueKey) -> bytes:
        priority, deadline, risk_rank, case_id = key
        self._tz = deadline.tzinfo
        wall = deadline.replace(tzinfo=None) - _EPOCH
        micros = (wall.days * 86_400 + wall.seconds) * 1_000_000 + wall.microseconds
        return self._record.pack(priority, micros, risk_rank, case_id.bytes)

    def _fit(self, keys: list[QueueKey]) -> None:
        """Widen the records (once, repacking those stored) when a key's numbers do not fit 16 bits."""
        if self._record is _WIDE or all(k[0] in _SMALL and k[2] in _SMALL for k in keys):
            return
        old, size = self._buf, self._size
        self._record, self._size = _WIDE, _WIDE.size
        self._id_at = self._size - 16
        self._buf = bytearray(
            b"".join(_WIDE.pack(*_COMPACT.unpack_from(old, at)) for at in range(0, len(old), size))
        )

    def extend(self, keys: Iterable[QueueKey]) -> None:
        batch = list(keys)
        self._fit(batch)
        self._buf += b"".join(self._pack(k) for k in batch)

    def insert(self, row: int, key: QueueKey) -> None:
        self._fit([key])
        at = row * self._size
        self._buf[at:at] = self._pack(key)

    def delete(self, row: int) -> None:
        at = row * self._size
        del self._buf[at : at + self._size]

    def id_at(self, row: int) -> uuid.UUID:
        at = row * self._size + self._id_at
        return uuid.UUID(bytes=bytes(self._buf[at : at + 16]))

    def key_at(self, row: int) -> QueueKey:
        priority, micros, risk_rank, raw = self._record.unpack_from(self._buf, row * self._size)
        deadline = (_EPOCH + timedelta(microseconds=micros)).replace(tzinfo=self._tz)
        return (priority, deadline, risk_rank, uuid.UUID(bytes=raw))

    def deadline_at(self, row: int) -> datetime:
        return self.key_at(row)[1]

    def find(self, case_id: uuid.UUID, hint: int | None = None) -> int | None:
        """The row holding ``case_id``, or None: the ``hint`` row first, then a search of the ids."""
        raw, size, id_at = case_id.bytes, self._size, self._id_at
        if hint is not None and 0 <= hint < len(self):
            at = hint * size + id_at
            if self._buf[at : at + 16] == raw:
                return hint
        buf, start = self._buf, 0
        while True:
            at = buf.find(raw, start)
            if at < 0:
                return None
            if at % size == id_at:
                return at // size
            start = at + 1


class Keys:
    """The stored keys as a read-only sequence, for ``bisect``."""

    def __init__(self, store: RowStore) -> None:
        self._store = store

    def __len__(self) -> int:
        return len(self._store)

    def __getitem__(self, row: int) -> QueueKey:
        return self._store.key_at(row)
