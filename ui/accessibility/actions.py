"""The accessibility feature: applies the reviewer's theme and offers the high-contrast switch.

The theme is a preference (``Preferences.theme``, stored in QSettings); Settings and the palette command
change it through ``prefs.set_theme`` and this feature applies it to the whole application on
``theme_changed``: palette and stylesheet, so dialogs opened later follow it too.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from ui.accessibility.theme import HIGH_CONTRAST, STANDARD, THEMES, apply_theme, known
from ui.commands.registry import ActionRegistry
from ui.commands.spec import ActionSpec
from ui.shell.frame import Frame

HIGH_CONTRAST_TOGGLE = ActionSpec(
    "view.high_contrast",
    "Theme: high contrast on/off",
    "View",
    description="Light text on black, or the standard colours again; kept for the next start",
    safe_when_hidden=True,
    safe_on_overlay=True,
)
ACTIONS: tuple[ActionSpec, ...] = (HIGH_CONTRAST_TOGGLE,)


class AccessibilityFeature:
    """Keeps the application's palette and stylesheet on the reviewer's theme."""

    def __init__(self, window: Frame) -> None:
        self.window = window
        self.theme = self.apply(window.prefs.theme)
        window.prefs.theme_changed.connect(self.apply)

    def apply(self, name: str) -> str:
        app = QApplication.instance()
        assert isinstance(app, QApplication)  # a window exists, so the widget application does
        self.theme = apply_theme(app, name)
        return self.theme

    def toggle_high_contrast(self) -> None:
        wanted = STANDARD if known(self.window.prefs.theme) == HIGH_CONTRAST else HIGH_CONTRAST
        self.window.prefs.set_theme(wanted)
        self.window.flash(f"Theme: {THEMES[wanted]}")


def install(window: Frame, registry: ActionRegistry) -> AccessibilityFeature:
    feature = AccessibilityFeature(window)
    registry.register(HIGH_CONTRAST_TOGGLE, feature.toggle_high_contrast)
    return feature
