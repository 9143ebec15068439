"""Tests for the warning and reveal-confirmation rules in reviewer.wellbeing.severity."""

from __future__ import annotations

import pytest

from reviewer.wellbeing.settings import WellbeingSettings, spec
from reviewer.wellbeing.severity import (
    CONFIRM_WINDOW_S,
    DEFAULT_CONFIRM_FROM,
    SEVERE_WARNING_FROM,
    RevealRules,
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
