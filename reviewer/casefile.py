"""Everything the review screen shows about one case, read in one go as plain frozen data.

Report and item texts are stored sealed (``reviewer.vault``) and opened here: a value that fails its
integrity check reads as ``TAMPERED``, one whose key is not available here as ``LOCKED``; never a crash.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from reviewer.media.store import MediaStore
from reviewer.models import Case, Decision, Item, Reviewer
from reviewer.storage.database import Database
from reviewer.vault.errors import KeyUnavailable
from reviewer.vault.state import LOCKED, Vault, vault_in


class _Opener:
    """Opens the sealed texts of one case read: with the vault, as they are (nothing sealed yet), or as
    ``LOCKED`` when the key cannot be read here."""

    def __init__(self, vault: Vault | None, locked: bool) -> None:
        self.vault, self.locked = vault, locked

    def __call__(self, value: str, table: str, column: str, row_id: uuid.UUID) -> str:
        if self.locked:
            return LOCKED
        return value if self.vault is None else self.vault.open_text(value, table, column, row_id.hex)


def _opener(session: Any) -> _Opener:
    try:
        return _Opener(vault_in(session), locked=False)
    except KeyUnavailable:
        return _Opener(None, locked=True)


@dataclass(frozen=True)
class ItemView:
    id: uuid.UUID
    kind: str
    position: int
    media_path: Path | None
    media_sha256: str | None
    text: str | None
    url: str | None


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    action: str
    policy_code: str | None
    reviewer: str
    note: str


@dataclass(frozen=True)
class CaseView:
    id: uuid.UUID
    external_id: str
    category: str
    priority: int
    sla_deadline: datetime
    status: str
    tier: int
    channel: str
    reporter: str
    report_text: str
    scores: dict[str, Any]
    account_handle: str | None
    account_platform: str | None
    account_flags: tuple[str, ...]
    account_risk: float
    account_case_count: int
    items: tuple[ItemView, ...]
    history: tuple[HistoryEntry, ...]

    @property
    def top_score(self) -> float | None:
        values = [float(v) for v in self.scores.values() if isinstance(v, int | float)]
        return max(values) if values else None

    def media_items(self) -> list[ItemView]:
        return [i for i in self.items if i.media_path is not None]


def decision_text(rationale: str | None, note: str | None) -> str:
    """What a decision says in words: its rationale (a note's text is its rationale) and any system note."""
    return " — ".join(part for part in (rationale or "", note or "") if part.strip())


def load_case(db: Database, case_id: uuid.UUID) -> CaseView | None:
    store = MediaStore(db.media_dir)
    with db.read() as s:
        case = s.get(Case, case_id)
        if case is None:
            return None
        unseal = _opener(s)
        items = s.execute(select(Item).where(Item.case_id == case_id).order_by(Item.position)).scalars().all()
        history = s.execute(
            select(Decision, Reviewer.handle)
            .join(Reviewer, Reviewer.id == Decision.reviewer_id)
            .where(Decision.case_id == case_id)
            .order_by(Decision.created_at)
        ).all()
        account_cases = 0
        if case.account_id is not None:
            account_cases = s.execute(
                select(func.count()).select_from(Case).where(Case.account_id == case.account_id)
            ).scalar_one()
        acct = case.account
        return CaseView(
            id=case.id,
            external_id=case.external_id,
            category=case.category,
            priority=case.priority,
            sla_deadline=case.sla_deadline,
            status=case.status,
            tier=case.tier,
            channel=case.channel.code,
            reporter=case.reporter,
            report_text=unseal(case.report_text, "case", "report_text", case.id),
            scores=dict(case.scores or {}),
            account_handle=acct.handle if acct else None,
            account_platform=acct.platform if acct else None,
            account_flags=tuple(acct.risk_flags or ()) if acct else (),
            account_risk=acct.risk_score if acct else 0.0,
            account_case_count=account_cases,
            items=tuple(
                ItemView(
                    id=i.id,
                    kind=i.kind,
                    position=i.position,
                    media_path=store.path_for(i.media_sha256) if i.media_sha256 else None,
                    media_sha256=i.media_sha256,
                    text=None if i.text is None else unseal(i.text, "item", "text", i.id),
                    url=i.url,
                )
                for i in items
            ),
            history=tuple(
                HistoryEntry(d.created_at, d.action, d.policy_code, handle, decision_text(d.rationale, d.note))
                for d, handle in history
            ),
        )
