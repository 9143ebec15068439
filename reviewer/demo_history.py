"""A realistic past for the demo: 30 days of decisions by several reviewers, written by the real core.

Past cases are imported (one JSON Lines import, with their own ``created_at``), then every event is
replayed in time order through the functions the app uses, each with ``now=`` in the past:
``record_decision`` (keeps, removals, restrictions, account actions, escalations later decided at tier
2, skips later decided), ``undo_last`` followed by a corrected decision, ``override_decision`` by the
lead, reveals through ``ExposureLedger.record_reveal`` and breaks through ``BreakLog``. Some decisions
come after their SLA deadline. Everything goes through the audit chain, so ``reviewer audit verify``
stays OK. One seeded RNG: the same seed gives the same history (ids aside).
"""

from __future__ import annotations

import heapq
import json
import random
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import event

from reviewer.clock import ManualClock
from reviewer.conflicts import DecisionError
from reviewer.decisions import record_decision, undo_last
from reviewer.demo_catalog import CATEGORY_WEIGHTS, CHANNELS, REPORT_LINES
from reviewer.identity import ensure_reviewer, set_role
from reviewer.importing.importer import import_file
from reviewer.models import Case, Reviewer
from reviewer.overrides import override_decision
from reviewer.policy import PolicyPack, load_default_pack
from reviewer.storage.database import Database
from reviewer.wellbeing.breaks import BreakLog
from reviewer.wellbeing.exposure import ExposureLedger

REVIEWERS = ("ana.k", "ben.o", "chen.l", "dara.m")
LEAD = "sam.lead"
SLA_MINUTES = {1: 60, 2: 240, 3: 1440, 4: 4320}
#: First-decision actions and their weights.
ACTIONS = {"keep": 38, "remove": 30, "restrict": 8, "warn": 5, "strike": 2, "escalate": 9, "skip": 4}
FINAL = ("keep", "remove", "restrict", "warn")
UNDO_SHARE, OVERRIDE_SHARE, REVEAL_SHARE = 0.04, 0.03, 0.3


@dataclass(frozen=True)
class HistoryReport:
    cases: int
    decisions: int


def _history_source(folder: Path, rng: random.Random, seed: int, days: int, now: datetime, scale: float) -> Path:
    categories = list(CATEGORY_WEIGHTS)
    weights = list(CATEGORY_WEIGHTS.values())
    path = folder / "history.jsonl"
    n = 0
    with open(path, "w", encoding="utf-8") as out:
        for back in range(days, 0, -1):
            day = datetime.combine((now - timedelta(days=back)).date(), time(6), tzinfo=now.tzinfo)
            per_day = rng.randint(16, 28) if day.weekday() < 5 else rng.randint(6, 12)
            for _ in range(int(per_day * scale)):
                category = rng.choices(categories, weights)[0]
                created = day + timedelta(minutes=rng.randint(0, 13 * 60))
                case = {
                    "id": f"DEMO-{seed}-H{n:05d}",
                    "channel": rng.choice(CHANNELS),
                    "category": category,
                    "priority": (priority := rng.choices((1, 2, 3, 4), (8, 22, 45, 25))[0]),
                    "created_at": created.isoformat(),
                    "sla_minutes": SLA_MINUTES[priority],
                    "reporter": "user",
                    "report_text": rng.choice(REPORT_LINES[category]),
                    "items": [{"kind": "text", "text": "archived post"}],
                }
                out.write(json.dumps(case) + "\n")
                n += 1
    return path


