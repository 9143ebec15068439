"""Tests for reviewer.demo_images: determinism, size/mode, every category, variety and speed."""

from __future__ import annotations

import random

import pytest
from PIL import Image

from reviewer.demo_images import DEFAULT_SIZE, draw_scene, draw_text_card
from reviewer.policy import CATEGORIES

ALL_KINDS = (*CATEGORIES, "something-else")


@pytest.mark.parametrize("category", ALL_KINDS)
def test_scene_size_mode_and_determinism(category: str) -> None:
    first = draw_scene(random.Random(42), category)
    second = draw_scene(random.Random(42), category)
    assert isinstance(first, Image.Image)
    assert first.mode == "RGB" and first.size == DEFAULT_SIZE
    assert first.tobytes() == second.tobytes()


@pytest.mark.parametrize("category", ALL_KINDS)
def test_different_seeds_differ(category: str) -> None:
    assert (
        draw_scene(random.Random(1), category).tobytes() != draw_scene(random.Random(2), category).tobytes()
    )


@pytest.mark.parametrize("size", [(320, 240), (640, 480), (200, 400)])
def test_custom_sizes(size: tuple[int, int]) -> None:
    for category in CATEGORIES:
        img = draw_scene(random.Random(3), category, size)
        assert img.size == size and img.mode == "RGB"
    assert draw_text_card(random.Random(3), "hello", size).size == size


def test_scenes_are_not_blank() -> None:
    for category in ALL_KINDS:
        lo, hi = draw_scene(random.Random(5), category).convert("L").getextrema()
        assert hi - lo > 40, category


def test_categories_look_different() -> None:
    images = {c: draw_scene(random.Random(9), c).resize((32, 24)).tobytes() for c in CATEGORIES}
    assert len(set(images.values())) == len(CATEGORIES)


def test_text_card_deterministic_and_text_dependent() -> None:
    text = "A reported post with enough words to wrap over several lines of the card. " * 3
    a = draw_text_card(random.Random(7), text)
    assert a.mode == "RGB" and a.size == DEFAULT_SIZE
    assert a.tobytes() == draw_text_card(random.Random(7), text).tobytes()
    assert a.tobytes() != draw_text_card(random.Random(7), "different").tobytes()
    assert a.tobytes() != draw_text_card(random.Random(8), text).tobytes()


def test_text_card_handles_awkward_text() -> None:
    for text in ("", "x" * 500, "word " * 2000, "line\n\nbreaks\nand unicode: café naïve"):
        assert draw_text_card(random.Random(1), text).size == DEFAULT_SIZE
