"""Tests for the one policy-allows rule (``PolicyPack.check_allowed`` and friends) and its use by
``record_decision``: the pick list, the UI and the write path all ask the same question."""

from __future__ import annotations

import pytest

from reviewer.categories import CATEGORIES
from reviewer.decisions import DecisionError
from reviewer.decisions import validate_action as _validate
from reviewer.policy import (
    GENERAL_KEEP_CODE,
    POLICY_FREE_ACTIONS,
    ActionNotAllowed,
    PolicyPack,
    PolicyRuleError,
    PolicySection,
    RationaleRequired,
    UnknownPolicyCode,
    load_default_pack,
)


def _section(
    code: str, categories: tuple[str, ...], severity: int, actions: tuple[str, ...]
) -> PolicySection:
    return PolicySection(
        code=code,
        title=code,
        categories=categories,
        severity=severity,
        text="",
        examples=(),
        actions=actions,
    )


def _pack(*sections: PolicySection) -> PolicyPack:
    return PolicyPack(pack_id="t", version="1.0", title="T", sections=sections, sha256="0" * 64)


NV0 = _section("NV-0", CATEGORIES, 1, ("keep",))
VIO1 = _section("VIO-1", ("violence",), 3, ("remove", "strike"))
VIO2 = _section("VIO-2", ("violence",), 4, ("remove", "restrict"))
SP1 = _section("SP-1", ("spam",), 4, ("remove", "warn"))
PACK = _pack(VIO1, NV0, VIO2, SP1)


def test_listed_actions_are_permitted_and_others_are_not() -> None:
    assert VIO1.permits("remove") and VIO1.permits("strike")
    assert not VIO1.permits("restrict") and not VIO1.permits("keep")
    assert NV0.permits("keep") and not NV0.permits("remove")


@pytest.mark.parametrize("action", sorted(POLICY_FREE_ACTIONS))
def test_note_and_skip_may_cite_any_section(action: str) -> None:
    assert {"note", "skip"} == POLICY_FREE_ACTIONS
    for section in PACK.sections:
        assert section.permits(action) and PACK.allows(section.code, action)


def test_escalation_cites_only_a_section_that_lists_it() -> None:
    csam = _section("CS-1", ("child_safety",), 5, ("remove", "escalate"))
    pack = _pack(VIO1, csam)
    assert not pack.allows("VIO-1", "escalate") and pack.allows("CS-1", "escalate")
    assert pack.sections_allowing("escalate") == [csam]
    with pytest.raises(ActionNotAllowed):
        pack.check_allowed("VIO-1", "escalate")


def test_check_allowed_returns_the_section() -> None:
    assert PACK.check_allowed("VIO-2", "restrict") is VIO2


def test_check_allowed_refuses_an_unknown_code_with_a_typed_error() -> None:
    with pytest.raises(UnknownPolicyCode) as caught:
        PACK.check_allowed("NOPE-9", "remove")
    assert str(caught.value) == "policy code 'NOPE-9' is not in pack 1.0"
    assert caught.value.code == "NOPE-9" and caught.value.pack_version == "1.0"
    assert isinstance(caught.value, PolicyRuleError)


def test_check_allowed_refuses_a_disallowed_action_with_a_typed_error() -> None:
    with pytest.raises(ActionNotAllowed) as caught:
        PACK.check_allowed("VIO-1", "keep")
    assert str(caught.value) == "VIO-1 does not allow 'keep' (allows: remove, strike)"
    assert (caught.value.code, caught.value.action, caught.value.allowed) == ("VIO-1", "keep", VIO1.actions)
    assert isinstance(caught.value, PolicyRuleError) and isinstance(caught.value, ValueError)


def test_allows_is_check_allowed_as_a_boolean() -> None:
    assert PACK.allows("VIO-1", "strike")
    assert not PACK.allows("VIO-1", "restrict")
    assert not PACK.allows("NOPE-9", "remove")
    assert not PACK.allows("NOPE-9", "escalate")  # a free action still needs a real section


def test_sections_allowing_keeps_category_relevance_order() -> None:
    assert [s.code for s in PACK.for_category("violence")] == ["VIO-2", "VIO-1", "NV-0", "SP-1"]
    assert [s.code for s in PACK.sections_allowing("remove", "violence")] == ["VIO-2", "VIO-1", "SP-1"]
    assert [s.code for s in PACK.sections_allowing("restrict", "violence")] == ["VIO-2"]
    assert [s.code for s in PACK.sections_allowing("keep", "violence")] == ["NV-0"]
    assert PACK.sections_allowing("suspend", "violence") == []


def test_sections_allowing_without_a_category_is_file_order() -> None:
    assert [s.code for s in PACK.sections_allowing("remove")] == ["VIO-1", "VIO-2", "SP-1"]
    assert PACK.sections_allowing("escalate") == []  # no section of PACK lists escalate


