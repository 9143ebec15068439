"""When a response is due: given by the import line, else the channel's response SLA after the case's
creation. Runs in pass 2 of the import on the storage forms of the batch (naive-UTC text)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from reviewer.importing.parsing import utc_text


def response_due(
    channels: Sequence[str],
    created: Sequence[str | None],
    given: Sequence[str | None],
    sla_hours: Mapping[str, float],
) -> list[str | None]:
    """Each case's ``response_due_at`` (naive-UTC text): ``given`` where set, else ``created`` plus its
    channel's SLA; None for a channel that expects no response (or a date past the calendar's end)."""
    out: list[str | None] = list(given)
    # Cases created by the import share one creation time, and so their due times: each worked out once.
    known: dict[tuple[str, float], str | None] = {}
    for index, code in enumerate(channels):
        hours = sla_hours.get(code)
        at = created[index]
        if out[index] is not None or hours is None or at is None:
            continue
        key = (at, hours)
        if key not in known:
            start = datetime.fromisoformat(str(at)).replace(tzinfo=UTC)
            try:
                known[key] = utc_text(start + timedelta(hours=hours))
            except OverflowError:
                known[key] = None
        out[index] = known[key]
    return out
