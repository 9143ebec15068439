"""What a user action is: a stable id, a title, where it shows, and when it may run.

A plain frozen dataclass with no Qt, so a feature package can declare its actions at module level and
the keymap can check ids without importing the registry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActionSpec:
    """A user action: stable id, human title, cheat-sheet group ("Decide", "Policy", "View", "Queue", "App").

    The last three flags are read by the guards the features add to the registry: ``safe_when_hidden``
    actions still run while the panic screen hides content, ``safe_on_overlay`` ones while a break screen
    (or another overlay) covers the work area, and ``needs_case`` ones are refused while no case is on
    screen (deciding a case nobody has seen is never right).
    """

    id: str
    title: str
    group: str
    hold: bool = False  # press-and-hold (key press/release), not a QShortcut
    description: str = ""
    repeat: bool = False  # fires again while the key is held; never for decisions
    optional: bool = False  # may ship unbound (palette only)
    app_wide: bool = False  # fires in every window of the app, dialogs included (the global panic key)
    safe_when_hidden: bool = False
    safe_on_overlay: bool = False
    needs_case: bool = False
