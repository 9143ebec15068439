"""Tests for reviewer.policy: the shipped pack, ordering, search and every validation error path."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from reviewer.policy import (
    ACTIONS,
    CATEGORIES,
    PolicyPack,
    PolicyPackError,
    PolicySection,
    default_pack_path,
    load_default_pack,
    load_pack,
)

GOOD_PACK = """
[pack]
id = "test-pack"
version = "1.0"
title = "Test pack"
effective = 2026-01-01
description = "For tests."

[[section]]
code = "NV-0"
title = "No violation"
categories = ["*"]
severity = 1
text = "Nothing wrong."
examples = ["Does not violate: a cat photo."]
actions = ["keep"]

[[section]]
code = "VIO-1"
title = "Threats"
categories = ["violence"]
severity = 3
text = "No threats against people."
examples = ["Violates: a specific threat."]
actions = ["remove", "strike"]

[[section]]
code = "VIO-2"
title = "Graphic violence"
categories = ["violence"]
severity = 4
text = "Gore is removed; injuries are restricted."
examples = ["Restrict: a wound photo."]
actions = ["remove", "restrict"]

[[section]]
code = "SP-1"
title = "Scams"
categories = ["spam"]
severity = 4
text = "No fraud or threats of account closure."
examples = ["Violates: a fake giveaway."]
actions = ["remove"]

