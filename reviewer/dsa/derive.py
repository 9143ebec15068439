"""A statement of reasons derived at export from immutable facts, never at decision time.

For each standing decision (not undone, not kept-but-not-applied by the team server) whose action the
pack version it cites maps to a restriction (``[dsa.actions]``):

- from the decision: the restriction kind (its action), the section (its policy code), the application
  date and the decision date (its ``created_at``, UTC), ``puid`` (the decision's id), ``decision_facts``
  (how the case came, the section, the rationale: :func:`facts`, unless amended);
- from the pack version it cites (its stored text, by ``policy_sha256``; the built-in pack when that is
  the same text): the decision ground, category, keywords, legal or contractual ground and explanation,
  the reference URL, the default territorial scope, ``automated_decision`` and ``account_type``;
- from the case: the content type (its items' kinds), the content date (the day the case was reported,
  unless amended) and, by its channel, the source type and whether detection was automated;
- from the reviewer's amendment (``sor_amendment``), every field of :data:`AMENDABLE` it sets.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Bundle, Session

from reviewer.decisions import KEPT_NOT_APPLIED
from reviewer.dsa.mapping import DsaMapping
from reviewer.dsa.rules import Problem, clean, present, validate
from reviewer.models import Case, Channel, Decision, Item, PolicyPackSource, SorAmendment, table_of
from reviewer.policy import PolicyPack, PolicyPackError, load_default_pack, load_pack_text
from reviewer.storage.database import Database

#: Fields a reviewer may set by hand (``sor_amendment.fields``); each overrides what was derived.
AMENDABLE: tuple[str, ...] = (
    "decision_facts",
    "illegal_content_explanation",
    "incompatible_content_explanation",
    "territorial_scope",
    "content_language",
    "content_date",
    "end_date_visibility_restriction",
    "end_date_monetary_restriction",
    "end_date_service_restriction",
    "end_date_account_restriction",
    "account_type",
    "automated_detection",
    "source_identity",
    "content_type_other",
    "decision_visibility_other",
    "decision_monetary_other",
)
CONTENT_TYPES_OF_KINDS = {
    "image": "CONTENT_TYPE_IMAGE",
    "text": "CONTENT_TYPE_TEXT",
    "video": "CONTENT_TYPE_VIDEO",
    "link": "CONTENT_TYPE_OTHER",
}
LINK_CONTENT = "Link to content hosted elsewhere"
#: Actions that restrict nothing under any pack (used when the cited pack's text is not stored here).
NON_RESTRICTING = frozenset({"keep", "escalate", "note", "skip", "undo"})

_decisions = table_of(Decision)
#: Decisions read and built at a time by :func:`statements`.
PARTITION = 1000
#: The columns a statement is built from, read as plain rows (no ORM identity map grows with the history).
_DECISION: Bundle[Any] = Bundle(
    "decision",
    Decision.id,
    Decision.action,
    Decision.policy_code,
    Decision.policy_sha256,
    Decision.rationale,
    Decision.created_at,
)
_CASE: Bundle[Any] = Bundle("case", Case.id, Case.external_id, Case.created_at)
_undone = select(_decisions.c.reverses_id).where(_decisions.c.reverses_id.is_not(None))


@dataclass(frozen=True)
class Statement:
    """The statement of one decision: the API's fields (``fields``) and the rules they break."""

    decision_id: uuid.UUID
    case_id: uuid.UUID
    case_external_id: str
    action: str
    decided_at: datetime
    fields: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    def body(self) -> dict[str, Any]:
        """The statement as it is sent (see ``rules.clean``)."""
        return clean(self.fields)


class PackCache:
    """The pack of each cited text, by sha256, loaded once (None: not stored, or no longer valid)."""

    def __init__(self) -> None:
        self._packs: dict[str | None, PolicyPack | None] = {}

    def get(self, sha256: str | None, session: Session) -> PolicyPack | None:
        if sha256 not in self._packs:
            self._packs[sha256] = self._load(sha256, session)
        return self._packs[sha256]

    def _load(self, sha256: str | None, session: Session) -> PolicyPack | None:
        if sha256 is None:
            return None
        text = session.execute(
            select(PolicyPackSource.content).where(PolicyPackSource.sha256 == sha256).limit(1)
        ).scalar()
        try:
            if text is not None:
                return load_pack_text(text, f"policy pack {sha256[:12]}")
            built_in = load_default_pack()
        except PolicyPackError:
            return None
        return built_in if built_in.sha256 == sha256 else None


