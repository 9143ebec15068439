"""A pack's body: JSON Lines records, some followed by raw bytes (a media file or the policy pack).

A record with a ``"size"`` field is followed by exactly that many bytes. The reader works over the
decrypted chunks as they come, so media are never all in memory (one media file at a time is).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from reviewer.packs.cipher import PackDamaged

#: A record line longer than this is not one the app wrote.
MAX_LINE = 16 << 20
MAX_BLOB = 1 << 31


class _Sink(Protocol):
    def write(self, data: bytes) -> None: ...


def put_record(sink: _Sink, record: dict[str, Any], blob: bytes | None = None) -> None:
    if blob is not None:
        record = {**record, "size": len(blob)}
    line = json.dumps(record, separators=(",", ":"), ensure_ascii=False, default=str)
    sink.write(line.encode("utf-8") + b"\n")
    if blob is not None:
        sink.write(blob)


class _Stream:
    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buf = bytearray()
        self._done = False

    def _fill(self) -> bool:
        if self._done:
            return False
        try:
            self._buf += next(self._chunks)
        except StopIteration:
            self._done = True
            return False
        return True

    def line(self) -> bytes | None:
        while True:
            at = self._buf.find(b"\n")
            if at >= 0:
                out = bytes(self._buf[:at])
                del self._buf[: at + 1]
                return out
            if len(self._buf) > MAX_LINE:
                raise PackDamaged("the pack's content is damaged (a record too long)")
            if not self._fill():
                if self._buf:
                    raise PackDamaged("the pack's content is damaged (a record cut short)")
                return None

    def take(self, n: int) -> bytes:
        while len(self._buf) < n:
            if not self._fill():
                raise PackDamaged("the pack's content is damaged (a media file cut short)")
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out


def records(chunks: Iterable[bytes]) -> Iterator[tuple[dict[str, Any], bytes | None]]:
    """Each record and the bytes that follow it (None for a record without)."""
    stream = _Stream(chunks)
    while (line := stream.line()) is not None:
        try:
            record = json.loads(line.decode("utf-8"))
        except ValueError:
            raise PackDamaged("the pack's content is damaged (a record is not JSON)") from None
        if not isinstance(record, dict) or not isinstance(record.get("t"), str):
            raise PackDamaged("the pack's content is damaged (a record without a type)")
        size = record.get("size")
        if size is None:
            yield record, None
            continue
        if not isinstance(size, int) or not 0 <= size <= MAX_BLOB:
            raise PackDamaged("the pack's content is damaged (a bad size)")
        yield record, stream.take(size)
