"""What the queue model keeps of every fetched row: its queue key, packed in 32 bytes.

A queue of 850,000 fetched cases as ``QueueRow`` objects took ~400 MB; as packed keys it takes 27 MB.
Each record is ``(priority, sla_deadline in microseconds, risk_rank, id bytes)``: enough to page on (the
last key), to put an undone case back at its queue position (bisect over the keys) and to find a case's
row (a search of the id bytes). Deadlines keep the time zone of the rows they came from, so a key read
back is equal to the one stored. Row texts are built elsewhere, from a small cache of full rows.
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo

from reviewer.queue import QueueKey

_RECORD = struct.Struct("<iqi16s")  # priority, deadline µs (wall time of its zone), risk_rank, id
SIZE = _RECORD.size
_ID_AT = SIZE - 16
_EPOCH = datetime(1970, 1, 1)  # naive: offsets are taken from wall times, the zone is kept aside


class RowStore:
    """Packed queue keys in queue order; row ``r`` is the record at ``r * SIZE``."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._tz: tzinfo | None = None

    def __len__(self) -> int:
        return len(self._buf) // SIZE

    def clear(self) -> None:
        self._buf = bytearray()

    def _pack(self, key: QueueKey) -> bytes:
        priority, deadline, risk_rank, case_id = key
        self._tz = deadline.tzinfo
        wall = deadline.replace(tzinfo=None) - _EPOCH
        micros = (wall.days * 86_400 + wall.seconds) * 1_000_000 + wall.microseconds
        return _RECORD.pack(priority, micros, risk_rank, case_id.bytes)

    def extend(self, keys: Iterable[QueueKey]) -> None:
        self._buf += b"".join(self._pack(k) for k in keys)

    def insert(self, row: int, key: QueueKey) -> None:
        at = row * SIZE
        self._buf[at:at] = self._pack(key)

    def delete(self, row: int) -> None:
        at = row * SIZE
        del self._buf[at : at + SIZE]

    def id_at(self, row: int) -> uuid.UUID:
        at = row * SIZE + _ID_AT
        return uuid.UUID(bytes=bytes(self._buf[at : at + 16]))

    def key_at(self, row: int) -> QueueKey:
        priority, micros, risk_rank, raw = _RECORD.unpack_from(self._buf, row * SIZE)
        deadline = (_EPOCH + timedelta(microseconds=micros)).replace(tzinfo=self._tz)
        return (priority, deadline, risk_rank, uuid.UUID(bytes=raw))

    def deadline_at(self, row: int) -> datetime:
        return self.key_at(row)[1]

    def find(self, case_id: uuid.UUID, hint: int | None = None) -> int | None:
        """The row holding ``case_id``, or None: the ``hint`` row first, then a search of the ids."""
        raw = case_id.bytes
        if hint is not None and 0 <= hint < len(self):
            at = hint * SIZE + _ID_AT
            if self._buf[at : at + 16] == raw:
                return hint
        buf, start = self._buf, 0
        while True:
            at = buf.find(raw, start)
            if at < 0:
                return None
            if at % SIZE == _ID_AT:
                return at // SIZE
            start = at + 1


class Keys:
    """The stored keys as a read-only sequence, for ``bisect``."""

    def __init__(self, store: RowStore) -> None:
        self._store = store

    def __len__(self) -> int:
        return len(self._store)

    def __getitem__(self, row: int) -> QueueKey:
        return self._store.key_at(row)
