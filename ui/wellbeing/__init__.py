"""The wellbeing feature: exposure meter, breaks, panic hide, greyscale, settings, session summary."""

from ui.wellbeing.actions import ACTIONS, WellbeingFeature, install

__all__ = ["ACTIONS", "WellbeingFeature", "install"]
