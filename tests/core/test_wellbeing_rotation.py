from __future__ import annotations

from reviewer.wellbeing.rotation import RotationAdvisor
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
