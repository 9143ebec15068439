"""Escalation tiers: the levels a case climbs (tier 1 → tier 2 → policy / legal), defined by the policy pack.

A pack's ``[[tier]]`` tables (see ``resources/policies/community-standards.toml``) name each level, its
SLA once a case reaches it and what it is for; a pack without them gets :data:`DEFAULT_TIERS`, so older
packs stay valid. The rules every writer and the window share live here too: how high a case may go
(:func:`check_escalation`) and that an escalation carries a hand-off note (:func:`check_handoff_note`).

This module is part of the core package and must not import Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reviewer.conflicts import DecisionError

#: The action that moves a case up a tier.
ESCALATE = "escalate"
#: Tier levels run from 1 up to at most this (Alt+digit picks a target in the escalation box).
MAX_LEVELS = 9

_TIER_FIELDS: dict[str, type | tuple[type, ...]] = {
    "level": int,
    "name": str,
    "sla_hours": (int, float),
    "description": str,
}
_REQUIRED_TIER_FIELDS = ("level", "name", "sla_hours")


@dataclass(frozen=True)
class Tier:
    """One escalation tier: its level (1 is the frontline), its name, the SLA of a case once it reaches
    the tier (hours from the escalation), and what it is for."""

    level: int
    name: str
    sla_hours: float
    description: str = ""


DEFAULT_TIERS: tuple[Tier, ...] = (
    Tier(1, "Tier 1 — frontline", 24, "First review of every reported case."),
    Tier(2, "Tier 2 — senior review", 8, "Cases frontline review could not settle: senior reviewers."),
    Tier(3, "Policy / Legal", 48, "Policy and legal questions, law-enforcement referrals."),
)
#: The highest tier when no pack is at hand (a write without a pack: CLI tools, tests, the demo).
DEFAULT_MAX_TIER = DEFAULT_TIERS[-1].level


class HandoffNoteRequired(DecisionError):
    """An escalation without a hand-off note: the next tier must know why it sees the case."""

    def __init__(self) -> None:
        super().__init__("an escalation needs a hand-off note: write why the next tier must see this case")


def needs_handoff_note(action: str) -> bool:
    """Whether a decision taking ``action`` must carry a hand-off note (its rationale): an escalation."""
    return action == ESCALATE


def check_handoff_note(action: str, note: str) -> None:
    """Raise :class:`HandoffNoteRequired` for an escalation whose note is blank. The one rule:
    ``record_decision`` enforces it in the write, the escalation box asks it first."""
    if needs_handoff_note(action) and not note.strip():
        raise HandoffNoteRequired()


def check_escalation(action: str, to_tier: int | None, tier: int, max_tier: int = DEFAULT_MAX_TIER) -> None:
    """An escalation goes above the case's ``tier`` and at most to ``max_tier`` (the pack's highest; its
    target, or the next tier); only an escalation has a target tier. Raises DecisionError saying why."""
    if action != ESCALATE:
        if to_tier is not None:
            raise DecisionError(f"only an escalation has a target tier, not {action!r}")
        return
    if tier >= max_tier:
        raise DecisionError(f"the case is already at tier {tier}, the highest; it cannot be escalated")
    if to_tier is not None and not tier < to_tier <= max_tier:
        raise DecisionError(
            f"an escalation from tier {tier} goes to a higher tier, at most {max_tier} (not {to_tier})"
        )


def target_tier(tier: int, to_tier: int | None) -> int:
    """The tier an escalation from ``tier`` reaches: its target, or the next one (``derive_state``)."""
    return max(tier + 1, to_tier or 0)


def tier_of(tiers: Sequence[Tier], level: int) -> Tier:
    """The tier at ``level``; a level the pack does not define (a case escalated under an older pack)
    gets a plain name and the highest tier's SLA."""
    for tier in tiers:
        if tier.level == level:
            return tier
    return Tier(level, f"Tier {level}", tiers[-1].sla_hours if tiers else DEFAULT_TIERS[-1].sla_hours)


def build_tiers(
    raw: Any,
    fail: Callable[[str], Exception],
    check_fields: Callable[..., None],
) -> tuple[Tier, ...]:
    """The pack's ``[[tier]]`` tables validated (``fail`` makes the one-line error, ``check_fields`` is the
    pack loader's field checker); :data:`DEFAULT_TIERS` when there are none."""
    if raw is None:
        return DEFAULT_TIERS
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise fail("'tier' must be an array of tables ([[tier]])")
    if not raw:
        return DEFAULT_TIERS
    tiers: list[Tier] = []
    for index, table in enumerate(raw):
        level = table.get("level")
        where = f"tier {index} (level {level})" if isinstance(level, int) else f"tier {index}"
        check_fields(table, _TIER_FIELDS, required=_REQUIRED_TIER_FIELDS, where=where, fail=fail)
        if not 1 <= table["level"] <= MAX_LEVELS:
            raise fail(f"{where}: field 'level': must be 1-{MAX_LEVELS}, got {table['level']}")
        hours = table["sla_hours"]
        if isinstance(hours, bool) or not hours > 0:
            raise fail(f"{where}: field 'sla_hours': must be a number of hours above 0, got {hours!r}")
        tiers.append(
            Tier(table["level"], table["name"].strip(), float(hours), table.get("description", "").strip())
        )
    tiers.sort(key=lambda t: t.level)
    levels = [t.level for t in tiers]
    for expected, level in enumerate(levels, start=1):
        if level != expected:
            problem = "is listed twice" if levels.count(level) > 1 else f"leaves a gap (no tier {expected})"
            raise fail(f"tier (level {level}): field 'level': {level} {problem}; levels run 1, 2, 3, …")
    return tuple(tiers)
