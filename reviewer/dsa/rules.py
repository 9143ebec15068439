"""The published validation rules of a statement of reasons, each one mirrored here.

Source of the rules: the DSA Transparency Database's API documentation
(https://transparency.dsa.ec.europa.eu/page/api-documentation) and the Commission's own validation, in
repository digital-services-act/transparency-database (commit 69e80a0bc8eb3cbfbe8246e898194c3bdf490a4b):
``app/Http/Requests/StatementStoreRequest.php`` (``rules()``: POST /api/v1/statement) and
``app/Services/GroupedSubmissionsService.php`` (``multi_rules()``, the same rules per statement of
POST /api/v1/statements), whose body is ``{"statements": [...]}`` with ``between:1,100`` statements
(``app/Http/Controllers/Api/v1/StatementMultipleAPIController.php``).

Laravel's ``required`` fails on a missing value, ``null``, a string of only spaces and an empty list;
``max:N`` on a string counts characters. A field under ``exclude_unless`` / ``excludeIf`` is dropped by the
API when its condition does not hold; :func:`clean` drops it the same way before export.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlparse

from reviewer.dsa import values as V

#: Statements per request of POST /api/v1/statements (``'statements' => 'required|array|between:1,100'``).
BATCH_MAX = 100

ILLEGAL = "DECISION_GROUND_ILLEGAL_CONTENT"
INCOMPATIBLE = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
VISIBILITY_OTHER = "DECISION_VISIBILITY_OTHER"
MONETARY_OTHER = "DECISION_MONETARY_OTHER"
CONTENT_TYPE_OTHER = "CONTENT_TYPE_OTHER"
SOURCE_VOLUNTARY = "SOURCE_VOLUNTARY"
RESTRICTIONS = ("decision_visibility", "decision_monetary", "decision_provision", "decision_account")
_PUID = re.compile(r"[a-zA-Z0-9\-_]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

#: Every field of the API, in the order of the published rules (the CSV's columns follow it).
FIELDS: tuple[str, ...] = (
    "decision_visibility",
    "decision_visibility_other",
    "decision_monetary",
    "decision_monetary_other",
    "decision_provision",
    "decision_account",
    "account_type",
    "category_specification",
    "category_specification_other",
    "decision_ground",
    "decision_ground_reference_url",
    "illegal_content_legal_ground",
    "illegal_content_explanation",
    "incompatible_content_ground",
    "incompatible_content_explanation",
    "incompatible_content_illegal",
    "content_type",
    "content_type_other",
    "category",
    "category_addition",
    "territorial_scope",
    "content_language",
    "content_date",
    "application_date",
    "end_date_account_restriction",
    "end_date_monetary_restriction",
    "end_date_service_restriction",
    "end_date_visibility_restriction",
    "decision_facts",
    "source_type",
    "source_identity",
    "automated_detection",
    "automated_decision",
    "puid",
)
LIST_FIELDS = frozenset(
    {
        "decision_visibility",
        "category_specification",
        "content_type",
        "category_addition",
        "territorial_scope",
    }
)
_MAX = {
    "decision_visibility_other": 500,
    "decision_monetary_other": 500,
    "category_specification_other": 500,
    "decision_ground_reference_url": 500,
    "illegal_content_legal_ground": 500,
    "illegal_content_explanation": 2000,
    "incompatible_content_ground": 500,
    "incompatible_content_explanation": 2000,
    "content_type_other": 500,
    "decision_facts": 5000,
    "source_identity": 500,
    "puid": 500,
}
_ONE_OF: dict[str, tuple[str, ...]] = {
    "decision_monetary": V.DECISION_MONETARIES,
    "decision_provision": V.DECISION_PROVISIONS,
    "decision_account": V.DECISION_ACCOUNTS,
    "account_type": V.ACCOUNT_TYPES,
    "decision_ground": V.DECISION_GROUNDS,
    "incompatible_content_illegal": V.INCOMPATIBLE_CONTENT_ILLEGALS,
    "category": V.CATEGORIES,
    "content_language": V.LANGUAGES,
    "source_type": V.SOURCE_TYPES,
    "automated_detection": V.AUTOMATED_DETECTIONS,
    "automated_decision": V.AUTOMATED_DECISIONS,
}
_ALL_OF: dict[str, tuple[str, ...]] = {
    "decision_visibility": V.DECISION_VISIBILITIES,
    "category_specification": V.KEYWORDS,
    "content_type": V.CONTENT_TYPES,
    "category_addition": V.CATEGORIES,
    "territorial_scope": V.COUNTRY_CODES,
}
#: Date fields: (required, earliest, latest), all ``date_format:Y-m-d``.
_DATES: dict[str, tuple[bool, date | None, date]] = {
    "content_date": (True, date(2000, 1, 1), date(2038, 1, 1)),
    "application_date": (True, date(2020, 1, 1), date(2038, 1, 1)),
    "end_date_account_restriction": (False, None, date(2038, 1, 1)),
    "end_date_monetary_restriction": (False, None, date(2038, 1, 1)),
    "end_date_service_restriction": (False, None, date(2038, 1, 1)),
    "end_date_visibility_restriction": (False, None, date(2038, 1, 1)),
}
_ALWAYS_REQUIRED = (
    "decision_ground",
    "content_type",
    "category",
    "decision_facts",
    "source_type",
    "automated_detection",
    "automated_decision",
    "puid",
)


@dataclass(frozen=True)
class Problem:
    """One broken rule: ``missing`` when the field is required and absent (a reviewer can supply it)."""

    field: str
    message: str
    missing: bool = False

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def present(value: Any) -> bool:
    """Laravel's "filled": not None, not a blank string, not an empty list."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple):
        return bool(value)
    return True


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