def test_sections_allowing_agrees_with_check_allowed() -> None:
    pack = load_default_pack()
    for action in ("keep", "remove", "restrict", "escalate", "warn", "strike", "suspend", "skip", "note"):
        for category in (None, *CATEGORIES):
            offered = {s.code for s in pack.sections_allowing(action, category)}
            assert offered == {s.code for s in pack.sections if pack.allows(s.code, action)}


def test_keep_defaults_to_nv0_only_when_the_pack_has_it() -> None:
    assert GENERAL_KEEP_CODE == "NV-0"
    assert PACK.default_policy_for("keep") == "NV-0"
    assert PACK.default_policy_for("remove") is None
    assert PACK.default_policy_for("escalate") is None
    assert _pack(VIO1, SP1).default_policy_for("keep") is None


def test_keep_has_no_default_when_nv0_does_not_permit_keeping() -> None:
    odd = _section("NV-0", CATEGORIES, 1, ("remove",))
    assert _pack(odd, VIO1).default_policy_for("keep") is None


def test_shipped_pack_defaults_keep_to_nv0() -> None:
    pack = load_default_pack()
    assert pack.default_policy_for("keep") == GENERAL_KEEP_CODE
    assert pack.has_section(GENERAL_KEEP_CODE) and not pack.has_section("NOPE-9")


# -- record_decision's validation uses the same rule, with the same messages ----------------------------


def test_validate_accepts_what_the_pack_allows() -> None:
    _validate("remove", "VIO-1", PACK)
    _validate("keep", "NV-0", PACK)
    _validate("escalate", None, PACK)
    _validate("skip", "SP-1", PACK)
    _validate("note", "NV-0", PACK)
    _validate("keep", None, None)


def test_validate_reports_the_rule_errors_as_decision_errors() -> None:
    with pytest.raises(DecisionError, match=r"^policy code 'NOPE-9' is not in pack 1\.0$") as unknown:
        _validate("remove", "NOPE-9", PACK)
    assert isinstance(unknown.value.__cause__, UnknownPolicyCode)
    with pytest.raises(
        DecisionError, match=r"^VIO-1 does not allow 'keep' \(allows: remove, strike\)$"
    ) as refused:
        _validate("keep", "VIO-1", PACK)
    assert isinstance(refused.value.__cause__, ActionNotAllowed)


def test_validate_keeps_its_other_messages() -> None:
    with pytest.raises(DecisionError, match="^unknown action 'burn'$"):
        _validate("burn", None, PACK)
    with pytest.raises(DecisionError, match="^Remove needs a policy code$"):
        _validate("remove", None, PACK)
    with pytest.raises(DecisionError, match="^a policy code was given but no policy pack is loaded$"):
        _validate("remove", "VIO-1", None)


@pytest.mark.parametrize("action", ["keep", "remove", "restrict", "escalate", "warn", "strike", "suspend"])
def test_validate_and_allows_agree_for_every_section(action: str) -> None:
    pack = load_default_pack()
    for section in pack.sections:
        try:
            _validate(action, section.code, pack, rationale="why")
            accepted = True
        except DecisionError:
            accepted = False
        assert accepted == pack.allows(section.code, action)


# -- the rationale rule: required where the section says so, for deciding actions only -----------------

STRICT = PolicySection(
    code="AD-3",
    title="AD-3",
    categories=("adult",),
    severity=5,
    text="",
    examples=(),
    actions=("remove", "escalate"),
    rationale_required=True,
)


def test_a_section_requiring_a_rationale_refuses_a_blank_one() -> None:
    pack = _pack(STRICT, VIO1)
    assert pack.needs_rationale("AD-3", "remove") and pack.needs_rationale("AD-3", "escalate")
    assert not pack.needs_rationale("AD-3", "note") and not pack.needs_rationale("AD-3", "skip")
    assert not pack.needs_rationale("VIO-1", "remove") and not pack.needs_rationale(None, "remove")
    for blank in ("", "   \n\t"):
        with pytest.raises(RationaleRequired, match="^AD-3 requires a rationale with 'remove'"):
            pack.check_rationale("AD-3", "remove", blank)
        with pytest.raises(DecisionError, match="requires a rationale"):
            _validate("remove", "AD-3", pack, rationale=blank)
    pack.check_rationale("AD-3", "remove", "adult content in a public channel")
    _validate("remove", "AD-3", pack, rationale="adult content in a public channel")
    _validate("remove", "VIO-1", pack)  # no rationale needed


def test_the_shipped_pack_requires_rationales_on_some_severe_sections() -> None:
    pack = load_default_pack()
    required = {s.code for s in pack.sections if s.rationale_required}
    assert "CS-2" in required and "NV-0" not in required
    assert all(pack.section(code).severity == 5 for code in required)
