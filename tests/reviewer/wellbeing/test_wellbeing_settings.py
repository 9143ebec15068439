from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.wellbeing.settings import (
    SECTIONS,
    SETTINGS,
    OrgPolicy,
    SettingsError,
    WellbeingSettings,
    default_org_policy_path,
    load_org_policy,
)

REQUIRED = (
    "display.blur_px",
    "display.greyscale",
    "display.spotlight_radius",
    "display.confirm_reveal_severity",
    "breaks.reminder_minutes",
    "breaks.break_minutes",
    "exposure.cap_hour_seconds",
    "exposure.cap_day_seconds",
    "exposure.warn_fraction",
    "rotation.severe_run",
    "rotation.severe_threshold",
    "warnings.severe_warning",
    "support.text",
    "sound.alerts",
)


def test_every_setting_is_declared_once_with_a_safe_default_inside_its_range() -> None:
    keys = [s.key for s in SETTINGS]
    assert len(keys) == len(set(keys))
    assert set(REQUIRED) <= set(keys)
    for s in SETTINGS:
        assert s.section in SECTIONS
        assert s.title and s.help
        assert s.check_type_and_range(s.default) == s.default
        if s.protective:
            assert s.check_type_and_range(s.floor) == s.floor
            assert not s.weaker(s.default, s.floor), s.key


def test_shipped_defaults_are_private_by_default() -> None:
    settings = WellbeingSettings()
    assert settings.get("display.greyscale") is True
    assert settings.get("display.blur_px") == 14.0
    assert settings.get("sound.alerts") is False
    assert settings.get("warnings.severe_warning") is True
    assert settings.personal() == {}


def test_shipped_org_file_states_the_declared_values() -> None:
    org = load_org_policy(default_org_policy_path())
    from_file, declared = WellbeingSettings(org), WellbeingSettings()
    for s in SETTINGS:
        assert from_file.get(s.key) == declared.get(s.key), s.key
        assert from_file.floor(s.key) == declared.floor(s.key), s.key


@pytest.mark.parametrize(
    ("key", "weaker", "stronger"),
    [
        ("display.blur_px", 6.0, 30.0),
        ("exposure.cap_hour_seconds", 1200, 300),
        ("breaks.reminder_minutes", 90, 30),
        ("breaks.break_minutes", 5, 20),
        ("warnings.severe_warning", False, True),
        ("display.confirm_reveal_severity", 6, 3),
    ],
)
def test_weakening_is_refused_and_strengthening_allowed(key: str, weaker: object, stronger: object) -> None:
    settings = WellbeingSettings()
    before = settings.get(key)
    with pytest.raises(SettingsError):
        settings.set(key, weaker)
    assert settings.get(key) == before
    settings.set(key, stronger)
    assert settings.get(key) == stronger
    assert settings.personal() == ({} if stronger == settings.default(key) else {key: stronger})


def test_refusal_names_the_setting_and_the_limit() -> None:
    settings = WellbeingSettings()
    with pytest.raises(
        SettingsError, match=r"Exposure cap per hour cannot be set to 1200 s: .* limit is 600 s"
    ):
        settings.set("exposure.cap_hour_seconds", 1200)


def test_loosening_down_to_the_floor_is_allowed_where_the_floor_is_below_the_default() -> None:
    settings = WellbeingSettings()
    settings.set("display.blur_px", 8)  # an int is accepted for a float setting
    assert settings.get("display.blur_px") == 8.0 and settings.is_at_floor("display.blur_px")
    settings.set("display.greyscale", False)
    assert settings.is_at_floor("display.greyscale")
    assert not settings.is_at_floor("exposure.warn_fraction")
    assert not settings.is_at_floor("support.text")


def test_wrong_type_unknown_key_and_out_of_range_are_refused() -> None:
    settings = WellbeingSettings()
    with pytest.raises(SettingsError, match="whole number"):
        settings.set("breaks.break_minutes", "15")
    with pytest.raises(SettingsError, match="on or off"):
        settings.set("display.greyscale", 1)
    with pytest.raises(SettingsError, match="whole number"):
        settings.set("breaks.break_minutes", True)
    with pytest.raises(SettingsError, match="no setting"):
        settings.set("display.nope", 1)
    with pytest.raises(SettingsError, match="cannot be above 40 px"):
        settings.set("display.blur_px", 41.0)


def test_setting_back_to_the_default_is_not_stored_and_bounds_stop_at_the_floor() -> None:
    settings = WellbeingSettings()
    settings.set("breaks.reminder_minutes", 45)
    settings.set("breaks.reminder_minutes", 60)
    assert settings.personal() == {}
    assert settings.bounds("breaks.reminder_minutes") == (10, 60)
    assert settings.bounds("display.blur_px") == (8.0, 40)


def test_stored_personal_values_the_org_no_longer_allows_fall_back_to_the_default() -> None:
    org = OrgPolicy(floors={"display.blur_px": 12.0})
    settings = WellbeingSettings(org, personal={"display.blur_px": 10.0, "breaks.reminder_minutes": 30})
    assert settings.get("display.blur_px") == 14.0
    assert settings.get("breaks.reminder_minutes") == 30
    assert len(settings.problems) == 1 and "Blur strength" in settings.problems[0]


def test_org_policy_file_changes_floor_and_default(tmp_path: Path) -> None:
    path = tmp_path / "org.toml"
    path.write_text(
        "schema_version = 1\n"
        "[defaults.display]\ngreyscale = true\n"
        "[floors.display]\ngreyscale = true\n"
        '[floors]\n"exposure.cap_hour_seconds" = 900\n'
        "[defaults.exposure]\ncap_hour_seconds = 900\n",
        encoding="utf-8",
    )
    settings = WellbeingSettings(load_org_policy(path))
    with pytest.raises(SettingsError, match="organisation's limit"):
        settings.set("display.greyscale", False)
    assert settings.get("exposure.cap_hour_seconds") == 900
    settings.set("exposure.cap_hour_seconds", 700)  # still allowed: stronger than the org's floor
    with pytest.raises(SettingsError):
        settings.set("exposure.cap_hour_seconds", 1000)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[floors.display]\nblur_px = 50\n", "above 40"),
        ("[floors.display]\nblurr = 9\n", "no setting"),
        ("[defaults.display]\nblur_px = 10\n[floors.display]\nblur_px = 12\n", "weaker than its floor"),
        ("[floors.support]\ntext = 'x'\n", "no floor"),
        ("[extras]\nx = 1\n", "unknown table"),
        ("not toml = = 1\n", "cannot read"),
    ],
)
def test_bad_org_policy_files_are_refused_naming_the_file(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "org.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(SettingsError, match=message) as info:
        load_org_policy(path)
    assert str(path) in str(info.value)
