"""The JSON Lines case format, one case per line, declared with pydantic (unknown fields are refused).

{"id": "esc-1042", "channel": "partner", "category": "violence", "priority": 1,
 "sla_deadline": "2026-11-30T12:00:00Z",            # or "sla_minutes": 90; default by priority
 "account": {"platform": "photoapp", "handle": "@x", "risk_flags": ["repeat"], "risk_score": 0.8},
 "reporter": "partner:ngo-17", "report_text": "…",
 "items": [{"kind": "image", "path": "media/1042.jpg"}, {"kind": "text", "text": "…"}],
 "scores": {"violence": 0.93},
 "requester": {"name": "…", "organisation": "…", "contact": "…", "reference": "…"},  # optional
 "response_due_at": "2026-12-01T12:00:00Z"}         # optional; else the channel's response SLA
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from reviewer.categories import CATEGORIES

Short = Annotated[str, StringConstraints(min_length=1, max_length=128, strip_whitespace=True)]
Score = Annotated[float, Field(ge=0.0, le=1.0)]

DEFAULT_SLA = {1: timedelta(hours=1), 2: timedelta(hours=4), 3: timedelta(hours=24), 4: timedelta(hours=72)}
MAX_TEXT = 50_000
#: Years where moving a date to UTC, or adding an SLA of at most 90 days, can leave the calendar.
_EDGE_YEARS = (1, 9999)
_NEEDS = {"image": "path", "video": "path", "text": "text", "link": "url"}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class AccountIn(Strict):
    platform: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    handle: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    risk_flags: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=32
    )
    risk_score: Score = 0.0


class ItemIn(Strict):
    kind: Literal["image", "text", "video", "link"]
    path: Annotated[str, StringConstraints(min_length=1, max_length=1024)] | None = None
    text: Annotated[str, StringConstraints(max_length=MAX_TEXT)] | None = None
    url: Annotated[str, StringConstraints(min_length=1, max_length=4096)] | None = None

    @model_validator(mode="after")
    def _fields_for_kind(self) -> ItemIn:
        need = _NEEDS[self.kind]
        if getattr(self, need) is None:
            raise ValueError(f"a {self.kind} item needs '{need}'")
        return self


class RequesterIn(Strict):
    """Who escalated the case (partner, media, staff, regulator): imported personal data, sealed at rest."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    organisation: Annotated[str, StringConstraints(max_length=128)] = ""
    contact: Annotated[str, StringConstraints(max_length=256)] = ""
    reference: Annotated[str, StringConstraints(max_length=128)] = ""


class CaseIn(Strict):
    id: Short
    channel: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    # Literal over the runtime tuple: pydantic reads it, a static checker cannot (the tuple is the one source).
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    priority: Annotated[int, Field(ge=1, le=4)] = 3
    sla_deadline: AwareDatetime | None = None
    sla_minutes: Annotated[int, Field(gt=0, le=60 * 24 * 90)] | None = None
    created_at: AwareDatetime | None = None
    account: AccountIn | None = None
    reporter: Annotated[str, StringConstraints(max_length=256)] = ""
    report_text: Annotated[str, StringConstraints(max_length=MAX_TEXT)] = ""
    items: list[ItemIn] = Field(min_length=1, max_length=50)
    scores: dict[Annotated[str, StringConstraints(min_length=1, max_length=64)], Score] = Field(
        default_factory=dict, max_length=32
    )
    requester: RequesterIn | None = None
    response_due_at: AwareDatetime | None = None  # else the channel's response SLA (resources/responses)

    @model_validator(mode="after")
    def _one_sla(self) -> CaseIn:
        if self.sla_deadline is not None and self.sla_minutes is not None:
            raise ValueError("give sla_deadline or sla_minutes, not both")
        # A date at the edge of the calendar overflows when moved to UTC or given an SLA. Offsets are under
        # a day and SLAs at most 90 days, so only dates in the first or last year can: the check (and the
        # clock read it needs) is skipped for every other line.
        if not (
            (self.sla_deadline is not None and self.sla_deadline.year in _EDGE_YEARS)
            or (self.created_at is not None and self.created_at.year in _EDGE_YEARS)
            or (self.response_due_at is not None and self.response_due_at.year in _EDGE_YEARS)
        ):
            return self
        try:
            for value in (self.sla_deadline, self.created_at, self.response_due_at):
                if value is not None:
                    value.astimezone(UTC)
            self.deadline(datetime.now(UTC)).astimezone(UTC)
        except OverflowError:
            raise ValueError("date out of range") from None
        return self

    def deadline(self, now: datetime) -> datetime:
        if self.sla_deadline is not None:
            return self.sla_deadline
        if self.sla_minutes is not None:
            return (self.created_at or now) + timedelta(minutes=self.sla_minutes)
        return (self.created_at or now) + DEFAULT_SLA[self.priority]


def nul_location(raw: bytes) -> str | None:
    """Where a JSON line holds a NUL character in any string (a key or a value): ``items.0.text``, or
    None. PostgreSQL refuses NUL in text, so it is refused on every backend, line by line."""
    return _find_nul(json.loads(raw), "")


def _find_nul(value: Any, where: str) -> str | None:
    if isinstance(value, str):
        return (where or "line") if "\x00" in value else None
    if isinstance(value, dict):
        for key, inner in value.items():
            here = f"{where}.{key}" if where else str(key)
            if "\x00" in key:
                return f"{where or 'line'}: a field name"
            found = _find_nul(inner, here)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found = _find_nul(inner, f"{where}.{index}" if where else str(index))
            if found is not None:
                return found
    return None
