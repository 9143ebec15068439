"""The exposure ledger: every reveal written at once, with running totals the status bar can read cheaply.

A reveal counts towards a window from the moment it *ends* (that is when it is recorded): it is in the
rolling hour while it ended less than an hour ago. Whole reveals count, never slices, which errs towards
more exposure rather than less.

"Today" is the current *working day*, not the calendar day: the reveals since the last rest of at least
:data:`DAY_REST` (8 hours) without any reveal, looking back at most 24 hours. A calendar day would let a
night shift double its cap at midnight, and a rolling 24 hours would block the next morning with the
previous afternoon's exposure; a rest gap follows the reviewer's own shift, whatever the time zone.

The ledger keeps the last 48 hours of reveals in memory, loaded from the database when it is created, so it
survives restarts and answers without a query.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from reviewer.clock import Clock
from reviewer.models import RevealEvent
from reviewer.storage.database import Database
from reviewer.wellbeing.severity import weighted_exposure

HOUR = timedelta(hours=1)
DAY_REST = timedelta(hours=8)
DAY_LOOKBACK = timedelta(hours=24)
_KEEP = timedelta(hours=48)
#: ``zoom``: the original open at full size (ui/review/zoom.py); its time is revealed time like the others.
REVEAL_MODES = ("hold", "toggle", "spotlight", "frame", "zoom")


@dataclass(frozen=True)
class ExposureTotals:
    """Raw seconds revealed, severity-weighted seconds, and the number of reveals."""

    seconds: float = 0.0
    weighted: float = 0.0
    reveals: int = 0

    def __add__(self, other: ExposureTotals) -> ExposureTotals:
        return ExposureTotals(
            self.seconds + other.seconds, self.weighted + other.weighted, self.reveals + other.reveals
        )


@dataclass(frozen=True)
class _Reveal:
    started_at: datetime
    ended_at: datetime
    session_id: uuid.UUID | None
    totals: ExposureTotals


def _sum(reveals: list[_Reveal]) -> ExposureTotals:
    total = ExposureTotals()
    for r in reveals:
        total += r.totals
    return total


def _reveal(row: RevealEvent) -> _Reveal:
    seconds = row.duration_ms / 1000
    return _Reveal(
        row.started_at,
        row.started_at + timedelta(milliseconds=row.duration_ms),
        row.session_id,
        ExposureTotals(seconds, weighted_exposure(seconds, row.severity), 1),
    )


def session_exposure(db: Database, reviewer_id: uuid.UUID, session_id: uuid.UUID) -> ExposureTotals:
    """Totals of one review session, summed by the database."""
    with db.read() as s:
        ms, weighted_ms, count = s.execute(
            select(
                func.coalesce(func.sum(RevealEvent.duration_ms), 0),
                func.coalesce(func.sum(RevealEvent.duration_ms * RevealEvent.severity), 0.0),
                func.count(RevealEvent.id),
            ).where(RevealEvent.reviewer_id == reviewer_id, RevealEvent.session_id == session_id)
        ).one()
    return ExposureTotals(ms / 1000, weighted_ms / 1000, count)


@dataclass(frozen=True)
class ExposureReading:
    """A ledger's figures at one moment: made where the ledger lives, safe to hand to another thread."""

    hour: ExposureTotals
    day: ExposureTotals
    session: ExposureTotals
    hour_clears_at: datetime
    day_clears_at: datetime


