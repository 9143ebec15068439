"""Cases related to one case: same media (SHA-256 or a PDQ near match), same account, same reporter.

Each related case appears once, with every reason it is related; the strongest reason first (same
media, then account, then reporter), newest first within a reason. At most :data:`RELATED_LIMIT`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select

from reviewer.duplicates import media_matches
from reviewer.models import Case, Channel
from reviewer.storage.database import Database

RELATED_LIMIT = 50

#: Why two cases are related, strongest first.
REASONS = ("same media", "similar media", "same account", "same reporter")


@dataclass(frozen=True)
class RelatedCase:
    case_id: uuid.UUID
    external_id: str
    channel: str
    category: str
    status: str
    created_at: datetime
    reasons: tuple[str, ...]

    @property
    def rank(self) -> int:
        return min(REASONS.index(r) for r in self.reasons)


def _cases() -> Select:
    return select(Case.id, Case.external_id, Channel.code, Case.category, Case.status, Case.created_at).join(
        Channel, Channel.id == Case.channel_id
    )


def related_cases(
    db: Database, case_id: uuid.UUID, limit: int = RELATED_LIMIT, *, near: bool = True
) -> list[RelatedCase]:
    """The cases related to ``case_id`` (none when it does not exist). ``near=False`` leaves out the PDQ
    near-match scan (the one part that reads every stored hash): a fast first answer."""
    with db.read() as s:
        own = s.execute(select(Case.account_id, Case.reporter).where(Case.id == case_id)).one_or_none()
        if own is None:
            return []
        reasons: dict[uuid.UUID, list[str]] = {}

        def add(ids: list[uuid.UUID], reason: str) -> None:
            for cid in ids:
                if cid != case_id:
                    reasons.setdefault(cid, []).append(reason)

        matches = media_matches(s, case_id, near=near)
        add([c for c, (kind, _) in matches.items() if kind == "exact"], "same media")
        add([c for c, (kind, _) in matches.items() if kind == "near"], "similar media")
        newest = (Case.created_at.desc(), Case.id.desc())  # one direction: the (reporter, created_at, id) index, read backwards
        if own.account_id is not None:
            add(
                list(
                    s.execute(
                        select(Case.id)
                        .where(Case.account_id == own.account_id)
                        .order_by(*newest)
                        .limit(limit + 1)
                    ).scalars()
                ),
                "same account",
            )
        if own.reporter.strip():
            add(
                list(
                    s.execute(
                        select(Case.id)
                        .where(Case.reporter == own.reporter)
                        .order_by(*newest)
                        .limit(limit + 1)
                    ).scalars()
                ),
                "same reporter",
            )
        rows = {}
        ids = list(reasons)
        for start in range(0, len(ids), 500):
            for r in s.execute(_cases().where(Case.id.in_(ids[start : start + 500]))).all():
                rows[r.id] = r
    related = [
        RelatedCase(r.id, r.external_id, r.code, r.category, r.status, r.created_at, tuple(reasons[r.id]))
        for r in rows.values()
    ]
    related.sort(key=lambda c: c.created_at, reverse=True)
    related.sort(key=lambda c: c.rank)
    return related[:limit]