# --- the conditions of the conditional rules, each named once ---------------------------------------------
def visibility_other_applies(s: Mapping[str, Any]) -> bool:
    return VISIBILITY_OTHER in _as_list(s.get("decision_visibility") or [])


def monetary_other_applies(s: Mapping[str, Any]) -> bool:
    return s.get("decision_monetary") == MONETARY_OTHER


def content_type_other_applies(s: Mapping[str, Any]) -> bool:
    return CONTENT_TYPE_OTHER in _as_list(s.get("content_type") or [])


def illegal_applies(s: Mapping[str, Any]) -> bool:
    return s.get("decision_ground") == ILLEGAL


def incompatible_applies(s: Mapping[str, Any]) -> bool:
    return s.get("decision_ground") == INCOMPATIBLE


def keyword_other_applies(s: Mapping[str, Any]) -> bool:
    return "KEYWORD_OTHER" in _as_list(s.get("category_specification") or [])


def source_identity_applies(s: Mapping[str, Any]) -> bool:
    return s.get("source_type") != SOURCE_VOLUNTARY


#: field -> the condition under which it is required (``required_if`` / ``requiredIf``) and kept
#: (``exclude_unless`` / ``excludeIf``).
CONDITIONAL: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "decision_visibility_other": visibility_other_applies,
    "decision_monetary_other": monetary_other_applies,
    "content_type_other": content_type_other_applies,
    "illegal_content_legal_ground": illegal_applies,
    "illegal_content_explanation": illegal_applies,
    "incompatible_content_ground": incompatible_applies,
    "incompatible_content_explanation": incompatible_applies,
}
#: Fields the API drops when their condition fails, though it never requires them (the multiple-statements
#: endpoint nulls ``category_specification_other`` without KEYWORD_OTHER: ``handleOtherFieldWithinArray``).
EXCLUDED_UNLESS: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "category_specification_other": keyword_other_applies,
    "incompatible_content_illegal": incompatible_applies,
    "source_identity": source_identity_applies,
}


