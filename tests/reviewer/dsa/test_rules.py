"""Each published rule of a statement of reasons, valid and invalid (reviewer.dsa.rules)."""

from __future__ import annotations

from typing import Any

import pytest

from reviewer.dsa import values as V
from reviewer.dsa.rules import BATCH_MAX, FIELDS, clean, missing_fields, validate


def valid() -> dict[str, Any]:
    """A statement the API accepts (incompatible with the terms, visibility removed)."""
    return {
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "incompatible_content_ground": "Community Standards, VIO-1",
        "incompatible_content_explanation": "A credible threat against a named person.",
        "content_type": ["CONTENT_TYPE_TEXT"],
        "category": "STATEMENT_CATEGORY_VIOLENCE",
        "content_date": "2026-11-30",
        "application_date": "2026-12-01",
        "decision_facts": "Reported by a partner; the post names a target and a date.",
        "source_type": "SOURCE_TRUSTED_FLAGGER",
        "automated_detection": "No",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
        "puid": "3f1c-ab_9",
    }


def fields_of(statement: dict[str, Any]) -> set[str]:
    return {p.field for p in validate(statement)}


def test_the_sample_is_valid_and_clean_keeps_it() -> None:
    assert validate(valid()) == []
    assert clean(valid()) == valid()


# --- conditional rules ---------------------------------------------------------------------------------
def test_one_restriction_kind_is_required_without_all_the_others() -> None:
    s = valid()
    del s["decision_visibility"]
    assert "decision_visibility" in missing_fields(validate(s))
    for kind, value in (
        ("decision_monetary", "DECISION_MONETARY_SUSPENSION"),
        ("decision_provision", "DECISION_PROVISION_TOTAL_SUSPENSION"),
        ("decision_account", "DECISION_ACCOUNT_SUSPENDED"),
    ):
        assert validate({**s, kind: value}) == [], kind
    assert "decision_visibility" in fields_of({**s, "decision_visibility": []})  # an empty list is not there


def test_decision_visibility_other_is_required_when_visibility_is_other_and_dropped_otherwise() -> None:
    s = {**valid(), "decision_visibility": ["DECISION_VISIBILITY_OTHER"]}
    assert missing_fields(validate(s)) == ["decision_visibility_other"]
    assert validate({**s, "decision_visibility_other": "Shadow label"}) == []
    assert "decision_visibility_other" not in clean({**valid(), "decision_visibility_other": "x"})
    assert validate({**s, "decision_visibility_other": "x" * 501})[0].field == "decision_visibility_other"


def test_decision_monetary_other_is_required_only_when_monetary_is_other() -> None:
    s = {**valid(), "decision_monetary": "DECISION_MONETARY_OTHER"}
    assert missing_fields(validate(s)) == ["decision_monetary_other"]
    assert validate({**s, "decision_monetary_other": "Ads capped"}) == []
    plain = {**valid(), "decision_monetary": "DECISION_MONETARY_TERMINATION", "decision_monetary_other": "x"}
    assert validate(plain) == [] and "decision_monetary_other" not in clean(plain)


def test_content_type_other_is_required_when_content_type_includes_other() -> None:
    s = {**valid(), "content_type": ["CONTENT_TYPE_TEXT", "CONTENT_TYPE_OTHER"]}
    assert missing_fields(validate(s)) == ["content_type_other"]
    assert validate({**s, "content_type_other": "Link"}) == []
    assert "content_type_other" not in clean({**valid(), "content_type_other": "Link"})


def test_illegal_content_needs_its_legal_ground_and_explanation() -> None:
    s = {**valid(), "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT"}
    assert missing_fields(validate(s)) == ["illegal_content_legal_ground", "illegal_content_explanation"]
    ok = {
        **s,
        "illegal_content_legal_ground": "Art. 5 Directive 2011/93/EU",
        "illegal_content_explanation": "Why.",
    }
    assert validate(ok) == []
    body = clean(ok)  # the incompatible-content fields are excluded under an illegal-content ground
    assert "incompatible_content_ground" not in body and "illegal_content_legal_ground" in body
    assert "illegal_content_explanation" in fields_of({**ok, "illegal_content_explanation": "x" * 2001})


def test_incompatible_content_needs_its_contractual_ground_and_explanation() -> None:
    s = valid()
    del s["incompatible_content_ground"], s["incompatible_content_explanation"]
    assert missing_fields(validate(s)) == ["incompatible_content_ground", "incompatible_content_explanation"]
    assert "incompatible_content_ground" in fields_of({**valid(), "incompatible_content_ground": "x" * 501})
    illegal = {**valid(), "incompatible_content_illegal": "Yes"}
    assert validate(illegal) == [] and clean(illegal)["incompatible_content_illegal"] == "Yes"
    assert "incompatible_content_illegal" in fields_of({**valid(), "incompatible_content_illegal": "Maybe"})
    on_illegal = {**illegal, "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT"}
    assert "incompatible_content_illegal" not in clean(on_illegal)  # exclude_unless incompatible


def test_source_identity_is_dropped_for_own_initiative_and_kept_for_a_notice() -> None:
    notice = {**valid(), "source_identity": "Flagger Org"}
    assert validate(notice) == [] and clean(notice)["source_identity"] == "Flagger Org"
    own = {**notice, "source_type": "SOURCE_VOLUNTARY"}
    assert validate(own) == [] and "source_identity" not in clean(own)
    assert "source_identity" in fields_of({**notice, "source_identity": "x" * 501})


