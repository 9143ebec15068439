"""Tests for reviewer.wellbeing.rotation: the severe run, and which row comes next after a decision."""

from __future__ import annotations

import random
from collections.abc import Iterator

from reviewer.wellbeing.rotation import (
    LOOKAHEAD,
    ROTATION_MESSAGE,
    RotationAdvisor,
    RotationChoice,
    choose_row,
    rotation_pick,
)
from reviewer.wellbeing.settings import WellbeingSettings


def test_lighter_work_is_offered_after_a_run_of_severe_cases() -> None:
    advisor = RotationAdvisor(WellbeingSettings())
    for _ in range(4):
        advisor.observe(5)
    assert not advisor.wants_lighter()
    advisor.observe(4)  # severity 4 is severe by default
    assert advisor.wants_lighter()
    assert advisor.pick_next([("a", 5), ("b", 4), ("c", 2), ("d", 1)]) == "c"


def test_a_lighter_case_resets_the_run() -> None:
    advisor = RotationAdvisor(WellbeingSettings())
    for _ in range(5):
        advisor.observe(5)
    advisor.observe(3)
    assert not advisor.wants_lighter() and advisor.severe_run == 0
    assert advisor.pick_next([("a", 5), ("c", 2)]) == "a"


def test_queue_order_stands_when_nothing_lighter_is_offered() -> None:
    advisor = RotationAdvisor(WellbeingSettings())
    for _ in range(5):
        advisor.observe(5)
    assert advisor.pick_next([("a", 5), ("b", 4)]) == "a"
    assert advisor.pick_next([]) is None


def test_settings_drive_run_length_and_threshold() -> None:
    settings = WellbeingSettings()
    settings.set("rotation.severe_run", 2)
    settings.set("rotation.severe_threshold", 3)
    advisor = RotationAdvisor(settings)
    advisor.observe(3)
    advisor.observe(3)
    assert advisor.wants_lighter()
    assert advisor.pick_next([("a", 3), ("b", 2)]) == "b"


# -- choosing the next row after a decision -------------------------------------------------------------


def _advisor(run: int = 5, threshold: int = 4) -> RotationAdvisor:
    settings = WellbeingSettings()
    settings.set("rotation.severe_run", run)
    settings.set("rotation.severe_threshold", threshold)
    return RotationAdvisor(settings)


def test_choose_row_is_pure_and_keeps_the_target_unless_lighter_is_wanted() -> None:
    rows = [(7, 5), (8, 4), (9, 2)]
    assert choose_row(7, rows, wants_lighter=False, threshold=4) == RotationChoice(7, False)
    assert choose_row(7, rows, wants_lighter=True, threshold=4) == RotationChoice(9, True)
    assert choose_row(7, rows, wants_lighter=True, threshold=5) == RotationChoice(8, True)
    assert choose_row(7, [(7, 1), (8, 5)], wants_lighter=True, threshold=4) == RotationChoice(7, False)
    assert choose_row(7, [(7, 5), (8, 5)], wants_lighter=True, threshold=4) == RotationChoice(7, False)
    assert choose_row(7, [], wants_lighter=True, threshold=4) == RotationChoice(7, False)


def test_a_missing_target_row_moves_to_the_first_candidate() -> None:
    # The row at the target could not be read: the first candidate is shown, as before.
    assert choose_row(7, [(8, 5), (9, 5)], wants_lighter=True, threshold=4) == RotationChoice(8, True)


def test_next_row_observes_then_chooses() -> None:
    advisor = _advisor(run=2)
    assert advisor.next_row(5, 3, [(3, 5), (4, 1)]) == RotationChoice(3, False)  # run 1 of 2
    assert advisor.next_row(5, 4, [(4, 5), (5, 1)]) == RotationChoice(5, True)  # run 2: rotate
    assert advisor.severe_run == 2
    assert advisor.next_row(1, 6, [(6, 5), (7, 1)]) == RotationChoice(6, False)  # a light case resets
    assert advisor.severe_run == 0


def test_next_row_reads_the_candidates_only_when_rotating() -> None:
    advisor = _advisor(run=2)
    read: list[int] = []

    def candidates(start: int) -> Iterator[tuple[int, int]]:
        for row in range(start, start + LOOKAHEAD):
            read.append(row)
            yield row, (5 if row < start + 3 else 1)

    assert advisor.next_row(5, 0, candidates(0)) == RotationChoice(0, False)
    assert read == []
    assert advisor.next_row(5, 10, candidates(10)) == RotationChoice(13, True)
    assert read[0] == 10


def test_next_row_follows_the_settings() -> None:
    advisor = _advisor(run=1, threshold=3)
    assert advisor.next_row(3, 0, [(0, 3), (1, 2)]) == RotationChoice(1, True)


def _old_rotate(advisor: RotationAdvisor, decided: int, target: int, rows: list[tuple[int, int]]) -> int:
    """The selection ui/review_controller._rotate made before it moved here."""
    advisor.observe(decided)
    if not advisor.wants_lighter():
        return target
    chosen = advisor.pick_next(rows)
    if chosen is not None and chosen != target:
        return int(chosen)
    return target


def test_next_row_matches_the_old_controller_logic() -> None:
    rng = random.Random(3)
    new, old = _advisor(run=3), _advisor(run=3)
    for _ in range(3000):
        decided, target = rng.randint(1, 5), rng.randint(0, 40)
        rows = [(r, rng.choice([1, 2, 3, 4, 4, 5, 5, 5])) for r in range(target, target + rng.randint(0, 6))]
        if rows and rng.random() < 0.1:
            rows.pop(0)  # an unreadable row
        expected = _old_rotate(old, decided, target, rows)
        got = new.next_row(decided, target, rows)
        assert got.row == expected and got.rotated == (expected != target)
        assert new.severe_run == old.severe_run


def test_rotation_pick_unpacks_to_row_and_rotated() -> None:
    advisor = _advisor(run=1)
    row, rotated = rotation_pick(advisor, 5, 4, [(4, 5), (5, 2)])
    assert (row, rotated) == (5, True)
    choice = rotation_pick(advisor, 1, 6, [(6, 5), (7, 2)])
    assert choice.row == 6 and not choice.rotated


def test_rotation_constants() -> None:
    assert LOOKAHEAD == 25
    assert ROTATION_MESSAGE.startswith("Rotation:")
