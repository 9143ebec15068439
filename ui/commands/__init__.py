"""Actions of the app: one registry drives shortcuts, the command palette, the cheat sheet and remapping."""

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
from ui.commands.registry import ACTION_SPECS, ActionRegistry, ActionSpec

__all__ = [
    "ACTION_SPECS",
    "ActionRegistry",
    "ActionSpec",
    "CheatSheet",
    "CommandPalette",
    "Keymap",
    "KeymapConflict",
    "clear_user_override",
    "default_keymap_path",
    "load_user_overrides",
    "save_user_override",
]