[[section]]
code = "VIO-3"
title = "Glorification"
categories = ["violence", "hate"]
severity = 4
text = "Do not praise attackers."
examples = ["Violates: praise of an attack."]
actions = ["remove"]
"""


def write(tmp_path: Path, text: str, name: str = "pack.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def pack(tmp_path: Path) -> PolicyPack:
    return load_pack(write(tmp_path, GOOD_PACK))


# ------------------------------------------------------------------------------------------ default pack


def test_default_pack_path_points_into_resources() -> None:
    path = default_pack_path()
    assert path.parts[-3:] == ("resources", "policies", "community-standards.toml")
    assert path.is_file()


def test_default_pack_loads_and_covers_every_category() -> None:
    pack = load_default_pack()
    assert pack.pack_id == "community-standards"
    assert pack.version == "2026.12.1"  # 2026.12 + the [dsa] mapping: one version, one text
    assert len(pack.sections) >= 25
    for category in CATEGORIES:
        specific = [s for s in pack.sections if category in s.categories and not s.is_general]
        assert len(specific) >= 2, category
    for section in pack.sections:
        assert section.examples, section.code
        assert section.actions, section.code
        assert set(section.actions) <= set(ACTIONS)
        assert 1 <= section.severity <= 5


def test_default_pack_key_sections() -> None:
    pack = load_default_pack()
    nv = pack.section("NV-0")
    assert nv.categories == CATEGORIES and nv.actions == ("keep",) and nv.is_general
    csam = pack.section("CS-1")
    assert (
        csam.severity == 5 and csam.allows("escalate") and csam.allows("remove") and not csam.allows("keep")
    )
    assert pack.severity_for("child_safety") == 5


def test_sha256_is_digest_of_file_bytes_and_stable(tmp_path: Path) -> None:
    pack = load_default_pack()
    assert pack.sha256 == hashlib.sha256(default_pack_path().read_bytes()).hexdigest()
    copy = tmp_path / "copy.toml"
    shutil.copyfile(default_pack_path(), copy)
    assert load_pack(copy).sha256 == pack.sha256
    copy.write_bytes(copy.read_bytes() + b"\n# edited\n")
    assert load_pack(copy).sha256 != pack.sha256


# ------------------------------------------------------------------------------------------------ API


def test_fields_and_lookup(pack: PolicyPack) -> None:
    assert pack.pack_id == "test-pack" and pack.title == "Test pack" and pack.description == "For tests."
    assert str(pack.effective) == "2026-01-01"
    section = pack.section("VIO-1")
    assert isinstance(section, PolicySection)
    assert section.categories == ("violence",)
    assert section.allows("strike") and not section.allows("keep")
    with pytest.raises(KeyError):
        pack.section("NOPE-1")


def test_for_category_orders_specific_then_general_then_rest(pack: PolicyPack) -> None:
    codes = [s.code for s in pack.for_category("violence")]
    # severity desc, ties in file order; then the general section; then the rest in file order
    assert codes == ["VIO-2", "VIO-3", "VIO-1", "NV-0", "SP-1"]
    assert [s.code for s in pack.for_category("hate")] == ["VIO-3", "NV-0", "VIO-1", "VIO-2", "SP-1"]
    assert [s.code for s in pack.for_category("unknown")] == ["NV-0", "VIO-1", "VIO-2", "SP-1", "VIO-3"]


def test_search_requires_all_words_and_ranks_code_title_first(pack: PolicyPack) -> None:
    assert [s.code for s in pack.search("threats")] == ["VIO-1", "SP-1"]  # title hit before text hit
    assert [s.code for s in pack.search("THREATS account")] == ["SP-1"]
    assert [s.code for s in pack.search("vio-2")][0] == "VIO-2"
    assert [s.code for s in pack.search("wound")] == ["VIO-2"]  # examples are searched
    assert pack.search("threats zebra") == []
    assert len(pack.search("   ")) == len(pack.sections)


def test_search_default_pack_exact_code_first() -> None:
    pack = load_default_pack()
    assert pack.search("HATE-1")[0].code == "HATE-1"
    assert pack.search("doxxing")[0].code == "PRV-1"


def test_severity_for(pack: PolicyPack) -> None:
    assert pack.severity_for("violence") == 4
    assert pack.severity_for("adult") == 1  # only the general section applies
    assert pack.severity_for("not-a-category") == 1


# ---------------------------------------------------------------------------------------- validation


def replace(old: str, new: str, count: int = 1) -> str:
    assert old in GOOD_PACK
    return GOOD_PACK.replace(old, new, count)


BAD_PACKS = {
    "invalid_toml": (GOOD_PACK + "\n[[section]\n", "invalid TOML"),
    "unknown_top_key": (GOOD_PACK.replace("[pack]", "extra = 1\n[pack]"), "unknown top-level key(s): extra"),
    "missing_pack": (GOOD_PACK.replace("[pack]", "[pakc]"), "unknown top-level key(s): pakc"),
    "no_sections": (GOOD_PACK.split("[[section]]")[0], "no [[section]] entries"),
    "pack_unknown_key": (
        replace('title = "Test pack"', 'title = "Test pack"\nauthor = "me"'),
        "[pack]: unknown key(s): author",
    ),
    "pack_missing_version": (replace('version = "1.0"\n', ""), "[pack]: missing field 'version'"),
    "pack_wrong_type": (
        replace('version = "1.0"', "version = 1.0"),
        "[pack]: field 'version': expected a string",
    ),
    "rationale_required_not_bool": (
        replace('actions = ["keep"]', 'actions = ["keep"]\nrationale_required = "yes"'),
        "section 0 (NV-0): field 'rationale_required': expected a boolean",
    ),
    "pack_bad_date": (
        replace("effective = 2026-01-01", 'effective = "soon"'),
        "field 'effective': expected a date",
    ),
    "section_unknown_key": (
        replace("severity = 3", "severity = 3\nowner = 'x'"),
        "section 1 (VIO-1): unknown key(s): owner",
    ),
    "section_missing_field": (
        replace('text = "No threats against people."\n', ""),
        "section 1 (VIO-1): missing field 'text'",
    ),
    "section_missing_code": (replace('code = "VIO-1"\n', ""), "section 1: missing field 'code'"),
    "severity_type": (
        replace("severity = 3", 'severity = "high"'),
        "section 1 (VIO-1): field 'severity': expected an integer",
    ),
    "severity_bool": (replace("severity = 3", "severity = true"), "field 'severity': expected an integer"),
    "severity_range": (
        replace("severity = 3", "severity = 7"),
        "section 1 (VIO-1): field 'severity': must be 1-5, got 7",
    ),
    "severity_zero": (replace("severity = 3", "severity = 0"), "must be 1-5, got 0"),
    "categories_type": (
        replace('categories = ["violence"]', 'categories = "violence"'),
        "field 'categories': expected a list",
    ),
    "unknown_category": (
        replace('categories = ["violence"]', 'categories = ["violense"]'),
        "section 1 (VIO-1): field 'categories': unknown category 'violense'",
    ),
    "empty_categories": (
        replace('categories = ["violence"]', "categories = []"),
        "field 'categories': must not be empty",
    ),
    "unknown_action": (
        replace('actions = ["remove", "strike"]', 'actions = ["remove", "ban"]'),
        "section 1 (VIO-1): field 'actions': unknown action 'ban'",
    ),
    "duplicate_action": (
        replace('actions = ["remove", "strike"]', 'actions = ["remove", "remove"]'),
        "'remove' is listed twice",
    ),
    "non_string_example": (
        replace('examples = ["Violates: a specific threat."]', "examples = [1]"),
        "field 'examples': every entry must be a non-empty string",
    ),
    "duplicate_code": (
        replace('code = "VIO-2"', 'code = "VIO-1"'),
        "section 2 (VIO-1): duplicate code, already used by section 1",
    ),
    "bad_code": (replace('code = "VIO-2"', 'code = "vio two"'), "field 'code': must look like 'VIO-1'"),
    "empty_title": (
        replace('title = "Threats"', 'title = "  "'),
        "section 1 (VIO-1): field 'title': must not be empty",
    ),
    "section_not_table": (
        "section = [1, 2]\n" + GOOD_PACK.split("[[section]]")[0],
        "'section' must be an array of tables",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_PACKS))
def test_validation_errors(tmp_path: Path, name: str) -> None:
    text, expected = BAD_PACKS[name]
    path = write(tmp_path, text, f"{name}.toml")
    with pytest.raises(PolicyPackError) as info:
        load_pack(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert expected in message, message
    assert "\n" not in message


def test_missing_file_and_bad_encoding(tmp_path: Path) -> None:
    with pytest.raises(PolicyPackError, match="cannot read policy pack"):
        load_pack(tmp_path / "absent.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(GOOD_PACK.replace("Nothing wrong.", "Caf\xe9").encode("latin-1"))
    with pytest.raises(PolicyPackError, match="not valid UTF-8"):
        load_pack(bad)


def test_error_is_value_error() -> None:
    assert issubclass(PolicyPackError, ValueError)


def test_multiline_text_is_reflowed(tmp_path: Path) -> None:
    text = replace(
        'text = "No threats against people."', 'text = """\nLine one\ncontinues.\n\nSecond paragraph.\n"""'
    )
    section = load_pack(write(tmp_path, text)).section("VIO-1")
    assert section.text == "Line one continues.\n\nSecond paragraph."


def test_rationale_required_is_optional_and_read_per_section(tmp_path: Path) -> None:
    text = GOOD_PACK.replace(
        'actions = ["remove", "strike"]', 'actions = ["remove", "strike"]\nrationale_required = true'
    )
    pack = load_pack(write(tmp_path, text))
    assert pack.section("VIO-1").rationale_required
    assert not pack.section("VIO-2").rationale_required  # absent: not required
    assert pack.needs_rationale("VIO-1", "remove") and not pack.needs_rationale("VIO-2", "remove")
