"""The command feature's own actions beside their handlers: the palette, the cheat sheet, the keymap editor."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from ui.commands.registry import ActionRegistry
from ui.commands.spec import ActionSpec
from ui.shell.frame import Frame

PALETTE = ActionSpec("app.palette", "Command palette", "App", safe_on_overlay=True)
CHEATSHEET = ActionSpec("app.cheatsheet", "Keyboard shortcuts", "App", safe_when_hidden=True, safe_on_overlay=True)
KEYMAP = ActionSpec(
    "app.keymap",
    "Edit keyboard shortcuts",
    "App",
    description="Assign keys, see clashes, reset, export and import the keymap",
    safe_on_overlay=True,
)
ACTIONS: tuple[ActionSpec, ...] = (PALETTE, CHEATSHEET, KEYMAP)


def install(window: Frame, registry: ActionRegistry) -> None:
    """Register the palette (Ctrl+K), the cheat sheet (?) and the keymap editor on ``window``."""

    # The dialogs are imported when first opened: the first case on screen needs none of them.
    def palette() -> None:
        from ui.commands.palette import CommandPalette

        CommandPalette(registry, window).exec()
        window.refocus()

    def cheatsheet() -> None:
        from ui.commands.cheatsheet import CheatSheet

        CheatSheet(registry, window).exec()
        window.refocus()

    def keymap() -> None:
        from ui.commands.keymap_editor import KeymapEditor

        KeymapEditor(registry, window.settings, QApplication.activeModalWidget() or window).exec()
        window.refocus()

    registry.register(PALETTE, palette)
    registry.register(KEYMAP, keymap)
    registry.register(CHEATSHEET, cheatsheet)
