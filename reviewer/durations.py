"""One duration formatter with named output styles, so every screen writes time the same way per style.

- ``SLA``: ``12m``, ``2h05m``, ``1d3h``, overdue ``-3m`` — time left to an SLA deadline (queue, status bar)
- ``COMPACT``: ``0m05s``, ``4m05s``, ``1h05m`` — the running exposure in the status bar
- ``CLOCK``: ``0:05``, ``9:42``, ``1:01:05`` — the break screen's countdown
- ``WORDS``: ``42 s``, ``12 min 05 s``, ``1 h 15 min`` — the end-of-session summary dialog
- ``WORDS_MINUTES``: ``42 s``, ``12 min``, ``1 h 15 min`` — the plain-text session summary

Rounding differs by style on purpose and is part of each style's contract (see :class:`DurationStyle`).

This module is part of the core package and must not import Qt.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum


class DurationStyle(Enum):
    """How :func:`format_duration` writes a number of seconds."""

    #: Signed, in the largest two units: ``12m``, ``2h05m``, ``1d3h``. Time left counts whole minutes
    #: (59 s is ``0m``); overdue (negative) counts started minutes, so overdue never reads ``0m``
    #: (-30 s is ``-1m``).
    SLA = "sla"
    #: ``4m05s`` under an hour, ``1h05m`` from an hour on; truncates to whole seconds, negatives read 0.
    COMPACT = "compact"
    #: ``9:42`` under an hour, ``1:01:05`` from an hour on; truncates to whole seconds, negatives read 0.
    CLOCK = "clock"
    #: ``42 s``, ``12 min 05 s``, ``1 h 15 min``; rounds to the nearest second.
    WORDS = "words"
    #: ``42 s``, ``12 min``, ``1 h 15 min``; truncates (to whole seconds under a minute, else minutes).
    WORDS_MINUTES = "words_minutes"


def format_duration(duration: float | timedelta, style: DurationStyle) -> str:
    """``duration`` (seconds, or a timedelta) written in ``style``; see :class:`DurationStyle`."""
    seconds = duration.total_seconds() if isinstance(duration, timedelta) else float(duration)
    if style is DurationStyle.SLA:
        return _sla(seconds)
    if style is DurationStyle.COMPACT:
        return _compact(seconds)
    if style is DurationStyle.CLOCK:
        return _clock(seconds)
    if style is DurationStyle.WORDS:
        return _words(seconds)
    if style is DurationStyle.WORDS_MINUTES:
        return _words_minutes(seconds)
    raise ValueError(f"unknown duration style {style!r}")


def format_sla(deadline: datetime, now: datetime) -> str:
    """Time left until ``deadline`` in the ``SLA`` style: ``12m``, ``2h05m``, ``1d3h``; overdue ``-3m``."""
    return format_duration((deadline - now).total_seconds(), DurationStyle.SLA)


#: Case statuses whose SLA no longer runs: a decided case is never overdue.
SLA_CLOSED_STATUSES: frozenset[str] = frozenset({"decided"})


def sla_cell(deadline: datetime, now: datetime, status: str) -> str:
    """The queue's SLA cell: :func:`format_sla`, or ``—`` for a decided case (its SLA no longer runs)."""
    return "—" if status in SLA_CLOSED_STATUSES else format_sla(deadline, now)


def sla_overdue(deadline: datetime, now: datetime, status: str) -> bool:
    """Whether a case is overdue: past its deadline and not decided (what the red SLA marks)."""
    return status not in SLA_CLOSED_STATUSES and deadline <= now


def sla_text(deadline: datetime, now: datetime, status: str) -> str:
    """The status bar's SLA: ``SLA 12m``, ``SLA -3m OVERDUE``; a decided case reads ``SLA — (decided)``."""
    if status in SLA_CLOSED_STATUSES:
        return f"SLA — ({status})"
    left = format_sla(deadline, now)
    return f"SLA {left}" + (" OVERDUE" if sla_overdue(deadline, now, status) else "")


def _sla(seconds: float) -> str:
    overdue = seconds < 0
    minutes = int(-seconds // 60 + (1 if -seconds % 60 else 0)) if overdue else int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    sign = "-" if overdue else ""
    if days:
        return f"{sign}{days}d{hours}h"
    if hours:
        return f"{sign}{hours}h{mins:02d}m"
    return f"{sign}{mins}m"


def _compact(seconds: float) -> str:
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def _clock(seconds: float) -> str:
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _words(seconds: float) -> str:
    whole = int(round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _words_minutes(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 1:
        return f"{int(seconds)} s"
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
