"""What an investigation report shows, as plain frozen values, and the hash that vouches for it.

A :class:`ReportContent` is everything a report shows and nothing else: the HTML and the PDF are both
rendered from it, so both show the same thing and carry the same hash.

**The integrity hash** (``content_sha256``) is the SHA-256 of the report's *canonical content*: the UTF-8
bytes of ``canonical_json(content)`` — JSON with sorted keys, no whitespace, non-ASCII kept as is — of
``content_dict(content)``: every field of the content, datetimes as UTC ISO 8601, and each evidence
thumbnail by the SHA-256 of its PNG bytes (``png_sha256``) instead of the bytes. The same inputs always
give the same hash; anything the report shows changing (a word of the findings, a decision's policy
code, one pixel of a thumbnail, the checkpoint) changes it. The HTML carries the canonical JSON itself
(``reviewer report verify`` recomputes the hash from it and checks the page against it).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

#: Bumped when the canonical form changes (a verifier reads it first).
CONTENT_FORMAT = 1
FORMATS = ("pdf", "html")


@dataclass(frozen=True)
class InvestigationHead:
    """The structured head of the findings and who/when of the investigation."""

    id: uuid.UUID
    title: str
    status: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    summary: str = ""
    risk_assessment: str = ""
    recommended_actions: str = ""
    policy_gaps: str = ""


@dataclass(frozen=True)
class TimelineRow:
    """One line of the timeline table (a case, decision, note, response or escalation)."""

    at: datetime
    kind: str
    external_id: str = ""
    channel: str = ""
    account: str = ""
    actor: str = ""
    action: str = ""
    policy_code: str = ""
    policy_version: str = ""
    text: str = ""


@dataclass(frozen=True)
class DecisionRow:
    """A decision on one of the investigation's cases, with the pack version it was made under."""

    at: datetime
    external_id: str
    reviewer: str
    action: str
    policy_code: str = ""
    policy_version: str = ""
    text: str = ""


@dataclass(frozen=True)
class EvidenceItem:
    """One item's thumbnail: PNG bytes made from the *blurred* preview unless the report includes clear
    images; ``png`` is None when no thumbnail could be made (``reason`` says why)."""

    external_id: str
    position: int
    kind: str
    media_sha256: str = ""
    png: bytes | None = None
    clear: bool = False
    reason: str = ""

    @property
    def png_sha256(self) -> str:
        return hashlib.sha256(self.png).hexdigest() if self.png is not None else ""


@dataclass(frozen=True)
class CheckpointRef:
    """The signed audit checkpoint the report was built from (written at export)."""

    id: uuid.UUID
    created_at: datetime
    heads_digest: str  # SHA-256 of the canonical JSON of the chain heads it signs
    key_id: str = ""  # empty: the checkpoint is not signed (no key available)


@dataclass(frozen=True)
class ReportOptions:
    clear_images: bool = False
    greyscale: bool = True


@dataclass(frozen=True)
class ReportContent:
    title: str
    generated_at: datetime
    generated_by: str
    investigation: InvestigationHead
    findings_md: str
    accounts: tuple[str, ...] = ()
    case_count: int = 0
    timeline: tuple[TimelineRow, ...] = ()
    decisions: tuple[DecisionRow, ...] = ()
    evidence: tuple[EvidenceItem, ...] = ()
    checkpoint: CheckpointRef | None = None
    options: ReportOptions = field(default_factory=ReportOptions)
    #: The timeline was cut at its bound: the report says so.
    timeline_truncated: bool = False


def _json(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in a report")
        return value.astimezone(UTC).isoformat()
    return value


def _row(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _json(getattr(obj, name)) for name in names}


_HEAD = (
    "id",
    "title",
    "status",
    "created_by",
    "created_at",
    "updated_at",
    "summary",
    "risk_assessment",
    "recommended_actions",
    "policy_gaps",
)
_TIMELINE = (
    "at",
    "kind",
    "external_id",
    "channel",
    "account",
    "actor",
    "action",
    "policy_code",
    "policy_version",
    "text",
)
_DECISION = ("at", "external_id", "reviewer", "action", "policy_code", "policy_version", "text")
_EVIDENCE = ("external_id", "position", "kind", "media_sha256", "clear", "reason")


def content_dict(content: ReportContent) -> dict[str, Any]:
    """Everything the report shows, as JSON values (thumbnails by the hash of their PNG bytes)."""
    checkpoint = content.checkpoint
    return {
        "format": CONTENT_FORMAT,
        "title": content.title,
        "generated_at": _json(content.generated_at),
        "generated_by": content.generated_by,
        "investigation": _row(content.investigation, _HEAD),
        "findings_md": content.findings_md,
        "accounts": list(content.accounts),
        "case_count": content.case_count,
        "timeline": [_row(r, _TIMELINE) for r in content.timeline],
        "timeline_truncated": content.timeline_truncated,
        "decisions": [_row(r, _DECISION) for r in content.decisions],
        "evidence": [{**_row(e, _EVIDENCE), "png_sha256": e.png_sha256} for e in content.evidence],
        "checkpoint": None
        if checkpoint is None
        else _row(checkpoint, ("id", "created_at", "heads_digest", "key_id")),
        "options": {"clear_images": content.options.clear_images, "greyscale": content.options.greyscale},
    }


def canonical_json(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_sha256(content: ReportContent) -> str:
    """The integrity hash: SHA-256 of the canonical JSON of everything the report shows."""
    return hashlib.sha256(canonical_json(content_dict(content)).encode("utf-8")).hexdigest()


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def content_from_dict(data: dict[str, Any], images: dict[int, bytes]) -> ReportContent:
    """The content back from ``content_dict`` output, with each evidence item's PNG from ``images``
    (by evidence index). KeyError/ValueError/TypeError on a malformed document."""
    head = dict(data["investigation"])
    head["id"] = uuid.UUID(head["id"])
    head["created_at"], head["updated_at"] = _when(head["created_at"]), _when(head["updated_at"])
    timeline = tuple(TimelineRow(**{**r, "at": _when(r["at"])}) for r in data["timeline"])
    decisions = tuple(DecisionRow(**{**r, "at": _when(r["at"])}) for r in data["decisions"])
    evidence = tuple(
        EvidenceItem(**{k: e[k] for k in _EVIDENCE}, png=images.get(n))
        for n, e in enumerate(data["evidence"])
    )
    cp = data["checkpoint"]
    checkpoint = (
        None
        if cp is None
        else CheckpointRef(uuid.UUID(cp["id"]), _when(cp["created_at"]), cp["heads_digest"], cp["key_id"])
    )
    return ReportContent(
        title=data["title"],
        generated_at=_when(data["generated_at"]),
        generated_by=data["generated_by"],
        investigation=InvestigationHead(**head),
        findings_md=data["findings_md"],
        accounts=tuple(data["accounts"]),
        case_count=int(data["case_count"]),
        timeline=timeline,
        decisions=decisions,
        evidence=evidence,
        checkpoint=checkpoint,
        options=ReportOptions(**data["options"]),
        timeline_truncated=bool(data["timeline_truncated"]),
    )
