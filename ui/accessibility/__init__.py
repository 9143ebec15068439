"""Accessibility: themes (standard and high contrast, each with a visible focus frame) and their command.

Accessible names and descriptions are set beside each widget where it is built; this package holds what
is shared: the theme files' loader (:mod:`ui.accessibility.theme`), the WCAG contrast arithmetic
(:mod:`ui.accessibility.contrast`) and the feature's ``install``.
"""

from ui.accessibility.actions import ACTIONS, AccessibilityFeature, install

__all__ = ["ACTIONS", "AccessibilityFeature", "install"]
