"""Actions of the app: one registry drives shortcuts, the command palette, the cheat sheet and remapping.

``install`` registers the command feature's own actions (palette, cheat sheet) with their handlers.
"""

from ui.commands.actions import ACTIONS, install
from ui.commands.cheatsheet import CheatSheet
from ui.commands.keymap import (
    Keymap,
    KeymapConflict,
    clear_user_override,
    default_keymap_path,
    load_user_overrides,
    save_user_override,
)
from ui.commands.palette import CommandPalette
from ui.commands.registry import ActionRegistry
from ui.commands.spec import ActionSpec

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