class _Replay:
    """The history's events in time order (a heap), each applied through the core."""

    def __init__(self, db: Database, pack: PolicyPack, rng: random.Random, now: datetime) -> None:
        self.db, self.pack, self.rng, self.now = db, pack, rng, now
        self.queue: list[tuple[datetime, int, Callable[[datetime], None]]] = []
        self.counter = 0
        self.decisions = 0
        self.people = [ensure_reviewer(db, h) for h in REVIEWERS]
        ensure_reviewer(db, LEAD)
        self.lead = set_role(db, LEAD, "lead", actor="demo")
        clock = ManualClock(now)
        self.ledgers = {r.id: ExposureLedger(db, r.id, clock) for r in [*self.people, self.lead]}
        self.breaks = BreakLog(db)

    def at(self, when: datetime, step: Callable[[datetime], None]) -> None:
        if when < self.now:
            self.counter += 1
            heapq.heappush(self.queue, (when, self.counter, step))

    def run(self) -> None:
        while self.queue:
            when, _n, step = heapq.heappop(self.queue)
            try:
                step(when)
            except DecisionError:  # a conflict the replay ran into (an undo took another case): skip it
                continue

    def policy(self, action: str, category: str) -> tuple[str | None, str]:
        if action == "escalate":  # an escalation carries its hand-off note (reviewer.tiers)
            return None, "demo history: unclear under the pack, a senior reviewer should decide"
        if action == "skip":
            return None, ""
        if action == "keep":
            return self.pack.default_policy_for("keep"), ""
        sections = self.pack.sections_allowing(action, category)[:3] or self.pack.sections_allowing(action)
        code = self.rng.choice(sections).code if sections else None
        return code, ("demo history" if self.pack.needs_rationale(code, action) else "")

    def decide(self, case: Case, who: Reviewer, action: str, when: datetime, followups: bool = True) -> None:
        code, rationale = self.policy(action, case.category)
        handle_ms = int(min(600_000, self.rng.lognormvariate(10.0, 0.6)))  # median ~22 s
        revealed = self.rng.random() < REVEAL_SHARE
        if revealed:
            self.ledgers[who.id].record_reveal(
                case.id, None, self.rng.choice(("hold", "toggle")), when - timedelta(milliseconds=handle_ms),
                self.rng.randint(1500, min(20_000, max(1500, handle_ms))), self.rng.choice((1.0, 1.5, 2.0)),
            )  # fmt: skip
        result = record_decision(self.db, case_id=case.id, reviewer=who, action=action, policy_code=code,
                                 pack=self.pack, handle_ms=handle_ms, revealed=revealed, now=when,
                                 rationale=rationale)  # fmt: skip
        self.decisions += 1
        if not followups:
            return
        r = self.rng.random()
        if action in ("escalate", "skip"):
            nxt = "remove" if self.rng.random() < 0.6 else "keep"
            other = self.lead if action == "escalate" else self.rng.choice(self.people)
            delay = timedelta(minutes=self.rng.randint(30, 600))
            self.at(when + delay, lambda t: self.decide(case, other, nxt, t, followups=False))
        elif r < UNDO_SHARE:
            fixed = "remove" if action == "keep" else "keep"
            self.at(when + timedelta(seconds=20), lambda t: self._undo(who, t))
            self.at(when + timedelta(seconds=50), lambda t: self.decide(case, who, fixed, t, followups=False))
        elif r < UNDO_SHARE + OVERRIDE_SHARE:
            instead = "restrict" if action == "remove" else "remove"
            replaces = result.decision_id
            self.at(when + timedelta(hours=self.rng.randint(2, 20)), lambda t: self._override(case, replaces, instead, t))

    def _undo(self, who: Reviewer, when: datetime) -> None:
        undo_last(self.db, reviewer=who, session_id=None, now=when)
        self.decisions += 1

    def _override(self, case: Case, replaces: object, action: str, when: datetime) -> None:
        code, _r = self.policy(action, case.category)
        override_decision(self.db, case_id=case.id, lead=self.lead, replaces=replaces, action=action,  # type: ignore[arg-type]
                          reason="second look at the week's sample", policy_code=code, pack=self.pack, now=when)  # fmt: skip
        self.decisions += 2

    def schedule_case(self, case: Case) -> None:
        sla = timedelta(minutes=SLA_MINUTES[case.priority])
        # Mostly well within the SLA; about one in eight later than the deadline.
        delay = timedelta(seconds=self.rng.expovariate(1 / (sla.total_seconds() * 0.5)))
        delay = max(timedelta(minutes=2), min(delay, timedelta(days=3)))
        action = self.rng.choices(list(ACTIONS), list(ACTIONS.values()))[0]
        who = self.rng.choice(self.people)
        self.at(case.created_at + delay, lambda t: self.decide(case, who, action, t))

    def schedule_breaks(self, days: int) -> None:
        for back in range(days, 0, -1):
            day = datetime.combine((self.now - timedelta(days=back)).date(), time(9), tzinfo=self.now.tzinfo)
            for who in self.people:  # one break a day each, a reminder taken or a voluntary one
                start = day + timedelta(hours=self.rng.randint(2, 6), minutes=self.rng.randint(0, 50))
                kind = self.rng.choice(("reminder", "voluntary"))
                length = timedelta(minutes=self.rng.randint(5, 15))
                self.at(start, partial(self._break, who, kind, length))

    def _break(self, who: Reviewer, kind: str, length: timedelta, start: datetime) -> None:
        self.breaks.end(self.breaks.start(who.id, kind, "demo", start), start + length)


@contextmanager
def _unsynced(db: Database) -> Iterator[None]:
    """Synthetic history need not be fsynced commit by commit (about 10 ms each, most of the time taken):
    while it is written, SQLite's ``synchronous`` is OFF on the write connections; afterwards they are
    dropped, so every later connection is FULL again, and the WAL is checkpointed."""
    if not db.is_sqlite:
        yield
        return

    def relax(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        dbapi_conn.execute("PRAGMA synchronous=OFF")

    db.release_core()  # write_core's kept connection too is checked out again, OFF then FULL
    event.listen(db.write_engine, "checkout", relax)
    try:
        yield
    finally:
        event.remove(db.write_engine, "checkout", relax)
        db.write_engine.dispose()  # write_core's kept connection too is replaced
        db.checkpoint()


def build_history(
    db: Database, now: datetime, *, seed: int = 7, days: int = 30, scale: float = 1.0
) -> HistoryReport:
    """Import ``days`` days of past cases and replay their decisions, undos, overrides, reveals, breaks.

    ``scale`` shrinks the daily volume (about 16-28 cases a weekday at 1.0) for smaller demos; a history
    with no case at all (a test's demo of a few dozen cases) writes nothing."""
    from reviewer.audit import write_checkpoint

    with _unsynced(db):
        report = _build(db, now, seed, days, scale)
    if report.decisions:
        write_checkpoint(db, force=True)  # the history's events anchored at once
    return report


def _build(db: Database, now: datetime, seed: int, days: int, scale: float) -> HistoryReport:
    from sqlalchemy import select

    rng = random.Random(seed * 104729 + 17)
    with tempfile.TemporaryDirectory(prefix="reviewer-history-") as tmp:
        source = _history_source(Path(tmp), rng, seed, days, now, scale)
        if not source.read_text(encoding="utf-8"):
            return HistoryReport(0, 0)
        report = import_file(db, source, actor="demo", now=now)
    replay = _Replay(db, load_default_pack(), rng, now)
    with db.read() as s:
        cases = list(s.execute(select(Case).where(Case.external_id.like(f"DEMO-{seed}-H%"))).unique().scalars())
    cases.sort(key=lambda c: c.external_id)
    for case in cases:
        replay.schedule_case(case)
    replay.schedule_breaks(days)
    replay.run()
    return HistoryReport(report.cases, replay.decisions)
