"""A policy pack's mapping to statements of reasons: its ``[dsa]`` table and each section's ``[section.dsa]``.

Read by :mod:`reviewer.policy` at load, validated here: a value outside the Transparency Database's lists
(:mod:`reviewer.dsa.values`) is one error line naming the table and the field.

```toml
[dsa]                                  # optional; a pack without it produces no statements
reference_url = "https://…"            # decision_ground_reference_url (optional)
territorial_scope = ["AT", …]          # default scope (optional; default: every country of the list)
automated_decision = "AUTOMATED_DECISION_NOT_AUTOMATED"   # (optional, this default)
account_type = "ACCOUNT_TYPE_PRIVATE"  # (optional)

[dsa.actions]                          # per action: the restriction it applies (one or more kinds)
remove = { decision_visibility = ["DECISION_VISIBILITY_CONTENT_REMOVED"] }
suspend = { decision_account = "DECISION_ACCOUNT_SUSPENDED" }

[dsa.sources]                          # per channel code ("*": any other): source type, automated detection
user_report = { source_type = "SOURCE_ARTICLE_16", automated_detection = "No" }

[section.dsa]                          # after a [[section]]: its ground
decision_ground = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
category = "STATEMENT_CATEGORY_VIOLENCE"
keywords = ["KEYWORD_…"]               # category_specification (optional)
ground = "…"                           # the legal or contractual ground
explanation = "…"                      # why content is illegal / incompatible on it (optional: amended)
incompatible_content_illegal = "No"    # (optional)
```
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reviewer.dsa import values as V
from reviewer.dsa.rules import ILLEGAL

_Fail = Callable[[str], Exception]

_RESTRICTION_LISTS: dict[str, tuple[str, ...]] = {
    "decision_visibility": V.DECISION_VISIBILITIES,
    "decision_monetary": V.DECISION_MONETARIES,
    "decision_provision": V.DECISION_PROVISIONS,
    "decision_account": V.DECISION_ACCOUNTS,
}


@dataclass(frozen=True)
class Restriction:
    """What one action restricts (``decision_visibility`` is a list in the API, the others one value)."""

    decision_visibility: tuple[str, ...] = ()
    decision_monetary: str | None = None
    decision_provision: str | None = None
    decision_account: str | None = None


@dataclass(frozen=True)
class Source:
    source_type: str
    automated_detection: str


@dataclass(frozen=True)
class SectionGround:
    """The statement fields a section fixes."""

    decision_ground: str
    category: str
    ground: str
    keywords: tuple[str, ...] = ()
    explanation: str = ""
    incompatible_content_illegal: str | None = None

    @property
    def illegal(self) -> bool:
        return self.decision_ground == ILLEGAL


@dataclass(frozen=True)
class DsaMapping:
    actions: tuple[tuple[str, Restriction], ...]
    sources: tuple[tuple[str, Source], ...]
    sections: tuple[tuple[str, SectionGround], ...]
    reference_url: str | None = None
    territorial_scope: tuple[str, ...] = V.COUNTRY_CODES
    automated_decision: str = "AUTOMATED_DECISION_NOT_AUTOMATED"
    account_type: str | None = None

    def restriction(self, action: str) -> Restriction | None:
        return dict(self.actions).get(action)

    def source(self, channel: str) -> Source | None:
        found = dict(self.sources)
        return found.get(channel, found.get("*"))

    def section(self, code: str | None) -> SectionGround | None:
        return dict(self.sections).get(code or "")


def _one(table: dict[str, Any], key: str, allowed: tuple[str, ...], where: str, fail: _Fail) -> str:
    value = table[key]
    if not isinstance(value, str) or value not in allowed:
        raise fail(f"{where}: field '{key}': unknown value {value!r} (see the Transparency Database's list)")
    return value


def _many(
    table: dict[str, Any], key: str, allowed: tuple[str, ...], where: str, fail: _Fail
) -> tuple[str, ...]:
    value = table[key]
    if not isinstance(value, list) or not value:
        raise fail(f"{where}: field '{key}': expected a non-empty list")
    for item in value:
        if not isinstance(item, str) or item not in allowed:
            raise fail(
                f"{where}: field '{key}': unknown value {item!r} (see the Transparency Database's list)"
            )
    return tuple(value)


def _text(table: dict[str, Any], key: str, where: str, fail: _Fail, limit: int) -> str:
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        raise fail(f"{where}: field '{key}': expected a non-empty string")
    if len(value.strip()) > limit:
        raise fail(f"{where}: field '{key}': longer than {limit} characters")
    return " ".join(value.split())


def _only(table: Any, keys: set[str], where: str, fail: _Fail) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise fail(f"{where}: expected a table")
    unknown = sorted(set(table) - keys)
    if unknown:
        raise fail(f"{where}: unknown key(s): {', '.join(unknown)}")
    return table


def parse_section_ground(raw: Any, where: str, fail: _Fail) -> SectionGround:
    """A ``[section.dsa]`` table; ``where`` names the section in errors."""
    where = f"{where} [section.dsa]"
    keys = {
        "decision_ground",
        "category",
        "keywords",
        "ground",
        "explanation",
        "incompatible_content_illegal",
    }
    table = _only(raw, keys, where, fail)
    for name in ("decision_ground", "category", "ground"):
        if name not in table:
            raise fail(f"{where}: missing field '{name}'")
    ground = _one(table, "decision_ground", V.DECISION_GROUNDS, where, fail)
    illegal_flag = None
    if "incompatible_content_illegal" in table:
        illegal_flag = _one(
            table, "incompatible_content_illegal", V.INCOMPATIBLE_CONTENT_ILLEGALS, where, fail
        )
    return SectionGround(
        decision_ground=ground,
        category=_one(table, "category", V.CATEGORIES, where, fail),
        ground=_text(table, "ground", where, fail, 500),
        keywords=_many(table, "keywords", V.KEYWORDS, where, fail) if "keywords" in table else (),
        explanation=_text(table, "explanation", where, fail, 2000) if "explanation" in table else "",
        incompatible_content_illegal=illegal_flag,
    )


def parse_mapping(raw: Any, sections: dict[str, SectionGround], fail: _Fail) -> DsaMapping:
    """The pack's ``[dsa]`` table with the sections' grounds (by code)."""
    keys = {"reference_url", "territorial_scope", "automated_decision", "account_type", "actions", "sources"}
    table = _only(raw, keys, "[dsa]", fail)
    actions: list[tuple[str, Restriction]] = []
    for action, spec in _only(
        table.get("actions", {}), set(_any_key(table.get("actions"))), "[dsa.actions]", fail
    ).items():
        where = f"[dsa.actions] {action}"
        spec = _only(spec, set(_RESTRICTION_LISTS), where, fail)
        if not spec:
            raise fail(f"{where}: name at least one kind of restriction")
        actions.append(
            (
                action,
                Restriction(
                    decision_visibility=_many(
                        spec, "decision_visibility", V.DECISION_VISIBILITIES, where, fail
                    )
                    if "decision_visibility" in spec
                    else (),
                    **{
                        kind: _one(spec, kind, allowed, where, fail)
                        for kind, allowed in _RESTRICTION_LISTS.items()
                        if kind != "decision_visibility" and kind in spec
                    },
                ),
            )
        )
    sources: list[tuple[str, Source]] = []
    for channel, spec in _only(
        table.get("sources", {}), set(_any_key(table.get("sources"))), "[dsa.sources]", fail
    ).items():
        where = f"[dsa.sources] {channel}"
        spec = _only(spec, {"source_type", "automated_detection"}, where, fail)
        if set(spec) != {"source_type", "automated_detection"}:
            raise fail(f"{where}: needs source_type and automated_detection")
        sources.append(
            (
                channel,
                Source(
                    _one(spec, "source_type", V.SOURCE_TYPES, where, fail),
                    _one(spec, "automated_detection", V.AUTOMATED_DETECTIONS, where, fail),
                ),
            )
        )
    extra: dict[str, Any] = {}
    if "reference_url" in table:
        extra["reference_url"] = _text(table, "reference_url", "[dsa]", fail, 500)
    if "territorial_scope" in table:
        extra["territorial_scope"] = _many(table, "territorial_scope", V.COUNTRY_CODES, "[dsa]", fail)
    if "automated_decision" in table:
        extra["automated_decision"] = _one(table, "automated_decision", V.AUTOMATED_DECISIONS, "[dsa]", fail)
    if "account_type" in table:
        extra["account_type"] = _one(table, "account_type", V.ACCOUNT_TYPES, "[dsa]", fail)
    return DsaMapping(tuple(actions), tuple(sources), tuple(sections.items()), **extra)


def _any_key(table: Any) -> list[str]:
    return list(table) if isinstance(table, dict) else []
