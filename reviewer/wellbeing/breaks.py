"""Breaks: a pure state machine that says when to remind, warn and enforce, and a log of breaks taken.

:class:`BreakScheduler` never reads the clock on its own schedule and never touches the database: the UI
calls :meth:`~BreakScheduler.on_activity` on each reviewer action, :meth:`~BreakScheduler.on_exposure` after
each reveal is recorded (and at start-up), and :meth:`~BreakScheduler.tick` from a timer, then acts on the
returned events (and writes them to :class:`BreakLog`).

Rules:
- *Active time* is the time between consecutive actions when they are at most :data:`IDLE_GAP` apart; a
  longer gap does not count, and a gap of at least ``breaks.break_minutes`` counts as a break taken.
- A :class:`ReminderDue` comes after every ``breaks.reminder_minutes`` of active time since the last break.
- A :class:`CapWarning` comes once when exposure reaches ``exposure.warn_fraction`` of a cap, and again only
  after it has fallen back below.
- Reaching the hourly cap starts an :class:`EnforcedBreak` lasting ``breaks.break_minutes`` or until the
  rolling hour is back under the cap, whichever is later. Reaching the daily cap ends graphic review for the
  working day: an enforced break until a rest of ``DAY_REST`` has passed (state ``day_over``).
- An enforced break cannot end before its ``until``; reminder and voluntary breaks end whenever asked.
- After an enforced break, caps are judged again only once :meth:`~BreakScheduler.on_exposure` has given
  fresh totals, so the totals from before the break cannot start another one at once.

Breaks across a restart (:meth:`BreakLog.recover`, called once at start-up, before any content shows):
- The planned end of a break is computed from its record by :func:`planned_end` — the same rule that set it
  when it started (its start plus ``breaks.break_minutes``; an hour-cap break at least until the rolling
  hour clears; a day-cap break until the working day's rest is over). No end time is stored, so a change of
  the break length setting applies to a resumed break too.
- An *enforced* break still running at the next start (planned end ahead) resumes: the same record stays
  open and the countdown shows the time left until its planned end, never a fresh break.
- Every other open record (a voluntary or reminder break left by a crash, an enforced break that is over)
  is closed at the next start at ``min(planned end, now)``. Chosen over "the last activity" because no
  activity is recorded during a break (it would close every such break at its own start), and content was
  not on screen from the break's start until the app ran again: the break lasted that long at most, and no
  longer than it was planned. A normal quit closes a voluntary or reminder break at the quit time and
  leaves an enforced one open, to resume.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select

from reviewer.clock import Clock
from reviewer.models.wellbeing import BREAK_KINDS, BreakRecord
from reviewer.storage.database import Database
from reviewer.wellbeing.exposure import DAY_REST
from reviewer.wellbeing.settings import WellbeingSettings

IDLE_GAP = timedelta(minutes=5)
CapKind = Literal["hour", "day"]


@dataclass(frozen=True)
class ReminderDue:
    active_minutes: float


@dataclass(frozen=True)
class CapWarning:
    kind: CapKind
    fraction: float


@dataclass(frozen=True)
class EnforcedBreak:
    reason: str  # "hour_cap" or "day_cap"
    until: datetime
    kind: CapKind


@dataclass(frozen=True)
class BreakOver:
    kind: str  # the break kind that ended: reminder, enforced, voluntary
    reason: str


BreakEvent = ReminderDue | CapWarning | EnforcedBreak | BreakOver


class BreakError(RuntimeError):
    """A break cannot end (or start) as asked; the message is a sentence for the reviewer."""


class BreakScheduler:
    """When to remind, warn and enforce breaks. Pure: state in, events out."""

    def __init__(self, settings: WellbeingSettings, clock: Clock) -> None:
        self.settings, self.clock = settings, clock
        self.in_break = False
        self.break_kind: str | None = None
        self.break_reason = ""
        self.break_until: datetime | None = None
        self.day_over = False
        self._break_started: datetime | None = None
        self._active_s = 0.0
        self._last_activity: float | None = None
        self._next_reminder_s = self._reminder_s()
        self._hour = self._day = 0.0
        self._hour_clears: datetime | None = None
        self._day_clears: datetime | None = None
        self._exposure_fresh = True
        self._warned: dict[CapKind, bool] = {"hour": False, "day": False}

    def _reminder_s(self) -> float:
        return float(self.settings.get("breaks.reminder_minutes") * 60)

    def _break_len(self) -> timedelta:
        return timedelta(minutes=self.settings.get("breaks.break_minutes"))

    @property
    def active_minutes(self) -> float:
        """Active review time since the last break, including the current stretch if not yet idle."""
        pending = 0.0
        if self._last_activity is not None and not self.in_break:
            gap = self.clock.monotonic() - self._last_activity
            pending = gap if gap <= IDLE_GAP.total_seconds() else 0.0
        return (self._active_s + pending) / 60

    def fractions(self) -> dict[CapKind, float]:
        """Exposure as a share of each cap, for the status bar meter."""
        return {
            "hour": self._hour / self.settings.get("exposure.cap_hour_seconds"),
            "day": self._day / self.settings.get("exposure.cap_day_seconds"),
        }

    def on_activity(self) -> None:
        """The reviewer did something (decision, navigation, reveal). Ignored during a break."""
        if self.in_break:
            return
        now = self.clock.monotonic()
        if self._last_activity is not None:
            gap = now - self._last_activity
            if gap <= IDLE_GAP.total_seconds():
                self._active_s += gap
            elif gap >= self._break_len().total_seconds():
                self._reset_active()
        self._last_activity = now

    def on_exposure(
        self,
        weighted_hour: float,
        weighted_day: float,
        *,
        hour_clears_at: datetime | None = None,
        day_clears_at: datetime | None = None,
    ) -> None:
        """Fresh totals from the ledger; the ``*_clears_at`` times (if known) set how long a cap break lasts."""
        self._hour, self._day = weighted_hour, weighted_day
        self._hour_clears, self._day_clears = hour_clears_at, day_clears_at
        self._exposure_fresh = True

    def tick(self) -> list[BreakEvent]:
        """Everything that became due since the last tick."""
        now = self.clock.now()
        if self.in_break:
            if self.break_kind == "enforced" and self.break_until is not None and now >= self.break_until:
                return [self._finish()]
            return []
        events: list[BreakEvent] = []
        if self._exposure_fresh:  # caps are judged on totals given after the last break, never stale ones
            enforced = self._check_caps(now)
            if enforced is not None:
                return [enforced]
            events += self._check_warnings()
        if self.active_minutes * 60 >= self._next_reminder_s:
            events.append(ReminderDue(round(self.active_minutes, 1)))
            self._next_reminder_s = self.active_minutes * 60 + self._reminder_s()
        return events

    def _check_caps(self, now: datetime) -> EnforcedBreak | None:
        if self._day >= self.settings.get("exposure.cap_day_seconds"):
            self.day_over = True
            until = planned_end("enforced", "day_cap", now, self.settings, day_clears_at=self._day_clears)
            return self._enforce(EnforcedBreak("day_cap", until, "day"))
        if self._hour >= self.settings.get("exposure.cap_hour_seconds"):
            until = planned_end("enforced", "hour_cap", now, self.settings, hour_clears_at=self._hour_clears)
            return self._enforce(EnforcedBreak("hour_cap", until, "hour"))
        return None

    def _check_warnings(self) -> list[BreakEvent]:
        events: list[BreakEvent] = []
        warn_at = self.settings.get("exposure.warn_fraction")
        for kind, fraction in self.fractions().items():
            if fraction >= warn_at and not self._warned[kind]:
                self._warned[kind] = True
                events.append(CapWarning(kind, round(fraction, 3)))
            elif fraction < warn_at:
                self._warned[kind] = False
        return events

    def _enforce(self, event: EnforcedBreak) -> EnforcedBreak:
        self._begin("enforced", event.reason, event.until)
        return event

    def _begin(self, kind: str, reason: str, until: datetime, started: datetime | None = None) -> None:
        self.in_break, self.break_kind, self.break_reason, self.break_until = True, kind, reason, until
        self._break_started = started or self.clock.now()

    def resume(self, kind: str, reason: str, started: datetime, until: datetime) -> None:
        """Carry on a break that was running when the app stopped (see :meth:`BreakLog.recover`)."""
        if self.in_break:
            raise BreakError("A break is already running.")
        self._begin(kind, reason, until, started)
        self.day_over = reason == "day_cap"

    def start_break(self, kind: str = "voluntary") -> None:
        """The reviewer starts a break (``voluntary`` or ``reminder``); it can end whenever they choose."""
        if kind not in ("voluntary", "reminder"):
            raise BreakError(f"A {kind!r} break cannot be started by hand.")
        if self.in_break:
            raise BreakError("A break is already running.")
        self._begin(kind, kind, self.clock.now() + self._break_len())

    def end_break(self) -> BreakOver:
        """End the current break; an enforced break refuses until its time is up."""
        if not self.in_break:
            raise BreakError("There is no break to end.")
        now = self.clock.now()
        if self.break_kind == "enforced" and self.break_until is not None and now < self.break_until:
            left = self.break_until - now
            raise BreakError(
                f"This break ends at {self.break_until:%H:%M} UTC, in {_minutes(left)}. "
                "Graphic content stays hidden until then."
            )
        return self._finish()

    def _finish(self) -> BreakOver:
        over = BreakOver(self.break_kind or "voluntary", self.break_reason)
        taken = self.clock.now() - (self._break_started or self.clock.now())
        if self.break_kind == "enforced" or taken >= self._break_len():
            self._reset_active()
        if self.break_kind == "enforced":
            self._exposure_fresh = False  # wait for new totals before judging caps again
        self.in_break, self.break_kind, self.break_reason, self.break_until = False, None, "", None
        self.day_over = False
        self._last_activity = None
        return over

    def _reset_active(self) -> None:
        self._active_s = 0.0
        self._next_reminder_s = self._reminder_s()


def planned_end(
    kind: str,
    reason: str,
    started: datetime,
    settings: WellbeingSettings,
    *,
    hour_clears_at: datetime | None = None,
    day_clears_at: datetime | None = None,
) -> datetime:
    """When a break of ``kind``/``reason`` started at ``started`` is planned to end (the one rule)."""
    length = timedelta(minutes=settings.get("breaks.break_minutes"))
    if kind == "enforced" and reason == "day_cap":
        return max(day_clears_at or started + DAY_REST, started)
    if kind == "enforced" and reason == "hour_cap":
        return max(started + length, hour_clears_at or started)
    return started + length


@dataclass(frozen=True)
class ResumedBreak:
    """An enforced break that was running when the app stopped and is not over yet."""

    id: uuid.UUID
    kind: str
    reason: str
    started_at: datetime
    until: datetime


def _minutes(delta: timedelta) -> str:
    minutes = max(1, round(delta.total_seconds() / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class BreakLog:
    """Breaks written to the database, each committed at once."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def start(
        self,
        reviewer_id: uuid.UUID,
        kind: str,
        reason: str,
        started_at: datetime,
        session_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        if kind not in BREAK_KINDS:
            raise ValueError(f"unknown break kind {kind!r} (known: {', '.join(BREAK_KINDS)})")
        row = BreakRecord(
            reviewer_id=reviewer_id, session_id=session_id, kind=kind, reason=reason, started_at=started_at
        )
        with self.db.write() as s:
            s.add(row)
            s.flush()
            return row.id

    def end(self, break_id: uuid.UUID, ended_at: datetime) -> None:
        with self.db.write() as s:
            row = s.get(BreakRecord, break_id)
            if row is None:
                raise KeyError(break_id)
            if ended_at < row.started_at:
                raise ValueError("a break cannot end before it started")
            if row.ended_at is None:
                row.ended_at = ended_at

    def recover(
        self,
        reviewer_id: uuid.UUID,
        now: datetime,
        settings: WellbeingSettings,
        *,
        hour_clears_at: datetime | None = None,
        day_clears_at: datetime | None = None,
    ) -> ResumedBreak | None:
        """At start-up: close every open break of ``reviewer_id`` and return the enforced one to resume.

        The newest open enforced break whose planned end is after ``now`` stays open and is returned; every
        other open record is closed at ``min(planned end, now)`` (never before its start), in one transaction.
        """
        resumed: ResumedBreak | None = None
        with self.db.write() as s:
            rows = s.execute(
                select(BreakRecord)
                .where(BreakRecord.reviewer_id == reviewer_id, BreakRecord.ended_at.is_(None))
                .order_by(BreakRecord.started_at.desc())
            ).scalars()
            for row in rows:
                until = planned_end(
                    row.kind,
                    row.reason,
                    row.started_at,
                    settings,
                    hour_clears_at=hour_clears_at,
                    day_clears_at=day_clears_at,
                )
                if resumed is None and row.kind == "enforced" and until > now:
                    resumed = ResumedBreak(row.id, row.kind, row.reason, row.started_at, until)
                else:
                    row.ended_at = max(row.started_at, min(until, now))
        return resumed

    def in_session(self, session_id: uuid.UUID) -> list[BreakRecord]:
        with self.db.read() as s:
            return list(
                s.execute(
                    select(BreakRecord)
                    .where(BreakRecord.session_id == session_id)
                    .order_by(BreakRecord.started_at)
                ).scalars()
            )
