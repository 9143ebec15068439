"""Actions of the app: one registry drives shortcuts, the command palette, the cheat sheet and remapping.

``install`` registers the command feature's own actions (palette, cheat sheet) with their handlers.
"""

from typing import TYPE_CHECKING, Any

from ui.commands.actions import ACTIONS, install
from ui.commands.keymap import (
    Keymap,
    KeymapConflict,
    clear_user_override,
    default_keymap_path,
    load_user_overrides,
    save_user_override,
)
from ui.commands.registry import ActionRegistry
from ui.commands.spec import ActionSpec

if TYPE_CHECKING:
    from ui.commands.cheatsheet import CheatSheet
    from ui.commands.palette import CommandPalette

__all__ = [
    "ACTIONS",
    "ActionRegistry",
    "ActionSpec",
    "CheatSheet",
    "CommandPalette",
    "Keymap",
    "KeymapConflict",
    "clear_user_override",
    "default_keymap_path",
    "install",
    "load_user_overrides",
    "save_user_override",
]


def __getattr__(name: str) -> Any:
    """The dialogs, imported on first use (the app's start needs neither)."""
    if name == "CheatSheet":
        from ui.commands.cheatsheet import CheatSheet

        return CheatSheet
    if name == "CommandPalette":
        from ui.commands.palette import CommandPalette

        return CommandPalette
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
