"""Policy packs: versioned, human-editable TOML files of policy sections.

A pack (see ``resources/policies/community-standards.toml`` for the documented format) has a ``[pack]``
table, a ``[[section]]`` array and optionally a ``[[tier]]`` array (the escalation tiers, see
``reviewer.tiers``). :func:`load_pack` reads and strictly validates one file; every problem
raises :class:`PolicyPackError` with a one-line message naming the file, the section and the field.

This module is part of the core package and must not import Qt.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from reviewer.categories import CATEGORIES
from reviewer.dsa.mapping import DsaMapping, parse_mapping, parse_section_ground
from reviewer.resources import resource_path
from reviewer.tiers import DEFAULT_TIERS, Tier, build_tiers, tier_of

ACTIONS: tuple[str, ...] = ("keep", "remove", "restrict", "escalate", "warn", "strike", "suspend")

MIN_SEVERITY = 1
MAX_SEVERITY = 5
ALL_CATEGORIES_WILDCARD = "*"
CODE_PATTERN = re.compile(r"^[A-Z]{2,6}-[0-9]{1,3}$")

_PACK_FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "version": str,
    "title": str,
    "effective": _dt.date,
    "description": str,
}
_SECTION_FIELDS: dict[str, type | tuple[type, ...]] = {
    "code": str,
    "title": str,
    "categories": list,
    "severity": int,
    "text": str,
    "examples": list,
    "actions": list,
    "rationale_required": bool,
    "dsa": dict,  # statement-of-reasons ground: reviewer.dsa.mapping
}
_REQUIRED_SECTION_FIELDS = ("code", "title", "categories", "severity", "text", "examples", "actions")
_TOP_LEVEL_KEYS = ("pack", "section", "tier", "dsa")

#: Actions that may cite any section: they do not decide under it (skipping or noting a case while a
#: section is picked is always allowed), so the section's ``actions`` list is not consulted. An escalation
#: is not one of them: it cites a section only if the section lists "escalate".
POLICY_FREE_ACTIONS: frozenset[str] = frozenset({"note", "skip"})
#: Actions that never need a rationale, even under a section that requires one (they decide nothing).
RATIONALE_FREE_ACTIONS: frozenset[str] = POLICY_FREE_ACTIONS
#: The general "no violation" section a keep cites when no section was picked (if the pack has it).
GENERAL_KEEP_CODE = "NV-0"

_Fail = Callable[[str], "PolicyPackError"]


class PolicyPackError(ValueError):
    """A policy pack file cannot be read or does not follow the format."""


class PolicyRuleError(ValueError):
    """A decision may not cite this policy code with this action (see :meth:`PolicyPack.check_allowed`)."""


class UnknownPolicyCode(PolicyRuleError):
    """The code names no section of the pack."""

    def __init__(self, code: str, pack_version: str) -> None:
        super().__init__(f"policy code {code!r} is not in pack {pack_version}")
        self.code, self.pack_version = code, pack_version


class ActionNotAllowed(PolicyRuleError):
    """The section exists but does not allow the action."""

    def __init__(self, code: str, action: str, allowed: tuple[str, ...]) -> None:
        super().__init__(f"{code} does not allow '{action}' (allows: {', '.join(allowed)})")
        self.code, self.action, self.allowed = code, action, allowed


class RationaleRequired(PolicyRuleError):
    """The section requires a rationale with this action and none was given."""

    def __init__(self, code: str, action: str) -> None:
        super().__init__(f"{code} requires a rationale with '{action}': write why, then commit")
        self.code, self.action = code, action


@dataclass(frozen=True)
class PolicySection:
    """One rule of a policy pack."""

    code: str
    title: str
    categories: tuple[str, ...]
    severity: int
    text: str
    examples: tuple[str, ...]
    actions: tuple[str, ...]
    rationale_required: bool = False

    def allows(self, action: str) -> bool:
        """Whether a decision under this section may take ``action``."""
        return action in self.actions

    def permits(self, action: str) -> bool:
        """Whether a decision citing this section may take ``action``: the rule :func:`record_decision`
        enforces. Listed actions are permitted, and so are :data:`POLICY_FREE_ACTIONS` (escalate, note,
        skip), which may cite any section."""
        return action in POLICY_FREE_ACTIONS or self.allows(action)

    @property
    def is_general(self) -> bool:
        """True for sections that apply to every category (such as "NV-0 No violation")."""
        return set(CATEGORIES) <= set(self.categories)


@dataclass(frozen=True)
class PolicyPack:
    """A loaded, validated policy pack. ``sha256`` is the digest of the file's bytes."""

    pack_id: str
    version: str
    title: str
    sections: tuple[PolicySection, ...]
    sha256: str
    effective: _dt.date | None = None
    description: str = ""
    #: The escalation tiers, by level from 1 (the pack's ``[[tier]]`` tables, or the three defaults).
    tiers: tuple[Tier, ...] = DEFAULT_TIERS
    #: The mapping to DSA statements of reasons (``[dsa]``, ``[section.dsa]``), None when the pack has none.
    dsa: DsaMapping | None = None

    @property
    def max_tier(self) -> int:
        """The highest tier a case can be escalated to."""
        return self.tiers[-1].level

    def tier(self, level: int) -> Tier:
        """The tier at ``level`` (a level the pack lacks gets a plain "Tier N" and the top tier's SLA)."""
        return tier_of(self.tiers, level)

    @cached_property
    def _by_code(self) -> dict[str, PolicySection]:
        """The sections by code (the first of a code, as a scan would find it), made on first use: every
        decision asks for its section twice."""
        by_code: dict[str, PolicySection] = {}
        for sec in self.sections:
            by_code.setdefault(sec.code, sec)
        return by_code

    def section(self, code: str) -> PolicySection:
        """The section with this code; ``KeyError`` if the pack has none."""
        return self._by_code[code]

    def has_section(self, code: str) -> bool:
        """Whether the pack has a section with this code."""
        return code in self._by_code

    def check_allowed(self, code: str, action: str) -> PolicySection:
        """The section ``code``, if a decision citing it may take ``action``.

        Raises :class:`UnknownPolicyCode` if the pack has no such section and :class:`ActionNotAllowed`
        if the section does not permit the action (see :meth:`PolicySection.permits`). This is the one
        policy-allows rule: ``record_decision`` enforces it and the UI asks it before committing.
        """
        try:
            section = self.section(code)
        except KeyError:
            raise UnknownPolicyCode(code, self.version) from None
        if not section.permits(action):
            raise ActionNotAllowed(code, action, section.actions)
        return section

    def allows(self, code: str, action: str) -> bool:
        """:meth:`check_allowed` as a yes/no: False for an unknown code or a section that does not permit
        ``action``."""
        try:
            self.check_allowed(code, action)
        except PolicyRuleError:
            return False
        return True

    def needs_rationale(self, code: str | None, action: str) -> bool:
        """Whether a decision taking ``action`` under ``code`` must carry a rationale: the section says
        ``rationale_required = true`` and the action decides something (not a note or a skip)."""
        if code is None or action in RATIONALE_FREE_ACTIONS or not self.has_section(code):
            return False
        return self.section(code).rationale_required

    def check_rationale(self, code: str | None, action: str, rationale: str) -> None:
        """Raise :class:`RationaleRequired` if the decision needs a rationale and ``rationale`` is blank.
        The one rationale rule: ``record_decision`` enforces it in the write, the UI asks it first."""
        if self.needs_rationale(code, action) and not rationale.strip():
            assert code is not None  # needs_rationale is False without a code
            raise RationaleRequired(code, action)

    def sections_allowing(self, action: str, category: str | None = None) -> list[PolicySection]:
        """The sections a decision taking ``action`` may cite, for a pick list.

        With a ``category``, in :meth:`for_category` order (most relevant first); without, in file order.
        """
        ordered = self.for_category(category) if category else list(self.sections)
        return [sec for sec in ordered if sec.permits(action)]

    def default_policy_for(self, action: str) -> str | None:
        """The code a decision cites when the reviewer picked none: :data:`GENERAL_KEEP_CODE` ("NV-0")
        for ``keep`` when the pack has that section and it permits keeping; otherwise None."""
        if action == "keep" and self.allows(GENERAL_KEEP_CODE, action):
            return GENERAL_KEEP_CODE
        return None

    def for_category(self, category: str) -> list[PolicySection]:
        """All sections, most relevant to ``category`` first.

        Order: sections specific to the category — those filed under it as their first category before
        those that merely also cover it, each by severity descending, then file order — then general
        sections that apply to every category, then all other sections in file order. An unknown
        category has no specific sections.
        """
        specific = [s for s in self.sections if category in s.categories and not s.is_general]
        specific.sort(
            key=lambda s: (s.categories[0] != category, -s.severity)
        )  # stable: ties keep file order
        general = [s for s in self.sections if s.is_general]
        chosen = {id(s) for s in specific} | {id(s) for s in general}
        rest = [s for s in self.sections if id(s) not in chosen]
        return specific + general + rest

    def search(self, query: str) -> list[PolicySection]:
        """Case-insensitive full-text search over code, title, text and examples.

        Every whitespace-separated word must occur somewhere in the section. Results are ranked: an
        exact code match first, then by the number of words found in the code or title, then file order.
        An empty query returns every section in file order.
        """
        words = query.casefold().split()
        if not words:
            return list(self.sections)
        needle = query.strip().casefold()
        ranked: list[tuple[int, int, int, PolicySection]] = []
        for index, sec in enumerate(self.sections):
            head = f"{sec.code} {sec.title}".casefold()
            body = " ".join((head, sec.text, *sec.examples)).casefold()
            if not all(word in body for word in words):
                continue
            exact = 0 if sec.code.casefold() == needle else 1
            head_hits = sum(1 for word in words if word in head)
            ranked.append((exact, -head_hits, index, sec))
        ranked.sort(key=lambda item: item[:3])
        return [item[3] for item in ranked]

    def severity_for(self, category: str) -> int:
        """The highest severity among the sections that apply to ``category`` (1 if none)."""
        return max((s.severity for s in self.sections if category in s.categories), default=MIN_SEVERITY)


