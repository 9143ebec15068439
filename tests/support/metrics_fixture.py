"""A small history with known times for the metrics tests (figures computed by hand in the tests).

Day D = 2026-11-10 (UTC). Cases (channel, category, priority, created, deadline):
  A partner/violence p1 created D 08:00, due D 09:00 — keep VIO? no: remove VIO-1 at D 08:30 by ana (12 s) → met
  B partner/violence p2 created D 08:00, due D 09:00 — remove VIO-1 at D 10:00 by ana (30 s) → breached
  C media/spam       p3 created D 09:00, due D 12:00 — keep NV-0 at D 10:15 by bo (5 s), undone by bo at 10:16,
                                                       then remove VIO-2 at D 10:20 by bo (61 s) → met
  D media/violence   p2 created D 09:00, due D 11:00 — escalate at D 10:30 by bo (8 s); still workable: breached
  E partner/spam     p3 created D+1 07:00, due D+1 08:00 — keep NV-0 at D+1 07:30 by ana (20 s), overridden by
                                                       lead lee at D+1 09:00 to remove VIO-1 → met
Reveals: ana D 08:10 10 s severity 2.0, bo D 10:10 30 s severity 1.0.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from reviewer.decisions import record_decision, undo_last
from reviewer.identity import ensure_reviewer, set_role
from reviewer.models import Case, Channel, RevealEvent
from reviewer.overrides import override_decision
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database

DAY = date(2026, 11, 10)


def at(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hh, mm, tzinfo=UTC) + timedelta(days=day)


@dataclass(frozen=True)
class History:
    cases: dict[str, uuid.UUID]


def build_history(db: Database, pack: PolicyPack) -> History:
    ana, bo = ensure_reviewer(db, "ana"), ensure_reviewer(db, "bo")
    ensure_reviewer(db, "lee")
    lee = set_role(db, "lee", "lead", actor="test")
    specs = {
        "A": ("partner", "violence", 1, at(0, 8), at(0, 9)),
        "B": ("partner", "violence", 2, at(0, 8), at(0, 9)),
        "C": ("media", "spam", 3, at(0, 9), at(0, 12)),
        "D": ("media", "violence", 2, at(0, 9), at(0, 11)),
        "E": ("partner", "spam", 3, at(1, 7), at(1, 8)),
    }
    ids: dict[str, uuid.UUID] = {}
    with db.write() as s:
        channels = {code: Channel(code=code, name=code) for code in ("partner", "media")}
        s.add_all(channels.values())
        s.flush()
        for key, (ch, cat, prio, created, due) in specs.items():
            case = Case(external_id=f"M-{key}", channel_id=channels[ch].id, account_id=None, category=cat,
                        priority=prio, sla_deadline=due, created_at=created)  # fmt: skip
            s.add(case)
            s.flush()
            ids[key] = case.id

    def decide(key: str, who: object, action: str, code: str | None, when: datetime, secs: float) -> uuid.UUID:
        result = record_decision(db, case_id=ids[key], reviewer=who, action=action, policy_code=code,  # type: ignore[arg-type]
                                 pack=pack, handle_ms=int(secs * 1000), now=when,
                                 rationale="hand-off" if action == "escalate" else "")  # fmt: skip
        return result.decision_id

    decide("A", ana, "remove", "VIO-1", at(0, 8, 30), 12)
    decide("B", ana, "remove", "VIO-1", at(0, 10), 30)
    decide("C", bo, "keep", "NV-0", at(0, 10, 15), 5)
    undo_last(db, reviewer=bo, session_id=None, now=at(0, 10, 16))
    decide("C", bo, "remove", "VIO-2", at(0, 10, 20), 61)
    decide("D", bo, "escalate", None, at(0, 10, 30), 8)
    kept = decide("E", ana, "keep", "NV-0", at(1, 7, 30), 20)
    override_decision(db, case_id=ids["E"], lead=lee, replaces=kept, action="remove", reason="missed it",
                      policy_code="VIO-1", pack=pack, now=at(1, 9))  # fmt: skip
    with db.write() as s:
        s.add(RevealEvent(reviewer_id=ana.id, case_id=ids["A"], mode="hold", started_at=at(0, 8, 10),
                          duration_ms=10_000, severity=2.0))  # fmt: skip
        s.add(RevealEvent(reviewer_id=bo.id, case_id=ids["C"], mode="toggle", started_at=at(0, 10, 10),
                          duration_ms=30_000, severity=1.0))  # fmt: skip
    return History(ids)
