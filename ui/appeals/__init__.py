"""Appeals in the main window: the appeals lane (F10), uphold (Alt+U) and overturn with a reason."""

from ui.appeals.actions import ACTIONS, AppealsFeature, install

__all__ = ["ACTIONS", "AppealsFeature", "install"]
