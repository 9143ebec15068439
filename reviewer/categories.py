"""The case categories: the closed set of keys the importer accepts, and the label shown for each.

One source of truth: :data:`CATEGORIES` (keys, in display order) is derived from :data:`CATEGORY_LABELS`,
so a category cannot be added without its label. Policy packs, the import schema, the demo corpus and the
queue filter all use these keys.

This module is part of the core package and must not import Qt.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

#: Category key → human label, in the order categories are listed (filters, policy packs).
CATEGORY_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "violence": "Violence & graphic content",
        "self_harm": "Suicide & self-harm",
        "child_safety": "Child safety",
        "hate": "Hate speech",
        "harassment": "Harassment & bullying",
        "dangerous_orgs": "Dangerous organisations",
        "adult": "Adult nudity & sexual content",
        "spam": "Spam & scams",
        "privacy": "Privacy violations",
    }
)

#: The known category keys, in display order.
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_LABELS)


def category_label(category: str, default: str | None = None) -> str:
    """The label for ``category``; an unknown key gives ``default``, or the key itself when no default."""
    label = CATEGORY_LABELS.get(category)
    if label is not None:
        return label
    return category if default is None else default


def is_category(value: str) -> bool:
    """Whether ``value`` is one of the known category keys."""
    return value in CATEGORY_LABELS