class ExposureLedger:
    """One reviewer's reveals. ``severity`` everywhere is the weight from :func:`item_severity`.

    Not thread-safe: one thread owns a ledger (in the app, the database worker, after construction);
    other threads get :meth:`reading` snapshots.
    """

    def __init__(
        self, db: Database, reviewer_id: uuid.UUID, clock: Clock, session_id: uuid.UUID | None = None
    ) -> None:
        self.db, self.reviewer_id, self.clock, self.session_id = db, reviewer_id, clock, session_id
        self._recent: list[_Reveal] = []
        self._session = ExposureTotals()
        self.rebuild()

    def rebuild(self) -> None:
        """Reload the recent reveals and this session's total from the database."""
        since = self.clock.now() - _KEEP
        with self.db.read() as s:
            rows = s.execute(
                select(RevealEvent)
                .where(RevealEvent.reviewer_id == self.reviewer_id, RevealEvent.started_at >= since)
                .order_by(RevealEvent.started_at)
            ).scalars()
            self._recent = [_reveal(r) for r in rows]
        self._session = (
            session_exposure(self.db, self.reviewer_id, self.session_id)
            if self.session_id
            else ExposureTotals()
        )

    def record_reveal(
        self,
        case_id: uuid.UUID,
        item_id: uuid.UUID | None,
        mode: str,
        started_at: datetime,
        duration_ms: int,
        severity: float,
    ) -> None:
        """Write one reveal (committed before returning) and update the running totals."""
        if mode not in REVEAL_MODES:
            raise ValueError(f"unknown reveal mode {mode!r} (known: {', '.join(REVEAL_MODES)})")
        if duration_ms < 0:
            raise ValueError(f"a reveal cannot last {duration_ms} ms")
        row = RevealEvent(
            reviewer_id=self.reviewer_id,
            session_id=self.session_id,
            case_id=case_id,
            item_id=item_id,
            mode=mode,
            started_at=started_at,
            duration_ms=int(duration_ms),
            severity=float(severity),
        )
        with self.db.write() as s:
            s.add(row)
        reveal = _reveal(row)
        self._recent.append(reveal)
        self._recent.sort(key=lambda r: r.started_at)
        cutoff = self.clock.now() - _KEEP
        self._recent = [r for r in self._recent if r.ended_at > cutoff]
        if self.session_id is not None:
            self._session += reveal.totals

    def reading(self, hour_limit: float) -> ExposureReading:
        """The current figures as an immutable snapshot (``hour_limit``: the weighted hourly cap)."""
        return ExposureReading(
            hour=self.last_hour(),
            day=self.today(),
            session=self.session_total(),
            hour_clears_at=self.hour_clears_at(hour_limit),
            day_clears_at=self.day_clears_at(),
        )

    def session_total(self, session_id: uuid.UUID | None = None) -> ExposureTotals:
        """Totals of one review session (this ledger's session from memory, any other by query)."""
        session_id = session_id or self.session_id
        if session_id is None:
            return ExposureTotals()
        if session_id == self.session_id:
            return self._session
        return session_exposure(self.db, self.reviewer_id, session_id)

    def _in_last_hour(self) -> list[_Reveal]:
        since = self.clock.now() - HOUR
        return [r for r in self._recent if r.ended_at > since]

    def last_hour(self) -> ExposureTotals:
        """Reveals that ended within the last hour."""
        return _sum(self._in_last_hour())

    def _working_day(self) -> list[_Reveal]:
        now = self.clock.now()
        run: list[_Reveal] = []
        reach: datetime | None = None  # latest end so far
        for r in self._recent:
            if r.ended_at <= now - DAY_LOOKBACK:
                continue
            if reach is not None and r.started_at - reach >= DAY_REST:
                run = []
            run.append(r)
            reach = r.ended_at if reach is None else max(reach, r.ended_at)
        if reach is None or now - reach >= DAY_REST:
            return []
        return run

    def today(self) -> ExposureTotals:
        """Reveals of the current working day (since the last rest of :data:`DAY_REST`, at most 24 h)."""
        return _sum(self._working_day())

    def hour_clears_at(self, limit: float) -> datetime:
        """The first moment the rolling hour's weighted total is below ``limit`` (now if it already is)."""
        now = self.clock.now()
        recent = sorted(self._in_last_hour(), key=lambda r: r.ended_at)
        total = _sum(recent).weighted
        for r in recent:
            if total < limit:
                break
            total -= r.totals.weighted
            now = max(now, r.ended_at + HOUR)
        return now

    def day_clears_at(self) -> datetime:
        """When the current working day ends if no more content is revealed: a rest after its last reveal."""
        run = self._working_day()
        if not run:
            return self.clock.now()
        return max(r.ended_at for r in run) + DAY_REST
