"""A seeded investigation for report tests: two accounts on two channels, cases with images in the
(sealed) media store, decisions with policy codes, notes, findings — and hostile text everywhere an
imported or typed value reaches the report."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import timedelta

from PIL import Image, ImageDraw

from reviewer.clock import utcnow
from reviewer.decisions import record_decision
from reviewer.identity import ensure_reviewer, start_session
from reviewer.investigations import (
    Findings,
    add_account,
    add_case,
    add_note,
    create_investigation,
    get_investigation,
    save_findings,
)
from reviewer.models import Account, Case, Channel, Item
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database
from reviewer.vault.opening import ensure_vault, media_store_of

HOSTILE = '<img src=file:///etc/passwd><script>alert("x")</script>\u202eevil\u200b&amp;'
TITLE = "Coordinated harassment ring"
FINDINGS_MD = (
    "Staff saw offline traffic: ffff.\n\n"
    "# Pattern\n\nThe accounts post the same **graphic** images.\n\n- first sighting\n- second\n\n"
    f"![x](file:///etc/passwd) <img src=file:///etc/passwd> <script>alert(1)</script> {HOSTILE}\n"
)
POLICY = "VIO-1"


@dataclass(frozen=True)
class Seeded:
    inv_id: uuid.UUID
    case_ids: tuple[uuid.UUID, ...]
    shas: tuple[str, ...]


def sample_png(n: int, size: tuple[int, int] = (320, 240)) -> bytes:
    """A sharp, high-contrast picture (a blur changes it visibly)."""
    im = Image.new("RGB", size, (30 + n % 200, 40, 60))
    draw = ImageDraw.Draw(im)
    for x in range(0, size[0], 16):
        draw.line((x, 0, x, size[1]), fill=(250, 250, 250), width=3)
    draw.rectangle((20 + n % 40, 20, 140, 140), fill=(220, 30, 30))
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def seed_investigation(
    db: Database, pack: PolicyPack, *, cases: int = 6, images: int | None = None
) -> Seeded:
    """An investigation by "tester" over ``cases`` cases (half on each of two accounts and channels),
    each with a text and an image item (``images`` distinct pictures), every other one decided."""
    ensure_vault(db)
    store = media_store_of(db)
    shas = tuple(store.put_bytes(sample_png(n)) for n in range(images or cases))
    now = utcnow()
    case_ids: list[uuid.UUID] = []
    with db.write() as s:
        channels = [
            Channel(code="partner", name="Partner"),
            Channel(code="media" + HOSTILE[:5], name="Media"),
        ]
        accounts = [
            Account(platform="photoapp", handle="@ring" + HOSTILE, risk_score=0.9),
            Account(platform="videoapp", handle="@ring2", risk_score=0.7),
        ]
        s.add_all([*channels, *accounts])
        s.flush()
        for i in range(cases):
            case = Case(
                external_id=f"R-{i:04d}",
                channel_id=channels[i % 2].id,
                account_id=accounts[i % 2].id,
                category="violence",
                priority=2,
                sla_deadline=now + timedelta(hours=1),
                risk_rank=100,
                reporter="reporter" + HOSTILE,
                report_text="report " + HOSTILE,
                created_at=now - timedelta(hours=cases - i),
            )
            s.add(case)
            s.flush()
            s.add(Item(case_id=case.id, kind="text", text="hello " + HOSTILE, position=0))
            s.add(Item(case_id=case.id, kind="image", media_sha256=shas[i % len(shas)], position=1))
            case_ids.append(case.id)
        account_ids = [a.id for a in accounts]
    me = ensure_reviewer(db, "tester")
    session_id = start_session(db, me)
    for i, case_id in enumerate(case_ids):
        if i % 2 == 0:
            record_decision(
                db, case_id=case_id, reviewer=me, action="remove", policy_code=POLICY, pack=pack,
                session_id=session_id, note="note " + HOSTILE,
            )  # fmt: skip
    inv_id = create_investigation(db, me, TITLE)
    add_account(db, me, inv_id, account_ids[0])
    add_case(db, me, inv_id, case_ids[1])
    add_note(db, me, inv_id, "note body " + HOSTILE, case_id=case_ids[0])
    view = get_investigation(db, inv_id)
    save_findings(
        db,
        me,
        inv_id,
        Findings(
            summary="Summary " + HOSTILE,
            risk_assessment="High",
            recommended_actions="Suspend both",
            policy_gaps="No rule for coordinated reposts",
            findings_md=FINDINGS_MD,
        ),
        expected_updated_at=view.updated_at,
    )
    return Seeded(inv_id, tuple(case_ids), shas)
