"""What a bulk apply would touch, shown before it is confirmed: the cases, their accounts, and which of
them hold media nobody has revealed (a decision on those is taken on a duplicate's word alone)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from reviewer.duplicates import chunks
from reviewer.models import Account, Case, Item, RevealEvent
from reviewer.storage.database import Database


@dataclass(frozen=True)
class BulkCase:
    case_id: uuid.UUID
    external_id: str
    account: str | None  # "platform/handle", None for a case with no account
    unseen_items: int  # media items of the case no reviewer has ever revealed


@dataclass(frozen=True)
class BulkPreview:
    cases: tuple[BulkCase, ...]

    @property
    def count(self) -> int:
        return len(self.cases)

    @property
    def accounts(self) -> int:
        """Distinct accounts among the cases (cases with no account are not counted)."""
        return len({c.account for c in self.cases if c.account is not None})

    @property
    def unseen(self) -> tuple[BulkCase, ...]:
        """The cases with media never revealed, in the preview's order."""
        return tuple(c for c in self.cases if c.unseen_items)


def preview_bulk(db: Database, case_ids: Sequence[uuid.UUID]) -> BulkPreview:
    """The cases a bulk apply to ``case_ids`` would decide, in that order (missing cases are left out:
    the apply itself refuses them)."""
    wanted = list(dict.fromkeys(case_ids))
    found: dict[uuid.UUID, tuple[str, str | None]] = {}
    unseen: dict[uuid.UUID, int] = {}
    with db.read() as s:
        for ids in chunks(wanted):
            rows = s.execute(
                select(Case.id, Case.external_id, Account.platform, Account.handle)
                .outerjoin(Account, Account.id == Case.account_id)
                .where(Case.id.in_(ids))
            ).all()
            for case_id, external_id, platform, handle in rows:
                found[case_id] = (external_id, f"{platform}/{handle}" if handle is not None else None)
            revealed = select(RevealEvent.item_id).where(RevealEvent.item_id == Item.id).exists()
            media = s.execute(
                select(Item.case_id).where(Item.case_id.in_(ids), Item.media_sha256.is_not(None), ~revealed)
            ).scalars()
            for case_id in media:
                unseen[case_id] = unseen.get(case_id, 0) + 1
    return BulkPreview(
        tuple(
            BulkCase(cid, found[cid][0], found[cid][1], unseen.get(cid, 0)) for cid in wanted if cid in found
        )
    )
