"""The demo gives its partner, media, staff and regulator cases a (fake) requester and a response deadline;
other channels neither."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from reviewer.demo import DemoSpec, build_demo
from reviewer.models import Case, Channel
from reviewer.responses.compose import compose_context
from reviewer.responses.templates import shipped_templates
from reviewer.storage.database import Database

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_demo_cases_of_response_channels_have_requesters(db: Database) -> None:
    build_demo(db, DemoSpec(cases=60, seed=2, images=6, history_days=0), now=NOW)
    with db.read() as s:
        rows = s.execute(
            select(Case.id, Channel.code, Case.requester, Case.response_due_at).join(Channel)
        ).all()
    expecting = set(shipped_templates())
    with_requester = [r for r in rows if r.code in expecting]
    assert with_requester and all(r.requester and r.response_due_at for r in with_requester)
    assert all(r.requester is None and r.response_due_at is None for r in rows if r.code not in expecting)
    assert any(r.response_due_at < NOW for r in with_requester)  # some responses already late
    ctx = compose_context(db, with_requester[0].id)
    assert ctx is not None and ctx.requester is not None and ctx.requester.reference
