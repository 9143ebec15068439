"""The same escalation reads and tier queue on a team server (PostgreSQL): skipped where none answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reviewer.decisions import record_decision
from reviewer.escalations import escalation_of, open_escalations
from reviewer.identity import ensure_reviewer, start_session
from reviewer.leases import try_claim
from reviewer.models import Case, Channel
from reviewer.policy import PolicyPack
from reviewer.queue import QueueFilter, count, fetch_page
from reviewer.storage.database import Database

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def test_escalations_and_tier_queues_on_postgres(pg_db: Database, pack: PolicyPack) -> None:
    with pg_db.write() as s:
        channel = Channel(code="partner", name="Partner")
        s.add(channel)
        s.flush()
        cases = [
            Case(
                external_id=f"PG-{i}",
                channel_id=channel.id,
                account_id=None,
                category="violence",
                priority=2,
                sla_deadline=T0 + timedelta(hours=i),
            )  # fmt: skip
            for i in range(4)
        ]
        s.add_all(cases)
        s.flush()
        ids = [c.id for c in cases]
    alice = ensure_reviewer(pg_db, "alice")
    record_decision(
        pg_db, case_id=ids[0], reviewer=alice, action="escalate", rationale="network", pack=pack, now=T0
    )
    record_decision(pg_db, case_id=ids[1], reviewer=alice, action="escalate", to_tier=3, rationale="legal",
                    pack=pack, now=T0)  # fmt: skip
    bob = ensure_reviewer(pg_db, "bob")
    session = start_session(pg_db, bob, now=T0)
    assert try_claim(pg_db, ids[0], session, now=T0).ok
    esc = escalation_of(pg_db, ids[0], pack, now=T0 + timedelta(hours=9))
    assert esc is not None and (esc.tier, esc.escalated_by, esc.note, esc.holder) == (
        2,
        "alice",
        "network",
        "bob",
    )
    assert esc.overdue and not esc.held  # 8 h SLA passed; the 15-minute lease ran out
    now = T0 + timedelta(hours=1)
    assert [e.external_id for e in open_escalations(pg_db, pack, now=now)] == ["PG-0", "PG-1"]
    assert [e.external_id for e in open_escalations(pg_db, pack, tier=3, now=now)] == ["PG-1"]
    with pg_db.read() as s:
        flt = QueueFilter().for_tier(2)
        assert [r.external_id for r in fetch_page(s, flt)] == ["PG-0"] and count(s, flt) == 1
        assert [r.external_id for r in fetch_page(s, QueueFilter(tier=1))] == ["PG-2", "PG-3"]