def clean(statement: Mapping[str, Any]) -> dict[str, Any]:
    """The statement as the API keeps it: excluded fields dropped, empty optional fields left out."""
    out: dict[str, Any] = {}
    for field in FIELDS:
        value = statement.get(field)
        keep = CONDITIONAL.get(field) or EXCLUDED_UNLESS.get(field)
        if keep is not None and not keep(statement):
            continue
        if present(value):
            out[field] = _as_list(value) if field in LIST_FIELDS else value
    return out


def validate(statement: Mapping[str, Any]) -> list[Problem]:
    """Every published rule ``statement`` breaks (an empty list: the API would accept it)."""
    s = statement
    problems: list[Problem] = []
    unknown = sorted(set(s) - set(FIELDS))
    problems += [Problem(f, "not a field of the statement of reasons") for f in unknown]

    # required_without_all: at least one of the four restriction kinds.
    if not any(present(s.get(f)) for f in RESTRICTIONS):
        problems.append(Problem("decision_visibility", "one kind of restriction is required", missing=True))
    for field in _ALWAYS_REQUIRED:
        if not present(s.get(field)):
            problems.append(Problem(field, "required", missing=True))
    for field, applies in CONDITIONAL.items():
        if applies(s) and not present(s.get(field)):
            problems.append(Problem(field, f"required when {_condition_text(field)}", missing=True))

    for field, allowed in _ONE_OF.items():
        value = s.get(field)
        if present(value) and value not in allowed:
            problems.append(Problem(field, f"{value!r} is not an allowed value"))
    for field, allowed in _ALL_OF.items():
        value = s.get(field)
        if not present(value):
            continue
        if not isinstance(value, list | tuple):
            problems.append(Problem(field, "must be a list"))
            continue
        bad = [v for v in value if v not in allowed]
        if bad:
            problems.append(Problem(field, f"{bad[0]!r} is not an allowed value"))
    for field, limit in _MAX.items():
        value = s.get(field)
        if isinstance(value, str) and len(value) > limit:
            problems.append(Problem(field, f"longer than {limit} characters ({len(value)})"))
        elif present(value) and not isinstance(value, str):
            problems.append(Problem(field, "must be text"))
    for field, (required, earliest, latest) in _DATES.items():
        problems += _check_date(field, s.get(field), required, earliest, latest)

    url = s.get("decision_ground_reference_url")
    if isinstance(url, str) and present(url) and not _is_url(url):
        problems.append(Problem("decision_ground_reference_url", "not a valid URL"))
    puid = s.get("puid")
    if isinstance(puid, str) and present(puid) and not _PUID.fullmatch(puid):
        problems.append(Problem("puid", "only letters, digits, '-' and '_' are allowed"))
    return problems


def missing_fields(problems: list[Problem]) -> list[str]:
    """The fields ``problems`` says are required and absent, in field order, each once."""
    names = {p.field for p in problems if p.missing}
    return [f for f in FIELDS if f in names]


def _condition_text(field: str) -> str:
    return {
        "decision_visibility_other": "decision_visibility includes DECISION_VISIBILITY_OTHER",
        "decision_monetary_other": "decision_monetary is DECISION_MONETARY_OTHER",
        "content_type_other": "content_type includes CONTENT_TYPE_OTHER",
        "illegal_content_legal_ground": f"decision_ground is {ILLEGAL}",
        "illegal_content_explanation": f"decision_ground is {ILLEGAL}",
        "incompatible_content_ground": f"decision_ground is {INCOMPATIBLE}",
        "incompatible_content_explanation": f"decision_ground is {INCOMPATIBLE}",
    }[field]


def _check_date(field: str, value: Any, required: bool, earliest: date | None, latest: date) -> list[Problem]:
    if not present(value):
        return [Problem(field, "required", missing=True)] if required else []
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return [Problem(field, "does not match the format YYYY-MM-DD")]
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return [Problem(field, "does not match the format YYYY-MM-DD")]
    if earliest is not None and day < earliest:
        return [Problem(field, f"before {earliest.isoformat()}")]
    if day > latest:
        return [Problem(field, f"after {latest.isoformat()}")]
    return []


def _is_url(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and " " not in value
