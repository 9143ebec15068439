"""Gathering a report's content from an investigation (part INV's reads) and the media store.

``gather`` reads the investigation (``reviewer.investigations.get_investigation``) and its timeline
(``investigation_timeline``: every case about its accounts and member cases, their decisions, its
notes), takes the decisions and escalations out of the timeline for the decisions table, and makes one
thumbnail per media item of the timeline's cases (``reviewer.reports.thumbs``: blurred unless
``clear_images``). Reads only; the checkpoint it names is written before (``export.anchor``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select

from reviewer.clock import utcnow
from reviewer.investigations import get_investigation, investigation_timeline
from reviewer.investigations.timeline import TIMELINE_LIMIT
from reviewer.models import Case, Item
from reviewer.reports.content import (
    CheckpointRef,
    DecisionRow,
    EvidenceItem,
    InvestigationHead,
    ReportContent,
    ReportOptions,
    TimelineRow,
)
from reviewer.reports.thumbs import MEDIA_KINDS, Thumbnailer
from reviewer.storage.database import Database

#: The most evidence thumbnails one report carries (the newest cases' items first are kept).
EVIDENCE_LIMIT = 400
DECISION_KINDS = ("decision", "escalation")
_CHUNK = 500

#: ``progress(stage, done, total)``: called from the thread that gathers.
Progress = Callable[[str, int, int], None]


def _media_items(db: Database, case_ids: Sequence[uuid.UUID]) -> list[Any]:
    """``(case external id, position, kind, sha)`` of the cases' media items, in the cases' order."""
    order = {case_id: n for n, case_id in enumerate(case_ids)}
    rows: list[Any] = []
    with db.read() as s:
        for at in range(0, len(case_ids), _CHUNK):
            chunk = list(case_ids[at : at + _CHUNK])
            rows += s.execute(
                select(Item.case_id, Case.external_id, Item.position, Item.kind, Item.media_sha256)
                .join(Case, Case.id == Item.case_id)
                .where(Item.case_id.in_(chunk), Item.media_sha256.is_not(None), Item.kind.in_(MEDIA_KINDS))
            ).all()
    rows.sort(key=lambda r: (order[r.case_id], r.position))
    return rows


def gather(
    db: Database,
    inv_id: uuid.UUID,
    *,
    clear_images: bool = False,
    media: Thumbnailer | None = None,
    checkpoint: CheckpointRef | None = None,
    generated_by: str = "",
    progress: Progress | None = None,
) -> ReportContent:
    """The report of investigation ``inv_id``. ``media``: the thumbnailer (default: one reading
    ``media_store_of(db)`` with decode workers of its own, stopped before returning).
    InvestigationNotFound for an unknown id."""
    say = progress or (lambda _stage, _done, _total: None)
    say("Reading the investigation", 0, 0)
    inv = get_investigation(db, inv_id)
    events = investigation_timeline(db, inv_id)
    timeline = tuple(
        TimelineRow(
            e.at,
            e.kind,
            e.external_id,
            e.channel,
            e.account,
            e.actor,
            e.action,
            e.policy_code,
            e.policy_version,
            e.text,
        )
        for e in events
    )
    decisions = tuple(
        DecisionRow(e.at, e.external_id, e.actor, e.action, e.policy_code, e.policy_version, e.text)
        for e in events
        if e.kind in DECISION_KINDS
    )
    # Newest cases first, so a cut keeps the most recent evidence; shown in timeline order after.
    case_ids = list(dict.fromkeys(e.case_id for e in reversed(events) if e.kind == "case" and e.case_id))
    items = _media_items(db, case_ids)[:EVIDENCE_LIMIT]
    rank = {case_id: n for n, case_id in enumerate(case_ids)}
    items.sort(key=lambda r: (-rank[r.case_id], r.position))
    own = media is None
    maker = media or default_thumbnailer(db)
    try:
        thumbs = maker.make_all(
            [(r.media_sha256, r.kind) for r in items],
            clear=clear_images,
            progress=lambda done, total: say("Making thumbnails", done, total),
        )
    finally:
        if own:
            maker.close()
    evidence = tuple(
        EvidenceItem(
            external_id=r.external_id,
            position=int(r.position),
            kind=r.kind,
            media_sha256=r.media_sha256,
            png=thumbs[r.media_sha256].png,
            clear=clear_images and thumbs[r.media_sha256].png is not None,
            reason=thumbs[r.media_sha256].reason,
        )
        for r in items
    )
    f = inv.findings
    head = InvestigationHead(
        inv.id,
        inv.title,
        inv.status,
        inv.created_by,
        inv.created_at,
        inv.updated_at,
        f.summary,
        f.risk_assessment,
        f.recommended_actions,
        f.policy_gaps,
    )
    return ReportContent(
        title=inv.title,
        generated_at=utcnow(),
        generated_by=generated_by,
        investigation=head,
        findings_md=f.findings_md,
        accounts=tuple(m.label for m in inv.members if m.kind == "account"),
        case_count=len(case_ids),
        timeline=timeline,
        decisions=decisions,
        evidence=evidence,
        checkpoint=checkpoint,
        options=ReportOptions(clear_images=clear_images, greyscale=maker.greyscale),
        timeline_truncated=len(events) >= TIMELINE_LIMIT,
    )


def default_thumbnailer(db: Database, **options: Any) -> Thumbnailer:
    """A thumbnailer on the database's media store (``options``: ``Thumbnailer``'s keywords); a store
    that cannot be opened (its key not here) makes every thumbnail say why, rather than failing the
    report."""
    from reviewer.vault.opening import media_store_of

    try:
        return Thumbnailer(media_store_of(db).read, **options)
    except Exception as exc:
        failure = exc

    def refuse(_sha: str) -> bytes:
        raise failure

    return Thumbnailer(refuse, **options)
