"""Appeals for the demo: a few of the past cases' decisions are appealed, imported through the real
``reviewer appeals import`` path (a JSON Lines file, sealed statements, audited), so the appeals queue (F10)
has work in a fresh demo."""

from __future__ import annotations

import json
import random
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from reviewer.appeals.importing import import_appeals
from reviewer.audit import write_checkpoint
from reviewer.followup import DECIDING_ACTIONS
from reviewer.models import Case, Decision
from reviewer.storage.database import Database

STATEMENTS = (
    "This was satire about a news story, not an attack on anyone.",
    "My account was hacked last week; I did not post this.",
    "The image is from a documentary about the war and was shared to inform.",
    "I was quoting the slur to report it, not to use it.",
    "This is my own artwork and nobody in it is real.",
    "The link goes to my own shop; it is not a scam.",
)


def add_demo_appeals(db: Database, now: datetime, *, seed: int = 7, count: int = 6) -> int:
    """Appeal ``count`` standing decisions on past demo cases (decided, never undone); returns how many."""
    rng = random.Random(seed)
    undone = select(Decision.reverses_id).where(Decision.reverses_id.is_not(None))
    with db.read() as s:
        rows = s.execute(
            select(Case.external_id)
            .join(Decision, Decision.case_id == Case.id)
            .where(
                Case.external_id.like(f"DEMO-{seed}-H%"),
                Case.status == "decided",
                Decision.action.in_(DECIDING_ACTIONS),
                Decision.action != "keep",
                Decision.id.not_in(undone),
            )
            .order_by(Decision.created_at.desc())
            .limit(200)
        ).all()
    cases = sorted({r[0] for r in rows})
    chosen = rng.sample(cases, min(count, len(cases)))
    if not chosen:
        return 0
    with tempfile.TemporaryDirectory(prefix="reviewer-demo-appeals-") as tmp:
        source = Path(tmp) / "appeals.jsonl"
        lines = [
            {
                "appeal_id": f"DEMO-AP-{n + 1:03d}",
                "case": external_id,
                "statement": STATEMENTS[n % len(STATEMENTS)],
                "appealed_at": (now - timedelta(hours=2 * n + 1)).isoformat(),
            }
            for n, external_id in enumerate(chosen)
        ]
        source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
        imported = import_appeals(db, source, actor="demo", now=now)
    write_checkpoint(db, force=True)  # anchored at once, like the history before them
    return imported