def test_category_specification_other_is_kept_only_with_keyword_other() -> None:
    other = {
        **valid(),
        "category_specification": ["KEYWORD_OTHER"],
        "category_specification_other": "Spam rings",
    }
    assert validate(other) == [] and clean(other)["category_specification_other"] == "Spam rings"
    plain = {**other, "category_specification": ["KEYWORD_PHISHING"]}
    assert validate(plain) == [] and "category_specification_other" not in clean(plain)


# --- always required, formats, lists ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "field",
    [
        "decision_ground",
        "content_type",
        "category",
        "content_date",
        "application_date",
        "decision_facts",
        "source_type",
        "automated_detection",
        "automated_decision",
        "puid",
    ],
)
def test_a_required_field_missing_or_blank_is_listed_as_missing(field: str) -> None:
    s = valid()
    del s[field]
    assert field in missing_fields(validate(s))
    assert field in missing_fields(validate({**valid(), field: "  "}))


@pytest.mark.parametrize(
    ("field", "allowed"),
    [
        ("decision_monetary", V.DECISION_MONETARIES),
        ("decision_provision", V.DECISION_PROVISIONS),
        ("decision_account", V.DECISION_ACCOUNTS),
        ("account_type", V.ACCOUNT_TYPES),
        ("decision_ground", V.DECISION_GROUNDS),
        ("category", V.CATEGORIES),
        ("content_language", V.LANGUAGES),
        ("source_type", V.SOURCE_TYPES),
        ("automated_detection", V.AUTOMATED_DETECTIONS),
        ("automated_decision", V.AUTOMATED_DECISIONS),
    ],
)
def test_single_values_come_from_the_published_list(field: str, allowed: tuple[str, ...]) -> None:
    for value in (allowed[0], allowed[-1]):
        s = {**valid(), field: value}
        if field == "decision_ground" and value == "DECISION_GROUND_ILLEGAL_CONTENT":
            s |= {"illegal_content_legal_ground": "Law", "illegal_content_explanation": "Why"}
        if value == "DECISION_MONETARY_OTHER":
            s["decision_monetary_other"] = "Ads capped"
        assert validate(s) == [], value
    assert field in fields_of({**valid(), field: "NOT_A_VALUE"})
    assert field in fields_of({**valid(), field: allowed[0].lower()})  # keys, exactly


@pytest.mark.parametrize(
    ("field", "allowed"),
    [
        ("decision_visibility", V.DECISION_VISIBILITIES[:-1]),  # OTHER needs its text
        ("category_specification", V.KEYWORDS),
        ("content_type", V.CONTENT_TYPES[:-1]),
        ("category_addition", V.CATEGORIES),
        ("territorial_scope", V.COUNTRY_CODES),
    ],
)
def test_list_values_come_from_the_published_list(field: str, allowed: tuple[str, ...]) -> None:
    assert validate({**valid(), field: list(allowed)}) == []
    assert field in fields_of({**valid(), field: [allowed[0], "XX_NOT_LISTED"]})
    assert field in fields_of({**valid(), field: allowed[0]})  # a list, not one value


def test_published_lists_have_their_published_sizes() -> None:
    assert (len(V.CATEGORIES), len(V.KEYWORDS), len(V.COUNTRY_CODES), len(V.CONTENT_TYPES)) == (16, 69, 30, 8)
    assert "GB" not in V.COUNTRY_CODES and "IS" in V.COUNTRY_CODES  # EEA, not the UK


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [
        ("content_date", "2000-01-01", "1999-12-31"),
        ("content_date", "2038-01-01", "2038-01-02"),
        ("application_date", "2020-01-01", "2019-12-31"),
        ("application_date", "2026-12-02", "02-12-2026"),
        ("end_date_visibility_restriction", "2038-01-01", "2038-01-02"),
        ("end_date_account_restriction", "2027-01-31", "2027-02-30"),
        ("end_date_monetary_restriction", "2027-01-31", "2027-1-31"),
        ("end_date_service_restriction", "2027-01-31", "2027-01-31T00:00:00"),
    ],
)
def test_dates_are_yyyy_mm_dd_within_the_published_bounds(field: str, good: str, bad: str) -> None:
    assert validate({**valid(), field: good}) == []
    assert fields_of({**valid(), field: bad}) == {field}


def test_end_dates_are_optional() -> None:
    assert validate({**valid(), "end_date_account_restriction": None}) == []


@pytest.mark.parametrize("puid", ["abc", "A-b_9", "x" * 500])
def test_puid_letters_digits_dash_underscore_up_to_500(puid: str) -> None:
    assert validate({**valid(), "puid": puid}) == []


@pytest.mark.parametrize("puid", ["a b", "a/b", "ä", "x" * 501, "a\n"])
def test_puid_anything_else_is_refused(puid: str) -> None:
    assert "puid" in fields_of({**valid(), "puid": puid})


def test_facts_up_to_5000_and_reference_url_is_a_url() -> None:
    assert validate({**valid(), "decision_facts": "x" * 5000}) == []
    assert "decision_facts" in fields_of({**valid(), "decision_facts": "x" * 5001})
    assert validate({**valid(), "decision_ground_reference_url": "https://example.com/tos#vio-1"}) == []
    assert "decision_ground_reference_url" in fields_of(
        {**valid(), "decision_ground_reference_url": "not a url"}
    )
    assert "category_specification_other" in fields_of({**valid(), "category_specification_other": "x" * 501})


def test_an_unknown_field_is_refused_and_the_api_field_list_is_complete() -> None:
    assert fields_of({**valid(), "decision_ground_other": "x"}) == {"decision_ground_other"}
    assert len(FIELDS) == len(set(FIELDS)) == 34 and BATCH_MAX == 100