def _day(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.date().isoformat()


def build(
    decision: Any,
    case: Any,
    channel: str,
    kinds: list[str],
    pack: PolicyPack | None,
    amended: dict[str, Any],
) -> Statement | None:
    """The statement of one decision, or None when its action restricts nothing under its pack."""
    mapping: DsaMapping | None = pack.dsa if pack is not None else None
    fields: dict[str, Any] = {}
    problems: list[Problem] = []
    restriction = mapping.restriction(decision.action) if mapping is not None else None
    if pack is None and decision.action in NON_RESTRICTING:
        return None
    if pack is None:
        # The cited text is not stored here: nothing can be derived, but the decision is still listed.
        problems.append(
            Problem("decision_ground", "the policy pack version the decision cites is not stored")
        )
    elif restriction is None:
        return None
    if mapping is not None and restriction is not None:
        if restriction.decision_visibility:
            fields["decision_visibility"] = list(restriction.decision_visibility)
        for kind in ("decision_monetary", "decision_provision", "decision_account"):
            if getattr(restriction, kind):
                fields[kind] = getattr(restriction, kind)
        ground = mapping.section(decision.policy_code)
        if ground is not None:
            fields["decision_ground"] = ground.decision_ground
            fields["category"] = ground.category
            if ground.keywords:
                fields["category_specification"] = list(ground.keywords)
            if ground.illegal:
                fields["illegal_content_legal_ground"] = ground.ground
                fields["illegal_content_explanation"] = ground.explanation
            else:
                fields["incompatible_content_ground"] = ground.ground
                fields["incompatible_content_explanation"] = ground.explanation
                if ground.incompatible_content_illegal:
                    fields["incompatible_content_illegal"] = ground.incompatible_content_illegal
        if mapping.reference_url:
            fields["decision_ground_reference_url"] = mapping.reference_url
        fields["territorial_scope"] = list(mapping.territorial_scope)
        fields["automated_decision"] = mapping.automated_decision
        if mapping.account_type:
            fields["account_type"] = mapping.account_type
        source = mapping.source(channel)
        if source is not None:
            fields["source_type"] = source.source_type
            fields["automated_detection"] = source.automated_detection
    types = sorted({CONTENT_TYPES_OF_KINDS[k] for k in kinds if k in CONTENT_TYPES_OF_KINDS})
    if types:
        fields["content_type"] = types
        if "CONTENT_TYPE_OTHER" in types:
            fields["content_type_other"] = LINK_CONTENT
    fields["content_date"] = _day(case.created_at)
    fields["application_date"] = _day(decision.created_at)
    fields["decision_facts"] = facts(decision, channel, pack)
    fields["puid"] = str(decision.id)
    for name in AMENDABLE:
        if name in amended and present(amended[name]):
            fields[name] = amended[name]
    problems += [p for p in validate(fields) if p.field not in {q.field for q in problems}]
    return Statement(
        decision.id, case.id, case.external_id, decision.action, decision.created_at, fields, problems
    )


def facts(decision: Any, channel: str, pack: PolicyPack | None) -> str:
    """The facts and circumstances the decision relied on, as far as the record says them: how the case
    came, that a person reviewed it, under which section; then the reviewer's rationale, if any."""
    parts = [
        f"Received through the {channel} channel and reviewed by a person on {_day(decision.created_at)}."
    ]
    if pack is not None and decision.policy_code and pack.has_section(decision.policy_code):
        section = pack.section(decision.policy_code)
        parts.append(
            f"Found to break section {section.code} ({section.title}) of {pack.title} {pack.version}; "
            f"action taken: {decision.action}."
        )
    if decision.rationale.strip():
        parts.append(" ".join(decision.rationale.split()))
    return " ".join(parts)[:5000]


def amendment_fields(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return {k: v for k, v in value.items() if k in AMENDABLE} if isinstance(value, dict) else {}


def statements(db: Database, *, decision_ids: list[uuid.UUID] | None = None) -> Iterator[Statement]:
    """Every standing decision's statement, oldest decision first (or only those of ``decision_ids``).
    Read in partitions of :data:`PARTITION` decisions (their items' kinds read per partition), so a long
    history is never held in memory at once."""
    packs = PackCache()
    query = (
        select(_DECISION, _CASE, Channel.code, SorAmendment.fields)
        .join(Case, Case.id == Decision.case_id)
        .join(Channel, Channel.id == Case.channel_id)
        .outerjoin(SorAmendment, SorAmendment.id == Decision.id)
        .where(
            Decision.id.not_in(_undone), Decision.id.not_in(KEPT_NOT_APPLIED), Decision.reverses_id.is_(None)
        )
        .order_by(Decision.created_at, Decision.id)
        .execution_options(yield_per=PARTITION)
    )
    if decision_ids is not None:
        query = query.where(Decision.id.in_(decision_ids))
    with db.read() as session:
        for rows in session.execute(query).partitions():
            case_ids = list({row[1].id for row in rows})
            kinds: dict[uuid.UUID, list[str]] = {}
            for case_id, kind in session.execute(
                select(Item.case_id, Item.kind).where(Item.case_id.in_(case_ids))
            ):
                kinds.setdefault(case_id, []).append(kind)
            made = [
                build(
                    decision,
                    case,
                    channel,
                    kinds.get(case.id, []),
                    packs.get(decision.policy_sha256, session),
                    amendment_fields(amended),
                )
                for decision, case, channel, amended in rows
            ]
            yield from (m for m in made if m is not None)


def statement_for(db: Database, decision_id: uuid.UUID) -> Statement | None:
    """The statement of one decision (None: it restricts nothing, or it is not standing)."""
    return next(statements(db, decision_ids=[decision_id]), None)


def case_statement(db: Database, case_id: uuid.UUID) -> Statement | None:
    """The statement of the case's newest standing decision that has one (None: no such decision)."""
    with db.read() as session:
        ids = session.scalars(
            select(Decision.id)
            .where(Decision.case_id == case_id, Decision.reverses_id.is_(None))
            .order_by(Decision.created_at.desc(), Decision.id.desc())
        ).all()
    found = [s for s in statements(db, decision_ids=list(ids))] if ids else []
    return found[-1] if found else None
