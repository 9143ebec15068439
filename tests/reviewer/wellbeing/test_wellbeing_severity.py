"""Tests for the warning and reveal-confirmation rules in reviewer.wellbeing.severity."""

from __future__ import annotations

import pytest

from reviewer.wellbeing.settings import OrgPolicy, SettingsError, WellbeingSettings, spec
from reviewer.wellbeing.severity import (
    CONFIRM_WINDOW_S,
    DEFAULT_CONFIRM_FROM,
    SEVERE_WARNING_FROM,
    RevealRules,
    WarningLevel,
    classifier_score,
    needs_content_warning,
    needs_reveal_confirmation,
)


@pytest.mark.parametrize(("severity", "warned"), [(1, False), (3, False), (4, True), (5, True)])
def test_severe_content_warning_from_severity_four(severity: int, warned: bool) -> None:
    assert SEVERE_WARNING_FROM == 4
    assert needs_content_warning(severity) is warned
    assert needs_content_warning(severity, enabled=True) is warned


def test_no_severe_warning_when_switched_off() -> None:
    assert not any(needs_content_warning(s, enabled=False) for s in range(1, 6))


def test_warning_threshold_can_be_given() -> None:
    assert needs_content_warning(3, warn_from=3) and not needs_content_warning(2, warn_from=3)


@pytest.mark.parametrize(
    ("confirm_from", "confirmed"),
    [(5, [5]), (4, [4, 5]), (1, [1, 2, 3, 4, 5]), (6, [])],
)
def test_reveal_confirmation_from_the_setting(confirm_from: int, confirmed: list[int]) -> None:
    assert [s for s in range(1, 6) if needs_reveal_confirmation(s, confirm_from)] == confirmed


def test_default_confirmation_matches_the_shipped_setting() -> None:
    assert DEFAULT_CONFIRM_FROM == spec("display.confirm_reveal_severity").default == 5
    assert needs_reveal_confirmation(5) and not needs_reveal_confirmation(4)
    assert CONFIRM_WINDOW_S == 5.0


def test_reveal_rules_default_to_the_shipped_settings() -> None:
    assert RevealRules.from_settings(WellbeingSettings()) == RevealRules() == RevealRules(5, True)


def test_reveal_rules_read_the_settings() -> None:
    settings = WellbeingSettings()
    settings.set("display.confirm_reveal_severity", 3)
    rules = RevealRules.from_settings(settings)
    assert rules == RevealRules(confirm_from=3, severe_warning=True)
    assert rules.confirms(3) and not rules.confirms(2)
    assert rules.warns(4) and not rules.warns(3)


def test_reveal_rules_without_warnings() -> None:
    rules = RevealRules(confirm_from=6, severe_warning=False)
    assert not any(rules.warns(s) or rules.confirms(s) for s in range(1, 6))


# -- honest warnings: policy severity and classifier score -------------------------------------------

def test_spam_at_039_is_not_severe_likely() -> None:
    rules = RevealRules()
    warning = rules.assess(4, classifier_score({"spam": 0.39}, "spam"))  # SP-1 gives spam severity 4
    assert warning.level is WarningLevel.NONE and not warning.severe
    assert rules.assess(4, 0.7).level is WarningLevel.LIKELY
    assert rules.assess(3, 0.99).level is WarningLevel.NONE  # below the policy-severity threshold


def test_no_score_never_claims_likely() -> None:
    rules = RevealRules()
    for scores in ({}, None, {"violence": "0.9"}, {"violence": True}, {"violence": float("nan")}, {"v": 93}):
        score = classifier_score(scores, "violence")
        assert score is None
        warning = rules.assess(5, score)
        assert warning.level is WarningLevel.CATEGORY and warning.severe
    assert rules.assess(2, None).level is WarningLevel.NONE


def test_category_score_speaks_first_then_the_highest() -> None:
    assert classifier_score({"hate": 0.9, "spam": 0.2}, "spam") == 0.2
    assert classifier_score({"hate": 0.9, "adult": 0.4}, "spam") == 0.9
    assert classifier_score({"spam": 1}, "spam") == 1.0


def test_thresholds_come_from_the_organisation_settings() -> None:
    org = OrgPolicy(
        defaults={
            "warnings.likely_score": 0.3,
            "warnings.severe_from": 3,
            "warnings.confirm_unrevealed_decision": True,
        },
        floors={"warnings.likely_score": 0.5, "warnings.confirm_unrevealed_decision": True},
    )
    rules = RevealRules.from_settings(WellbeingSettings(org))
    assert rules.assess(3, 0.39).level is WarningLevel.LIKELY
    assert rules.likely_score == 0.3 and rules.severe_from == 3 and rules.confirm_unrevealed_decision
    settings = WellbeingSettings(org)
    with pytest.raises(SettingsError):
        settings.set("warnings.likely_score", 0.6)  # looser than the floor
    with pytest.raises(SettingsError):
        settings.set("warnings.confirm_unrevealed_decision", False)  # the organisation requires it


def test_decision_confirmation_only_for_unseen_severe_keep_or_remove() -> None:
    rules = RevealRules(confirm_unrevealed_decision=True)
    severe, light = rules.assess(5, None), rules.assess(4, 0.1)
    assert rules.confirms_decision("keep", severe, revealed=False, has_media=True)
    assert rules.confirms_decision("remove", severe, revealed=False, has_media=True)
    assert not rules.confirms_decision("keep", severe, revealed=True, has_media=True)
    assert not rules.confirms_decision("keep", severe, revealed=False, has_media=False)
    assert not rules.confirms_decision("escalate", severe, revealed=False, has_media=True)
    assert not rules.confirms_decision("keep", light, revealed=False, has_media=True)
    off = RevealRules()  # shipped off: the organisation turns it on (or requires it with its floor)
    assert not off.confirms_decision("keep", severe, revealed=False, has_media=True)