def default_pack_path() -> Path:
    """Path of the pack shipped with the app (``resources/policies/community-standards.toml``)."""
    return resource_path("policies", "community-standards.toml")


def load_default_pack() -> PolicyPack:
    """Load the pack shipped with the app."""
    return load_pack(default_pack_path())


def load_pack(path: Path | str) -> PolicyPack:
    """Read and validate a policy pack file; raise :class:`PolicyPackError` on any problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyPackError(f"{path}: cannot read policy pack: {exc.strerror or exc}") from exc
    return parse_pack(raw, path)


def load_pack_text(content: str, origin: str) -> PolicyPack:
    """A pack from its stored source text (``policy_pack_source.content``); ``origin`` names it in errors.
    The digest is of the text's UTF-8 bytes: the same as of the file it was installed from."""
    return parse_pack(content.encode("utf-8"), Path(origin))


def parse_pack(raw: bytes, path: Path) -> PolicyPack:
    """Validate a pack file's bytes; raise :class:`PolicyPackError` (naming ``path``) on any problem."""
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PolicyPackError(f"{path}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PolicyPackError(f"{path}: invalid TOML: {_one_line(str(exc))}") from exc
    return _build_pack(path, data, hashlib.sha256(raw).hexdigest())


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _paragraphs(text: str) -> str:
    """Re-flow a multi-line TOML string: lines join with spaces, blank lines separate paragraphs."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(_one_line(p) for p in paragraphs if p.strip())


def _build_pack(path: Path, data: dict[str, Any], digest: str) -> PolicyPack:
    def fail(message: str) -> PolicyPackError:
        return PolicyPackError(f"{path}: {message}")

    unknown = sorted(set(data) - set(_TOP_LEVEL_KEYS))
    if unknown:
        expected = "expected [pack], [[section]] and [[tier]]"
        raise fail(f"unknown top-level key(s): {', '.join(unknown)} ({expected})")
    pack = data.get("pack")
    if not isinstance(pack, dict):
        raise fail("missing [pack] table" if pack is None else "'pack' must be a table")
    _check_fields(pack, _PACK_FIELDS, required=("id", "version", "title"), where="[pack]", fail=fail)

    raw_sections = data.get("section")
    if raw_sections is None:
        raise fail("no [[section]] entries")
    if not isinstance(raw_sections, list) or not all(isinstance(s, dict) for s in raw_sections):
        raise fail("'section' must be an array of tables ([[section]])")
    if not raw_sections:
        raise fail("no [[section]] entries")

    sections: list[PolicySection] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_sections):
        section = _build_section(index, raw, fail)
        if section.code in seen:
            raise fail(
                f"section {index} ({section.code}): duplicate code, already used by section "
                f"{seen[section.code]}"
            )
        seen[section.code] = index
        sections.append(section)

    tiers = build_tiers(data.get("tier"), fail, _check_fields)
    grounds = {
        raw["code"]: parse_section_ground(raw["dsa"], f"section {index} ({raw['code']})", fail)
        for index, raw in enumerate(raw_sections)
        if "dsa" in raw
    }
    dsa = parse_mapping(data.get("dsa", {}), grounds, fail) if grounds or "dsa" in data else None
    return PolicyPack(
        pack_id=pack["id"],
        version=pack["version"],
        title=pack["title"],
        sections=tuple(sections),
        sha256=digest,
        effective=pack.get("effective"),
        description=pack.get("description", "").strip(),
        tiers=tiers,
        dsa=dsa,
    )


def _build_section(index: int, raw: dict[str, Any], fail: _Fail) -> PolicySection:
    code = raw.get("code")
    where = f"section {index} ({code})" if isinstance(code, str) and code else f"section {index}"
    _check_fields(raw, _SECTION_FIELDS, required=_REQUIRED_SECTION_FIELDS, where=where, fail=fail)
    code = raw["code"]  # present and a str: _check_fields raised otherwise
    if not CODE_PATTERN.match(code):
        raise fail(f"{where}: field 'code': must look like 'VIO-1' (capitals, dash, number)")

    categories = _string_list(raw["categories"], "categories", where, fail)
    if categories == [ALL_CATEGORIES_WILDCARD]:
        categories = list(CATEGORIES)
    bad = [c for c in categories if c not in CATEGORIES]
    if bad:
        raise fail(
            f"{where}: field 'categories': unknown category {bad[0]!r} (known: {', '.join(CATEGORIES)})"
        )
    actions = _string_list(raw["actions"], "actions", where, fail)
    bad = [a for a in actions if a not in ACTIONS]
    if bad:
        raise fail(f"{where}: field 'actions': unknown action {bad[0]!r} (known: {', '.join(ACTIONS)})")
    examples = _string_list(raw["examples"], "examples", where, fail, allow_empty=True, allow_duplicates=True)

    severity = raw["severity"]
    if not MIN_SEVERITY <= severity <= MAX_SEVERITY:
        raise fail(f"{where}: field 'severity': must be {MIN_SEVERITY}-{MAX_SEVERITY}, got {severity}")

    return PolicySection(
        code=code,
        title=raw["title"].strip(),
        categories=tuple(categories),
        severity=severity,
        text=_paragraphs(raw["text"]),
        examples=tuple(e.strip() for e in examples),
        actions=tuple(actions),
        rationale_required=raw.get("rationale_required", False),
    )


def _check_fields(
    table: dict[str, Any],
    fields: dict[str, type | tuple[type, ...]],
    required: tuple[str, ...],
    where: str,
    fail: _Fail,
) -> None:
    unknown = sorted(set(table) - set(fields))
    if unknown:
        raise fail(f"{where}: unknown key(s): {', '.join(unknown)}")
    for name in required:
        if name not in table:
            raise fail(f"{where}: missing field '{name}'")
    for name, expected in fields.items():
        if name not in table:
            continue
        value = table[name]
        # bool is a subclass of int and datetime of date: reject both explicitly.
        wrong = (
            not isinstance(value, expected)
            or (expected is int and isinstance(value, bool))
            or (expected is _dt.date and isinstance(value, _dt.datetime))
        )
        if wrong:
            raise fail(
                f"{where}: field '{name}': expected {_type_name(expected)}, got {_type_name(type(value))}"
            )
        if isinstance(value, str) and not value.strip():
            raise fail(f"{where}: field '{name}': must not be empty")


def _string_list(
    value: list[Any],
    name: str,
    where: str,
    fail: _Fail,
    allow_empty: bool = False,
    allow_duplicates: bool = False,
) -> list[str]:
    if not value and not allow_empty:
        raise fail(f"{where}: field '{name}': must not be empty")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise fail(f"{where}: field '{name}': every entry must be a non-empty string, got {item!r}")
    if not allow_duplicates and len(set(value)) != len(value):
        dup = next(v for v in value if value.count(v) > 1)
        raise fail(f"{where}: field '{name}': {dup!r} is listed twice")
    return list(value)


def _type_name(expected: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        list: "a list",
        dict: "a table",
        bool: "a boolean",
        float: "a number",
        _dt.date: "a date (YYYY-MM-DD)",
        _dt.datetime: "a date-time",
        _dt.time: "a time",
    }
    if isinstance(expected, tuple):
        return " or ".join(names.get(t, t.__name__) for t in expected)
    return names.get(expected, expected.__name__)
