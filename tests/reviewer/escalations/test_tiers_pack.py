"""Escalation tiers in the policy pack: the shipped tiers, the defaults for a pack without any, every
validation error in one line naming the field, and the pack's highest tier in the write."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.conflicts import DecisionError
from reviewer.decisions import record_decision
from reviewer.models import Case, Decision, Reviewer
from reviewer.policy import PolicyPack, PolicyPackError, load_default_pack, load_pack
from reviewer.storage.database import Database
from reviewer.tiers import DEFAULT_TIERS, Tier

PACK_HEAD = """
[pack]
id = "tiers-test"
version = "1.0"
title = "Tiers test"

[[section]]
code = "NV-0"
title = "No violation"
categories = ["*"]
severity = 1
text = "Nothing wrong."
examples = []
actions = ["keep"]
"""

TWO_TIERS = """
[[tier]]
level = 1
name = "Frontline"
sla_hours = 12

[[tier]]
level = 2
name = "Legal"
sla_hours = 0.5
description = "The last word."
"""


def _tier(level: object = 2, name: object = '"Senior"', sla: object = 8, extra: str = "") -> str:
    return f"\n[[tier]]\nlevel = {level}\nname = {name}\nsla_hours = {sla}\n{extra}"


def _write(tmp_path: Path, text: str, name: str = "pack.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_pack_defines_three_tiers() -> None:
    pack = load_default_pack()
    assert [(t.level, t.name) for t in pack.tiers] == [
        (1, "Tier 1 — frontline"),
        (2, "Tier 2 — senior review"),
        (3, "Policy / Legal"),
    ]
    assert pack.max_tier == 3 and pack.tier(2).sla_hours == 8 and pack.tier(3).description


def test_a_pack_without_tiers_gets_the_defaults(tmp_path: Path) -> None:
    pack = load_pack(_write(tmp_path, PACK_HEAD))
    assert pack.tiers == DEFAULT_TIERS and pack.max_tier == 3
    assert pack.tier(1).name == "Tier 1 — frontline"


def test_tiers_are_read_in_level_order_with_fractional_hours(tmp_path: Path) -> None:
    later_first = TWO_TIERS.split("\n[[tier]]")
    text = PACK_HEAD + "\n[[tier]]" + later_first[2] + "\n[[tier]]" + later_first[1]
    pack = load_pack(_write(tmp_path, text))
    assert pack.tiers == (Tier(1, "Frontline", 12.0), Tier(2, "Legal", 0.5, "The last word."))
    assert pack.max_tier == 2
    assert pack.tier(5).name == "Tier 5" and pack.tier(5).sla_hours == 0.5  # a level the pack lacks


BAD_TIERS = {
    "level_zero": (_tier(level=0), "tier 0 (level 0): field 'level': must be 1-9, got 0"),
    "level_ten": (_tier(level=10), "field 'level': must be 1-9, got 10"),
    "level_string": (_tier(level='"two"'), "tier 0: field 'level': expected an integer"),
    "level_bool": (_tier(level="true"), "field 'level': expected an integer"),
    "gap": (_tier(level=1) + _tier(level=3), "tier (level 3): field 'level': 3 leaves a gap (no tier 2)"),
    "no_first": (_tier(level=2), "field 'level': 2 leaves a gap (no tier 1)"),
    "twice": (_tier(level=1) + _tier(level=1), "field 'level': 1 is listed twice"),
    "sla_zero": (
        _tier(level=1, sla=0),
        "tier 0 (level 1): field 'sla_hours': must be a number of hours above 0",
    ),
    "sla_negative": (
        _tier(level=1, sla=-2.5),
        "field 'sla_hours': must be a number of hours above 0, got -2.5",
    ),
    "sla_string": (_tier(level=1, sla='"8h"'), "field 'sla_hours': expected an integer or a number"),
    "sla_bool": (
        _tier(level=1, sla="true"),
        "field 'sla_hours': must be a number of hours above 0, got True",
    ),
    "missing_name": ("\n[[tier]]\nlevel = 1\nsla_hours = 3\n", "tier 0 (level 1): missing field 'name'"),
    "missing_sla": ('\n[[tier]]\nlevel = 1\nname = "A"\n', "missing field 'sla_hours'"),
    "empty_name": (_tier(level=1, name='"  "'), "field 'name': must not be empty"),
    "unknown_key": (_tier(level=1, extra='owner = "me"'), "tier 0 (level 1): unknown key(s): owner"),
    "not_tables": ("\ntier = [1, 2]\n", "'tier' must be an array of tables ([[tier]])"),
}


@pytest.mark.parametrize("name", sorted(BAD_TIERS))
def test_bad_tiers_fail_in_one_line_naming_the_field(tmp_path: Path, name: str) -> None:
    extra, expected = BAD_TIERS[name]
    text = PACK_HEAD + extra if not extra.startswith("\ntier =") else extra + PACK_HEAD
    path = _write(tmp_path, text, f"{name}.toml")
    with pytest.raises(PolicyPackError) as info:
        load_pack(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and "\n" not in message, message
    assert expected in message, message


@pytest.fixture
def two_tier_pack(tmp_path: Path) -> PolicyPack:
    return load_pack(_write(tmp_path, PACK_HEAD + TWO_TIERS))


def _tier_of(db: Database, case_id: object) -> tuple[str, int]:
    with db.read() as s:
        case = s.get(Case, case_id)
        assert case is not None
        return case.status, case.tier


def test_the_write_takes_the_highest_tier_from_the_pack(
    db: Database, make_cases: Callable[..., list], reviewer_row: Reviewer, two_tier_pack: PolicyPack
) -> None:
    a, b = make_cases(2)
    with pytest.raises(DecisionError, match="at most 2 \\(not 3\\)"):
        record_decision(db, case_id=a, reviewer=reviewer_row, action="escalate", to_tier=3,
                        rationale="legal hold", pack=two_tier_pack)  # fmt: skip
    record_decision(db, case_id=a, reviewer=reviewer_row, action="escalate", rationale="legal hold",
                    pack=two_tier_pack)  # fmt: skip
    assert _tier_of(db, a) == ("escalated", 2)
    # The default pack (three tiers) would allow tier 3; this pack's highest is 2.
    record_decision(db, case_id=b, reviewer=reviewer_row, action="escalate", to_tier=3, rationale="x",
                    pack=load_default_pack())  # fmt: skip
    assert _tier_of(db, b) == ("escalated", 3)
    with db.read() as s:
        assert len(s.execute(select(Decision)).all()) == 2


def test_a_pack_with_more_tiers_allows_escalating_higher(
    tmp_path: Path, db: Database, make_cases: Callable[..., list], reviewer_row: Reviewer
) -> None:
    four = load_pack(_write(tmp_path, PACK_HEAD + "".join(_tier(level=n) for n in (1, 2, 3, 4))))
    (cid,) = make_cases(1)
    with pytest.raises(DecisionError, match="at most 3"):  # without the pack: the default three
        record_decision(db, case_id=cid, reviewer=reviewer_row, action="escalate", to_tier=4, rationale="x")
    record_decision(db, case_id=cid, reviewer=reviewer_row, action="escalate", to_tier=4, rationale="x",
                    pack=four)  # fmt: skip
    assert _tier_of(db, cid) == ("escalated", 4)
