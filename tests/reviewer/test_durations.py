"""Tests for reviewer.durations: one formatter, five named styles, each matching the screens' strings."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from reviewer.durations import DurationStyle, format_duration, format_sla

# Reference copies of the formatters the styles replace (ui/queue_model.format_sla,
# ui/wellbeing_controller.format_seconds, ui/break_screen.format_remaining, ui/summary_dialog.format_duration
# and reviewer/wellbeing/summary._hm as they were), kept to prove the styles reproduce them exactly.


def _old_sla(seconds: float) -> str:
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


def _old_seconds(seconds: float) -> str:
    seconds = int(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s"


def _old_remaining(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _old_words(seconds: float) -> str:
    whole = int(round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _old_hm(seconds: float) -> str:
    delta = timedelta(seconds=seconds)
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return f"{int(delta.total_seconds())} s"
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def _samples() -> list[float]:
    rng = random.Random(9)
    edges = [0, 0.4, 0.5, 0.6, 1, 29.5, 30.5, 59, 59.4, 59.5, 59.99, 60, 61, 599.5, 3599, 3599.5, 3600]
    edges += [3661, 86_399, 86_400, 90_061, 12 * 86_400, 7 * 86_400 + 0.5]
    values = [*edges, *(-e for e in edges)]
    values += [rng.uniform(-200_000, 200_000) for _ in range(2000)]
    values += [float(rng.randint(0, 100_000)) for _ in range(1000)]
    return values


@pytest.mark.parametrize(
    ("style", "old", "non_negative_only"),
    [
        (DurationStyle.SLA, _old_sla, False),
        (DurationStyle.COMPACT, _old_seconds, True),
        (DurationStyle.CLOCK, _old_remaining, False),
        (DurationStyle.WORDS, _old_words, False),
        (DurationStyle.WORDS_MINUTES, _old_hm, False),
    ],
)
def test_each_style_reproduces_the_formatter_it_replaces(
    style: DurationStyle, old: Callable[[float], str], non_negative_only: bool
) -> None:
    for seconds in _samples():
        if non_negative_only and seconds < 0:
            continue
        assert format_duration(seconds, style) == old(seconds), (style, seconds)
        assert format_duration(timedelta(seconds=seconds), style) == old(
            timedelta(seconds=seconds).total_seconds()
        )


def test_sla_style() -> None:
    now = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)

    def fmt(**delta: float) -> str:
        return format_sla(now + timedelta(**delta), now)

    assert fmt(minutes=12, seconds=30) == "12m"
    assert fmt(seconds=59) == "0m"
    assert fmt(seconds=0) == "0m"
    assert fmt(seconds=-30) == "-1m"
    assert fmt(minutes=-3) == "-3m"
    assert fmt(minutes=-2, seconds=-30) == "-3m"
    assert fmt(hours=2, minutes=5) == "2h05m"
    assert fmt(hours=2, minutes=5, seconds=59) == "2h05m"
    assert fmt(minutes=60) == "1h00m"
    assert fmt(hours=-2, minutes=-5) == "-2h05m"
    assert fmt(days=1, hours=3, minutes=59) == "1d3h"
    assert fmt(days=-1, hours=-3) == "-1d3h"
    assert fmt(days=12) == "12d0h"
    assert format_duration(-30, DurationStyle.SLA) == "-1m"


def test_compact_style() -> None:
    assert format_duration(5, DurationStyle.COMPACT) == "0m05s"
    assert format_duration(245.9, DurationStyle.COMPACT) == "4m05s"
    assert format_duration(3600 + 5 * 60 + 59, DurationStyle.COMPACT) == "1h05m"
    assert format_duration(-3, DurationStyle.COMPACT) == "0m00s"  # the old formatter printed "-1h59m"


def test_clock_style() -> None:
    assert format_duration(582, DurationStyle.CLOCK) == "9:42"
    assert format_duration(5, DurationStyle.CLOCK) == "0:05"
    assert format_duration(3600 + 65, DurationStyle.CLOCK) == "1:01:05"
    assert format_duration(-3, DurationStyle.CLOCK) == "0:00"


def test_words_style() -> None:
    assert format_duration(timedelta(seconds=4530), DurationStyle.WORDS) == "1 h 15 min"
    assert format_duration(timedelta(hours=3, minutes=47, seconds=10), DurationStyle.WORDS) == "3 h 47 min"
    assert format_duration(18 * 60 + 54, DurationStyle.WORDS) == "18 min 54 s"
    assert format_duration(38.0, DurationStyle.WORDS) == "38 s"
    assert format_duration(51.6, DurationStyle.WORDS) == "52 s"  # rounds
    assert format_duration(59.6, DurationStyle.WORDS) == "1 min 00 s"


def test_words_minutes_style() -> None:
    assert format_duration(42.9, DurationStyle.WORDS_MINUTES) == "42 s"  # truncates
    assert format_duration(12 * 60 + 59, DurationStyle.WORDS_MINUTES) == "12 min"
    assert format_duration(timedelta(hours=1, minutes=15), DurationStyle.WORDS_MINUTES) == "1 h 15 min"
    assert format_duration(timedelta(hours=2, minutes=3), DurationStyle.WORDS_MINUTES) == "2 h 03 min"


def test_every_style_has_a_name_and_formats() -> None:
    for style in DurationStyle:
        assert isinstance(format_duration(90, style), str)
    assert {s.value for s in DurationStyle} == {"sla", "compact", "clock", "words", "words_minutes"}


def test_a_decided_case_is_never_overdue() -> None:
    from datetime import UTC, datetime, timedelta

    from reviewer.durations import sla_cell, sla_overdue, sla_text

    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    past = now - timedelta(minutes=3)
    assert sla_text(past, now, "open") == "SLA -3m OVERDUE" and sla_overdue(past, now, "open")
    assert sla_text(past, now, "decided") == "SLA — (decided)" and not sla_overdue(past, now, "decided")
    assert sla_cell(past, now, "decided") == "—" and sla_cell(past, now, "escalated") == "-3m"
    assert sla_text(now + timedelta(minutes=12), now, "open") == "SLA 12m"
