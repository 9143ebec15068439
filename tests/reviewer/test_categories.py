"""Tests for reviewer.categories: one source of truth for category keys and their labels."""

from __future__ import annotations

from typing import get_args

import pytest

from reviewer import policy, queue
from reviewer.categories import CATEGORIES, CATEGORY_LABELS, category_label, is_category
from reviewer.importing.schema import CaseIn


def test_keys_and_order() -> None:
    assert CATEGORIES == (
        "violence",
        "self_harm",
        "child_safety",
        "hate",
        "harassment",
        "dangerous_orgs",
        "adult",
        "spam",
        "privacy",
    )
    assert tuple(CATEGORY_LABELS) == CATEGORIES


def test_every_category_has_a_non_empty_distinct_label() -> None:
    labels = [CATEGORY_LABELS[c] for c in CATEGORIES]
    assert all(label.strip() for label in labels)
    assert len(set(labels)) == len(labels)


def test_labels_shown_in_the_preview() -> None:
    assert category_label("violence") == "Violence & graphic content"
    assert category_label("self_harm") == "Suicide & self-harm"
    assert category_label("adult") == "Adult nudity & sexual content"
    assert category_label("privacy") == "Privacy violations"


def test_unknown_category_falls_back_to_the_key_or_the_default() -> None:
    assert category_label("something_else") == "something_else"
    assert category_label("something_else", "") == ""
    assert category_label("spam", "") == "Spam & scams"


def test_is_category() -> None:
    assert is_category("hate") and not is_category("Hate") and not is_category("")


def test_labels_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        CATEGORY_LABELS["spam"] = "x"  # type: ignore[index]


def test_policy_queue_and_importer_use_the_same_set() -> None:
    assert policy.CATEGORIES is CATEGORIES
    assert queue.categories(None) == list(CATEGORIES)  # type: ignore[arg-type]
    assert set(get_args(CaseIn.model_fields["category"].annotation)) == set(CATEGORIES)
