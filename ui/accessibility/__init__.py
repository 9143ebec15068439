"""Accessibility: themes (standard and high contrast, each with a visible focus frame) and their command.

Accessible names and descriptions are set beside each widget where it is built; this package holds what
is shared: the theme files' loader (:mod:`ui.accessibility.theme`), the WCAG contrast arithmetic
(:mod:`ui.accessibility.contrast`), labels that elide (:mod:`ui.accessibility.elide`) and the feature's
``install`` (:mod:`ui.accessibility.actions`).

This ``__init__`` imports nothing: the frame uses :mod:`ui.accessibility.elide`, and the feature module
imports the frame, so importing the feature here would make importing the frame import itself.
"""
