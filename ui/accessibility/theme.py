"""Themes: the application palette and a stylesheet, both read from ``resources/themes/``.

``standard`` follows the system's light or dark choice (a dark system gets ``dark.toml``'s colours, a
light one Qt's own palette) with the focus-frame stylesheet ``standard.qss``; ``high-contrast`` is light
text on black with a thick yellow focus frame. ``REVIEWER_THEME=light|dark|high-contrast`` in the
environment overrides the choice (for screenshots and support). A theme name read from a settings file
that names no theme falls back to ``standard``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from reviewer.resources import read_resource_bytes

STANDARD = "standard"
HIGH_CONTRAST = "high-contrast"
#: Theme name → title shown in Settings.
THEMES: dict[str, str] = {
    STANDARD: "Standard (follows the system)",
    HIGH_CONTRAST: "High contrast (light on black)",
}
_FILES = {STANDARD: "dark.toml", HIGH_CONTRAST: "high-contrast.toml"}
#: The dynamic property on the application naming the theme in use (for tests and tools).
THEME_PROPERTY = "reviewerTheme"
#: The dynamic property a label's tone is set in; each theme's stylesheet colours ``QLabel[tone="alert"]``.
TONE = "tone"
ALERT = "alert"


@dataclass(frozen=True)
class ThemeColours:
    """One palette file: colours by ``QPalette.ColorRole`` name, and the stylesheet that goes with it."""

    colours: dict[str, str]
    stylesheet: str

    def palette(self) -> QPalette:
        palette = QPalette()
        for role, colour in self.colours.items():
            palette.setColor(QPalette.ColorRole[role], QColor(colour))
        return palette


def known(name: object) -> str:
    """``name`` if it names a theme, else ``standard`` (a settings file is not trusted to)."""
    return name if isinstance(name, str) and name in THEMES else STANDARD


@cache
def theme_colours(file: str) -> ThemeColours:
    """The palette file ``resources/themes/<file>`` and its stylesheet's text."""
    data = tomllib.loads(read_resource_bytes("themes", file).decode("utf-8"))
    sheet = read_resource_bytes("themes", str(data["stylesheet"])).decode("utf-8")
    return ThemeColours({str(k): str(v) for k, v in data["palette"].items()}, sheet)


def stylesheet(name: str) -> str:
    """The stylesheet of theme ``name``."""
    return theme_colours(_FILES[known(name)]).stylesheet


def set_tone(widget: QWidget, tone: str) -> None:
    """Mark ``widget`` with a tone (``ALERT``, or "" for none) that the theme's stylesheet colours.

    A colour in a widget's own stylesheet would win over the theme and be unreadable in one of them."""
    if widget.property(TONE) == tone:
        return
    widget.setProperty(TONE, tone)
    widget.style().unpolish(widget)  # a dynamic property is matched when the widget is polished
    widget.style().polish(widget)
    widget.update()


def _system_is_dark(app: QApplication) -> bool:
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, name: str) -> str:
    """Set the palette and stylesheet of theme ``name`` on ``app``; returns the theme applied."""
    override = os.environ.get("REVIEWER_THEME", "").lower()
    if override in THEMES:
        name = override
    name = known(name)
    colours = theme_colours(_FILES[name])
    use_file = name != STANDARD or override == "dark" or (override != "light" and _system_is_dark(app))
    palette = colours.palette() if use_file else app.style().standardPalette()
    # Setting the same palette or stylesheet again repolishes every widget (tens of ms once the window
    # exists, as at the window's start, where the theme set before it was built is re-applied).
    if app.palette() != palette:
        app.setPalette(palette)
    if app.styleSheet() != colours.stylesheet:
        app.setStyleSheet(colours.stylesheet)
    app.setProperty(THEME_PROPERTY, name)
    return name
